"""Storage: SQLAlchemy tables, the engine, migrations, and the queries the app needs."""

from alignment.store.datasets import (
    DatasetInfo,
    current_dataset,
    delete_dataset,
    list_datasets,
    load_dataset_frame,
    make_current,
    save_dataset,
)
from alignment.store.engine import DatabaseUnavailable, database_url, make_engine, migrate, open_database
from alignment.store.results import actions_frame, answers_frame, comments_frame, importance_frame
from alignment.store.workshops import (
    WorkshopInfo,
    WorkshopNotFound,
    create_workshop,
    delete_workshop,
    find_workshop,
    get_workshop,
    list_workshops,
    participation,
    start_new_round,
    team_id,
    update_settings,
    update_workshop,
)

__all__ = [
    "DatabaseUnavailable",
    "DatasetInfo",
    "WorkshopInfo",
    "WorkshopNotFound",
    "actions_frame",
    "answers_frame",
    "comments_frame",
    "create_workshop",
    "current_dataset",
    "database_url",
    "delete_dataset",
    "delete_workshop",
    "find_workshop",
    "get_workshop",
    "importance_frame",
    "list_datasets",
    "list_workshops",
    "load_dataset_frame",
    "make_current",
    "make_engine",
    "migrate",
    "open_database",
    "participation",
    "save_dataset",
    "start_new_round",
    "team_id",
    "update_settings",
    "update_workshop",
]

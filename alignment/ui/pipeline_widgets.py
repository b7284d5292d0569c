"""The Pipeline data page's pieces: saved data, upload, rule tables, date questions, saving.

The uploaded file is read once per session and kept in ``st.session_state`` (never shared between
sessions: CRM exports are confidential), with the mapping proposed once per kind; the import is
re-run only when the mapping, the rule tables or a date answer change, and its result carries the
stage and lead-source tables the rule editors show. Confirmed mappings and rule overrides are kept
in the workshop's settings (see :mod:`alignment.importing.remember`), saved with the dataset in one
transaction. The mapping table is in :mod:`alignment.ui.pipeline_mapping`, the check step in
:mod:`alignment.ui.pipeline_report`.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from alignment.canonical import OUTCOMES, SOURCE_GROUPS
from alignment.importing import (
    FIELD_LABELS,
    ImportRefused,
    ImportResult,
    ImportRules,
    Limits,
    Mapping,
    RawTable,
    propose_mapping,
    read_table,
    run_import,
)
from alignment.importing.remember import settings_after_save, workshop_rules
from alignment.importing.rule_tables import updated_overrides
from alignment.store import WorkshopInfo, delete_dataset, list_datasets, make_current
from alignment.store.datasets import save_import
from alignment.ui import session
from alignment.ui.session import plain

UPLOAD_KEY = "pipeline_upload"
RESULT_KEY = "pipeline_result"
KIND_LABELS = {"deals": "Deals (opportunities)", "leads": "Leads"}
ROUND_KEY = "pipeline_upload_round"


@dataclass
class Upload:
    """The file being imported in this session."""

    file_id: str
    raw: RawTable
    detected: Mapping
    proposals: dict[str, Mapping]

    def proposal(self, kind: str) -> Mapping:
        """The mapping proposed for this file read as ``kind`` (proposed once per kind, then kept)."""
        if kind not in self.proposals:
            self.proposals[kind] = propose_mapping(self.raw.columns, kind, self.raw.table)
        return self.proposals[kind]


# ---------------------------------------------------------------- saved datasets


def saved_datasets(workshop: WorkshopInfo) -> None:
    """The workshop's saved data: which version the dashboard uses, and switching or deleting versions."""
    datasets = list_datasets(session.engine(), workshop.id)
    if not datasets:
        st.info(
            "No pipeline data saved for this workshop yet. Upload a CRM export below.", icon=":material/upload_file:"
        )
        return
    st.subheader("Saved data")
    for dataset in datasets:
        with st.container(border=True):
            text, actions = st.columns([3, 2], vertical_alignment="center")
            state = ("in use" if dataset.is_current else "earlier version") + f" · round {dataset.round_no}"
            text.markdown(f"**{plain(dataset.filename)}** · {KIND_LABELS[dataset.kind]} · {state}")
            text.caption(
                f"{dataset.rows_accepted:,} rows used of {dataset.rows_read:,} read · saved "
                f"{dataset.created_at:%Y-%m-%d %H:%M} UTC"
            )
            use, remove = actions.columns(2)
            if not dataset.is_current:
                use.button(
                    "Use this version",
                    key=f"use_{dataset.id}",
                    on_click=make_current,
                    args=(session.engine(), dataset.id),
                    width="stretch",
                )
            with remove.popover("Delete", icon=":material/delete:", width="stretch"):
                st.write("Delete this version? Its rows cannot be recovered.")
                st.button(
                    "Delete for good",
                    key=f"delete_{dataset.id}",
                    type="primary",
                    on_click=delete_dataset,
                    args=(session.engine(), dataset.id),
                )


# ---------------------------------------------------------------- upload


def upload(limits: Limits) -> Upload | None:
    """The uploader; reads a new file once (with progress) and keeps it for this session."""
    file = st.file_uploader(
        "CRM export (CSV or Excel)",
        type=["csv", "txt", "tsv", "xlsx", "xls"],
        help="One row per deal or per lead, with its header row: a Salesforce report (“Details only”), "
        "a HubSpot, Pipedrive, Zoho, Dynamics 365 or Close export, or any CSV with named columns.",
        max_upload_size=max(1, limits.max_bytes // (1024 * 1024)),
        key=f"pipeline_file_{st.session_state.get(ROUND_KEY, 0)}",
    )
    if file is None:
        st.session_state.pop(UPLOAD_KEY, None)
        st.session_state.pop(RESULT_KEY, None)
        return None
    kept = st.session_state.get(UPLOAD_KEY)
    if kept is None or kept[0] != file.file_id:
        kept = (file.file_id, _read(file, limits))
        st.session_state[UPLOAD_KEY] = kept
        st.session_state.pop(RESULT_KEY, None)
    if isinstance(kept[1], str):
        st.error(kept[1], icon=":material/block:")
        return None
    return kept[1]


def _read(file: UploadedFile, limits: Limits) -> Upload | str:
    """Read a new upload with a progress indicator; a refusal comes back as its sentence."""
    name = plain(file.name)
    with st.status(f"Reading {name}…", expanded=True) as status:
        try:
            st.write("Reading the file and finding its header row")
            raw = read_table(file.getvalue(), file.name, limits)
            st.write(f"Recognising {len(raw.columns)} columns from their names and values")
            detected = propose_mapping(raw.columns, None, raw.table)
        except ImportRefused as refused:
            status.update(label=f"{name} cannot be imported", state="error", expanded=False)
            return str(refused)
        status.update(label=f"Read {raw.rows_read:,} rows from {name}", state="complete", expanded=False)
    return Upload(file.file_id, raw, detected, {detected.kind: detected})


def choose_kind(loaded: Upload) -> str:
    """Deals or leads: detected from the headers, changeable."""
    kind = st.segmented_control(
        "This file holds",
        list(KIND_LABELS),
        default=loaded.detected.kind,
        format_func=KIND_LABELS.__getitem__,
        required=True,
        key=f"kind_{loaded.file_id}",
    )
    return kind or loaded.detected.kind


# ---------------------------------------------------------------- rule tables and dates


def saved_rules(workshop: WorkshopInfo) -> ImportRules:
    """The shipped rules with this workshop's overrides."""
    return workshop_rules(workshop.settings or {})


def rule_tables(loaded: Upload, mapping: Mapping, base: ImportRules, checked_once: ImportResult) -> ImportRules:
    """Stage → outcome and lead source → source group, as the import with the workshop's rules found them
    (``checked_once.stages`` and ``.sources``); returns the rules with the user's edits."""
    saved_stages, saved_sources = dict(base.stage_overrides), dict(base.source_overrides)
    shipped = ImportRules()
    stages_column, sources_column = st.columns(2)
    stage_overrides, source_overrides = saved_stages, saved_sources
    if mapping.kind == "deals" and mapping.column("stage"):
        with stages_column:
            st.markdown("**Stage → outcome**")
            if {"outcome", "is_won", "is_closed"} & set(mapping.columns()):
                st.caption("A won/lost status column decides first; the stage decides where it is blank.")
            edited = st.data_editor(
                checked_once.stages[["stage", "deals", "outcome"]],
                key=f"stages_{loaded.file_id}",
                hide_index=True,
                width="stretch",
                disabled=["stage", "deals"],
                column_config={
                    "stage": "Stage",
                    "deals": "Deals",
                    "outcome": st.column_config.SelectboxColumn("Outcome", options=OUTCOMES, required=True),
                },
            )
            stage_overrides = updated_overrides(saved_stages, edited, "stage", "outcome", shipped)
    if mapping.column("lead_source"):
        with sources_column:
            st.markdown("**Lead source → source group**")
            sources = checked_once.sources[checked_once.sources["lead_source"].fillna("").str.strip().ne("")]
            sources = sources.reset_index(drop=True)
            if sources.empty:
                st.caption(
                    f"The column “{plain(mapping.column('lead_source'))}” is blank in every row, so every row's "
                    "source group is unknown."
                )
                return ImportRules.with_overrides(stage_overrides, source_overrides)
            edited = st.data_editor(
                sources,
                key=f"sources_{loaded.file_id}",
                hide_index=True,
                width="stretch",
                disabled=["lead_source", "rows"],
                column_config={
                    "lead_source": "Lead source",
                    "rows": "Rows",
                    "source_group": st.column_config.SelectboxColumn(
                        "Source group", options=SOURCE_GROUPS, required=True
                    ),
                },
            )
            source_overrides = updated_overrides(saved_sources, edited, "lead_source", "source_group", shipped)
    return ImportRules.with_overrides(stage_overrides, source_overrides)


def date_questions(loaded: Upload, mapping: Mapping, first: ImportResult) -> dict[str, bool]:
    """Ask, per date column whose values never show it, whether the day or the month comes first."""
    asked = st.session_state.setdefault(f"asked_{loaded.file_id}", [])
    asked.extend(f for f in first.report.ambiguous_dates if f not in asked)
    choices: dict[str, bool] = {}
    if asked:
        st.markdown("**Dates**")
    for field in asked:
        column = mapping.column(field)
        if column is None:
            continue
        sample = next((v for v in loaded.raw.table.column(column).drop_null().to_pylist()[:50] if v.strip()), "")
        answer = st.radio(
            f"{FIELD_LABELS[field]} (column “{plain(column)}”): in a value such as {plain(sample)}, which comes first?",
            ["Month first (MM/DD)", "Day first (DD/MM)"],
            index=1 if first.report.date_formats.get(field, {}).get("day_first") else 0,
            horizontal=True,
            key=f"date_{loaded.file_id}_{field}",
        )
        choices[field] = answer.startswith("Day")
    return choices


def checked(loaded: Upload, mapping: Mapping, rules: ImportRules, choices: dict[str, bool]) -> ImportResult:
    """The import with these choices, re-run only when one of them changed."""
    key = (
        loaded.file_id,
        mapping.kind,
        tuple(sorted(mapping.columns().items())),
        tuple(sorted(rules.stage_overrides.items())),
        tuple(sorted(rules.source_overrides.items())),
        tuple(sorted(choices.items())),
    )
    kept: dict = st.session_state.setdefault(RESULT_KEY, {})
    if key not in kept:
        with st.spinner(f"Checking {loaded.raw.table.num_rows:,} rows…"):
            result = run_import(loaded.raw, mapping, rules, choices)
        while len(kept) >= 3:
            kept.pop(next(iter(kept)))
        kept[key] = result
    return kept[key]


# ---------------------------------------------------------------- report, preview, save


def save_button(
    workshop: WorkshopInfo, loaded: Upload, mapping: Mapping, result: ImportResult, rules: ImportRules
) -> None:
    """Save the rows as the workshop's current data of this kind and remember the choices made, in one transaction."""
    report = result.report
    if not report.rows_accepted:
        st.error("No row can be used, so there is nothing to save: see the reasons above.", icon=":material/block:")
        return
    st.caption(f"Saving makes this the {report.kind} data the dashboard uses; earlier versions stay listed above.")
    if not st.button("Save to workshop", type="primary", icon=":material/save:"):
        return
    settings = settings_after_save(workshop.settings or {}, loaded.raw.columns, mapping, report, rules)
    save_import(session.engine(), workshop.id, report.kind, result.frame, report.filename, report.to_dict(), settings)
    st.session_state["pipeline_saved"] = f"Saved {report.rows_accepted:,} {report.kind} from {report.filename}."
    st.session_state[ROUND_KEY] = st.session_state.get(ROUND_KEY, 0) + 1
    st.session_state.pop(UPLOAD_KEY, None)
    st.session_state.pop(RESULT_KEY, None)
    st.rerun()


def saved_message() -> None:
    """Confirm a save after the rerun it causes."""
    message = st.session_state.pop("pipeline_saved", None)
    if message:
        st.success(plain(message), icon=":material/check_circle:")
        st.toast(plain(message), icon=":material/check_circle:")

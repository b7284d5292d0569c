"""Pipeline and lead metrics on small hand-computed frames."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from alignment.canonical import conform
from alignment.catalogue import load_catalogue
from alignment.framework import load_framework
from alignment.lead_metrics import filter_leads, lead_acceptance, lead_leakage, rejection_reasons, response_time
from alignment.metrics import (
    OTHER_REASONS,
    DealFilters,
    cycle_time,
    deal_size,
    filter_deals,
    loss_reasons,
    marketing_share,
    open_aging,
    pipeline_created,
    prepare_pipeline,
    stage_conversion,
    stage_mix,
    wilson_interval,
    win_rate,
)


def deals_frame(rows: list[tuple]) -> pd.DataFrame:
    """Rows of (source group, outcome, amount, created, closed, loss reason, segment, stage)."""
    columns = ["source_group", "outcome", "amount", "created_date", "close_date", "loss_reason", "segment", "stage"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["deal_id"] = [f"D{i}" for i in range(len(frame))]
    return conform(frame, "deals")


@pytest.fixture(params=["as imported", "prepared"])
def deals(request: pytest.FixtureRequest) -> pd.DataFrame:
    frame = deals_frame([
        ("marketing", "won", 100.0, "2026-01-05", "2026-01-15", None, "SMB", "Closed Won"),
        ("marketing", "won", 300.0, "2026-01-20", "2026-02-09", None, "SMB", "Closed Won"),
        ("marketing", "lost", 200.0, "2026-02-01", "2026-03-01", "Price", "Enterprise", "Closed Lost"),
        ("marketing", "lost", 0.0, "2026-02-03", "2026-03-05", "Price", "SMB", "Closed Lost"),
        ("marketing", "open", 500.0, "2026-02-10", "2026-06-30", None, "SMB", "Proposal"),
        ("sales", "won", 1000.0, "2026-01-10", "2026-02-09", None, "Enterprise", "Closed Won"),
        ("sales", "won", 50.0, "2026-03-01", "2026-02-24", None, "SMB", "Closed Won"),
        ("sales", "lost", 400.0, "2026-03-02", "2026-03-20", "No decision", "Enterprise", "Closed Lost"),
        ("sales", "open", 70.0, "2025-11-01", "2026-06-30", None, "SMB", " Proposal "),
        (None, "open", 10.0, "2026-03-10", None, None, "SMB", "Prospecting"),
    ])
    return prepare_pipeline(frame) if request.param == "prepared" else frame


def by_group(table: pd.DataFrame) -> pd.DataFrame:
    return table.set_index("source_group")


def test_every_evidence_metric_has_a_label_and_definition() -> None:
    linked = {metric for dimension in load_framework().dimensions for metric in dimension.evidence}
    catalogue = load_catalogue()
    assert linked <= set(catalogue.ids)
    assert all(m.label and m.definition.endswith(".") for m in catalogue.metrics)


def test_win_rate_by_count_and_by_value(deals: pd.DataFrame) -> None:
    table = by_group(win_rate(deals))
    assert (table.at["marketing", "won"], table.at["marketing", "lost"]) == (2, 2)
    assert table.at["marketing", "win_rate"] == pytest.approx(0.5)
    assert table.at["marketing", "win_rate_value"] == pytest.approx(400 / 600)
    assert table.at["sales", "win_rate"] == pytest.approx(2 / 3)
    assert "unknown" not in table.index  # only an open deal: no win rate to show


def test_wilson_interval_matches_the_textbook_value() -> None:
    low, high = wilson_interval(np.array([2]), np.array([4]))
    assert (low[0], high[0]) == (pytest.approx(0.1500, abs=1e-4), pytest.approx(0.8500, abs=1e-4))
    low, high = wilson_interval(np.array([0]), np.array([0]))
    assert np.isnan(low[0]) and np.isnan(high[0])


def test_average_deal_size_counts_won_deals_only(deals: pd.DataFrame) -> None:
    table = by_group(deal_size(deals))
    assert table.at["marketing", "average"] == pytest.approx(200.0)
    assert table.at["sales", "average"] == pytest.approx(525.0)


def test_cycle_counts_negative_spans_and_leaves_them_out(deals: pd.DataFrame) -> None:
    table = by_group(cycle_time(deals))
    assert table.at["marketing", "median_days"] == pytest.approx(15.0)  # 10 and 20 days
    assert table.at["marketing", "p90_days"] == pytest.approx(19.0)
    sales = table.loc["sales"]
    assert (sales["won"], sales["used"], sales["negative"]) == (2, 1, 1)
    assert sales["median_days"] == pytest.approx(30.0)


def test_pipeline_created_per_month(deals: pd.DataFrame) -> None:
    table = pipeline_created(deals)
    feb = table[(table["month"] == pd.Timestamp("2026-02-01")) & (table["source_group"] == "marketing")].iloc[0]
    assert (feb["deals"], feb["value"]) == (3, 700.0)
    assert table["deals"].sum() == 10
    assert table["month"].min() == pd.Timestamp("2025-11-01")


def test_stage_conversion_and_open_stage_mix(deals: pd.DataFrame) -> None:
    table = by_group(stage_conversion(deals))
    assert table.at["marketing", "closed_share"] == pytest.approx(4 / 5)
    assert table.at["marketing", "won_share"] == pytest.approx(2 / 5)
    mix = stage_mix(deals)
    sales = mix[mix["source_group"] == "sales"]
    assert sales["stage"].tolist() == ["Proposal"]  # stray spaces around the stage are ignored


def test_loss_reasons_keep_the_top_ones_and_group_the_rest(deals: pd.DataFrame) -> None:
    table = loss_reasons(deals, top=1)
    marketing = table[table["source_group"] == "marketing"].set_index("reason")
    assert marketing.at["Price", "deals"] == 2 and marketing.at["Price", "share"] == pytest.approx(1.0)
    sales = table[table["source_group"] == "sales"].set_index("reason")
    assert sales.index.tolist() == [OTHER_REASONS]


def test_open_deal_aging_counts_from_the_latest_created_date(deals: pd.DataFrame) -> None:
    table = open_aging(deals)
    counts = table[table["deals"] > 0].set_index(["source_group", "bucket"])["deals"].to_dict()
    # latest created date is 2026-03-10: the marketing deal is 28 days old, the sales deal 129
    assert counts == {("marketing", "0–30 days"): 1, ("sales", "91–180 days"): 1, ("unknown", "0–30 days"): 1}


def test_marketing_share_of_pipeline_and_bookings(deals: pd.DataFrame) -> None:
    share = marketing_share(deals)
    assert share["pipeline_count_share"] == pytest.approx(5 / 10)
    assert share["pipeline_value_share"] == pytest.approx(1100 / 2630)
    assert share["bookings_share"] == pytest.approx(400 / 1450)
    assert share["unknown_share"] == pytest.approx(1 / 10)


def test_filter_deals_by_segment_and_inclusive_dates(deals: pd.DataFrame) -> None:
    chosen = filter_deals(deals, DealFilters(segments=("SMB",), start=date(2026, 1, 20), end=date(2026, 2, 10)))
    assert sorted(chosen["amount"].tolist()) == [0.0, 300.0, 500.0]
    assert len(filter_deals(deals, DealFilters(source_groups=("sales",)))) == 4
    assert len(deals) == 10  # the input is not changed


def test_empty_deals_give_empty_tables() -> None:
    empty = deals_frame([])
    assert win_rate(empty).empty and pipeline_created(empty).empty and cycle_time(empty).empty
    assert np.isnan(marketing_share(empty)["pipeline_count_share"])


def leads_frame(rows: list[dict]) -> pd.DataFrame:
    return conform(pd.DataFrame(rows), "leads")


@pytest.fixture
def leads() -> pd.DataFrame:
    hand_over = "2026-03-02 09:00"
    return leads_frame([
        {"source_group": "marketing", "created_date": "2026-03-01 08:00", "mql_date": hand_over,
         "accepted_date": "2026-03-02 10:00", "first_touch_date": "2026-03-02 11:00"},
        {"source_group": "marketing", "created_date": "2026-03-01 08:00", "mql_date": hand_over,
         "accepted_date": "2026-03-03 10:00", "first_touch_date": "2026-03-03 15:00"},
        {"source_group": "marketing", "created_date": "2026-03-01 08:00", "mql_date": hand_over,
         "rejected_date": "2026-03-02 12:00", "reject_reason": "Not our target customer"},
        {"source_group": "marketing", "created_date": "2026-03-01 08:00", "rejected_date": "2026-03-01 12:00",
         "reject_reason": "Duplicate", "first_touch_date": "2026-02-28 12:00"},
        {"source_group": "marketing", "created_date": "2026-03-20 08:00"},
        {"source_group": "sales", "created_date": "2026-03-10 08:00", "mql_date": "2026-03-10 08:00",
         "accepted_date": "2026-03-10 09:00", "first_touch_date": "2026-03-25 08:00"},
    ])


def test_acceptance_is_accepted_over_handed_over(leads: pd.DataFrame) -> None:
    table = by_group(lead_acceptance(leads))
    # four marketing leads were handed over (three with an MQL date, one rejected without one)
    assert (table.at["marketing", "handed_over"], table.at["marketing", "accepted"]) == (4, 2)
    assert table.at["marketing", "acceptance_rate"] == pytest.approx(0.5)
    assert table.at["sales", "acceptance_rate"] == pytest.approx(1.0)


def test_rejection_reasons_are_counted(leads: pd.DataFrame) -> None:
    table = rejection_reasons(leads)
    assert sorted(table["reason"].tolist()) == ["Duplicate", "Not our target customer"]


def test_response_time_median_and_share_within_sla(leads: pd.DataFrame) -> None:
    table = by_group(response_time(leads, sla_hours=24))
    marketing = table.loc["marketing"]
    # touched after 2 h and 30 h; one touch came before the hand-over; one lead was never touched
    assert marketing["median_hours"] == pytest.approx(16.0)
    assert (marketing["handed_over"], marketing["touched"], marketing["negative"]) == (4, 3, 1)
    assert marketing["within_sla"] == 1 and marketing["within_sla_share"] == pytest.approx(0.25)


def test_leakage_counts_leads_without_a_touch_within_n_days(leads: pd.DataFrame) -> None:
    table = by_group(lead_leakage(leads, days=7, as_of=pd.Timestamp("2026-03-30")))
    # marketing: the rejected lead with no touch leaked; the one touched before hand-over did not
    assert (table.at["marketing", "eligible"], table.at["marketing", "leaked"]) == (4, 1)
    assert table.at["sales", "leakage_rate"] == pytest.approx(1.0)  # first touch after 15 days
    recent = by_group(lead_leakage(leads, days=7, as_of=pd.Timestamp("2026-03-12")))
    assert "sales" not in recent.index  # handed over 2 days before: too early to call it leaked


def test_filter_leads_by_source_group_and_dates(leads: pd.DataFrame) -> None:
    chosen = filter_leads(leads, DealFilters(source_groups=("marketing",), end=date(2026, 3, 1)))
    assert len(chosen) == 4
    assert len(filter_leads(leads, DealFilters(segments=("SMB",)))) == 6  # leads have no segment: ignored

"""Evidence statements: perception next to the pipeline fact, and honest states when data is missing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from alignment.canonical import conform
from alignment.evidence import (
    NO_LEADS,
    NO_PIPELINE,
    NO_SOURCE,
    evidence_statements,
    perception_sentence,
    pipeline_facts,
)
from alignment.framework import parse_framework

FRAMEWORK = parse_framework("""
id: tiny
name: Tiny
scale: [{value: 1, label: a}, {value: 2, label: b}, {value: 3, label: c}, {value: 4, label: d}, {value: 5, label: e}]
groups:
  - {id: mkt, name: Marketing strategy, practice_of: marketing}
  - {id: sls, name: Sales strategy, practice_of: sales}
dimensions:
  - id: content
    group: mkt
    name: Promotion and content
    items: [{id: c.1, text: One.}, {id: c.2, text: Two.}]
    evidence: [win_rate, lead_acceptance]
  - id: follow_up
    group: sls
    name: Lead follow-up
    items: [{id: f.1, text: One.}, {id: f.2, text: Two.}]
    evidence: [cycle_time]
""")
PARSE_SHARE = parse_framework("""
id: share
name: Share
scale: [{value: 1, label: a}, {value: 2, label: b}, {value: 3, label: c}, {value: 4, label: d}, {value: 5, label: e}]
groups:
  - {id: mkt, name: Marketing strategy, practice_of: marketing}
dimensions:
  - id: content
    group: mkt
    name: Promotion and content
    items: [{id: c.1, text: One.}, {id: c.2, text: Two.}]
    evidence: [marketing_share]
""")
PERCEPTION = pd.DataFrame({"dimension_id": ["content", "follow_up"], "practice_of": ["marketing", "sales"],
                           "marketing": [71.0, 55.0], "sales": [38.0, np.nan]})


def deals(marketing: tuple[int, int], sales: tuple[int, int], source: bool = True) -> pd.DataFrame:
    """Won and lost deal counts per group, each won deal taking 30 (marketing) or 20 (sales) days."""
    rows = []
    for group, (won, lost), days in (("marketing", marketing, 30), ("sales", sales, 20)):
        for outcome, count in (("won", won), ("lost", lost)):
            rows += [{"source_group": group if source else None, "outcome": outcome, "amount": 100.0,
                      "created_date": pd.Timestamp("2026-01-01"),
                      "close_date": pd.Timestamp("2026-01-01") + pd.Timedelta(days=days)}] * count
    return conform(pd.DataFrame(rows), "deals")


def statement(table: pd.DataFrame, metric_id: str) -> pd.Series:
    return table[table["metric_id"] == metric_id].iloc[0]


def test_win_rate_fact_compares_marketing_and_sales_with_counts() -> None:
    facts = pipeline_facts(deals(marketing=(96, 304), sales=(155, 345)), leads=None)
    row = statement(evidence_statements(FRAMEWORK, PERCEPTION, facts), "win_rate")
    assert row["perception"] == "Sales rates marketing here 38/100; marketing rates itself 71/100."
    assert row["fact"].startswith("Marketing-sourced deals win 24% (96 of 400) against 31% for sales-sourced "
                                  "(155 of 500).")
    assert row["state"] == "ok"


def test_win_rate_difference_says_whether_it_is_more_than_chance() -> None:
    clear = pipeline_facts(deals(marketing=(204, 644), sales=(183, 425)), leads=None)
    fact = statement(evidence_statements(FRAMEWORK, PERCEPTION, clear), "win_rate")["fact"]
    # 204/848 = 24.1% against 183/608 = 30.1%: marketing-sourced is 6 points lower, and the interval
    # (about -11 to -1) lies below zero, so the sentence states the direction and the interval with it
    assert "6 points lower (95% interval -11 to -1 points): more than chance" in fact
    unclear = pipeline_facts(deals(marketing=(10, 20), sales=(12, 18)), leads=None)
    assert "may be chance" in statement(evidence_statements(FRAMEWORK, PERCEPTION, unclear), "win_rate")["fact"]


def test_marketing_share_without_won_deals_says_so_instead_of_a_percentage() -> None:
    open_only = deals(marketing=(0, 3), sales=(0, 2))
    fact = statement(evidence_statements(PARSE_SHARE, PERCEPTION, pipeline_facts(open_only, leads=None)),
                     "marketing_share")["fact"]
    # 3 of the 5 deals are marketing-sourced (60%), and none is won
    assert fact.startswith("Marketing sourced 60% of the pipeline created (3 of 5 deals, 60% by value).")
    assert "No deal is won yet" in fact and "nan" not in fact and "none" not in fact


def test_withheld_team_score_is_said_in_words() -> None:
    row = PERCEPTION.set_index("dimension_id").loc["follow_up"]
    assert perception_sentence(row) == ("Marketing rates sales here 55/100; sales' own rating is withheld "
                                        "(too few answers).")


def test_cycle_fact_gives_medians_in_days() -> None:
    facts = pipeline_facts(deals(marketing=(12, 0), sales=(12, 0)), leads=None)
    fact = statement(evidence_statements(FRAMEWORK, PERCEPTION, facts), "cycle_time")["fact"]
    assert "median 30 days" in fact and "against 20 days" in fact


def test_small_groups_are_not_compared() -> None:
    facts = pipeline_facts(deals(marketing=(2, 1), sales=(40, 40)), leads=None)
    fact = statement(evidence_statements(FRAMEWORK, PERCEPTION, facts), "win_rate")["fact"]
    assert "Too few marketing-sourced records" in fact and "3" in fact


def test_no_pipeline_and_no_leads_say_what_to_do() -> None:
    table = evidence_statements(FRAMEWORK, PERCEPTION, None)
    assert statement(table, "win_rate")["fact"] == NO_PIPELINE
    assert statement(table, "lead_acceptance")["fact"] == NO_LEADS
    assert set(table["state"]) == {"no_pipeline", "no_leads"}


def test_deals_without_a_lead_source_cannot_be_split() -> None:
    facts = pipeline_facts(deals(marketing=(20, 20), sales=(20, 20), source=False), leads=None)
    row = statement(evidence_statements(FRAMEWORK, PERCEPTION, facts), "win_rate")
    assert (row["fact"], row["state"]) == (NO_SOURCE, "no_source")


def test_lead_acceptance_fact_names_the_top_rejection_reason() -> None:
    leads = conform(pd.DataFrame(
        [{"source_group": "marketing", "created_date": "2026-02-01", "mql_date": "2026-02-01",
          "accepted_date": "2026-02-02"}] * 3
        + [{"source_group": "marketing", "created_date": "2026-02-01", "mql_date": "2026-02-01",
            "rejected_date": "2026-02-02", "reject_reason": "No budget"}]), "leads")
    facts = pipeline_facts(deals(marketing=(20, 20), sales=(20, 20)), leads=leads)
    fact = statement(evidence_statements(FRAMEWORK, PERCEPTION, facts), "lead_acceptance")["fact"]
    assert fact.startswith("Sales accepts 75% of marketing-sourced leads (3 of 4 handed over).")
    assert "No budget" in fact


@pytest.mark.parametrize("dimension", ["content", "follow_up"])
def test_every_linked_metric_gets_a_statement(dimension: str) -> None:
    table = evidence_statements(FRAMEWORK, PERCEPTION, None)
    expected = list(FRAMEWORK.dimension(dimension).evidence)
    assert table[table["dimension_id"] == dimension]["metric_id"].tolist() == expected
    assert table["definition"].str.len().min() > 10

"""The report as named tables with headers in the reader's words: the sheets of the workbook and
the files of the CSV zip are the same tables, so the two formats always agree.

Every figure comes straight from the ``WorkshopReport`` (no recomputation); withheld rows keep their
labels and say why in the "Shown" column, with the figure and its counts left empty.
"""

from __future__ import annotations

from typing import Final

import pandas as pd

from alignment.export.promises import action_history_sheet
from alignment.export.report import WorkshopReport, withhold_counts
from alignment.metrics import METRIC_DEFINITIONS
from alignment.scoring import too_few

PRACTICE_LABELS: Final = {"marketing": "Marketing", "sales": "Sales", "both": "Both teams"}
SOURCE_LABELS: Final = {"marketing": "Marketing", "sales": "Sales", "partner": "Partner", "other": "Other",
                        "unknown": "Unknown"}


def _shown(table: pd.DataFrame) -> pd.Series:
    return pd.Series(
        ["withheld: " + str(r) if s else "yes" for s, r in zip(table["suppressed"], table["reason"], strict=True)],
        index=table.index, dtype="string",
    )


def _team_names(report: WorkshopReport, teams: pd.Series) -> pd.Series:
    return teams.map(lambda t: report.team_name(str(t))).astype("string")


def participation(report: WorkshopReport) -> pd.DataFrame:
    table = report.participation
    return pd.DataFrame({
        "Team": table["team_name"],
        "Respondents": table["respondents"],
        "Shown": ["yes" if e else f"fewer than {report.k} respondents — {too_few(report.k)}" if pd.isna(r) else
                  "no answers yet" for e, r in zip(table["enough"], table["respondents"], strict=True)],
    })


def dimensions(report: WorkshopReport) -> pd.DataFrame:
    scores = withhold_counts(report.dimensions)
    spread = report.agreement.set_index(["team", "dimension_id"])
    keys = list(zip(scores["team"], scores["dimension_id"], strict=True))
    return pd.DataFrame({
        "Round": report.round_no,
        "Group": scores["group_id"].map({g.id: g.name for g in report.framework.groups}),
        "Dimension": scores["dimension_name"],
        "Practice of": scores["practice_of"].map(PRACTICE_LABELS),
        "Team": _team_names(report, scores["team"]),
        "Score (0–100)": scores["score"],
        "Respondents": scores["n"],
        "Don't know answers": scores["n_dont_know"],
        "Spread (sd, 1–5)": [spread["sd"].get(key) for key in keys],
        "Agreement (r_wg)": [spread["r_wg"].get(key) for key in keys],
        "Split views": [bool(spread["split"].get(key, False)) for key in keys],
        "Shown": _shown(scores),
    })


def _gap_table(report: WorkshopReport, gaps: pd.DataFrame, label_column: str, label: str) -> pd.DataFrame:
    table = withhold_counts(gaps)
    return pd.DataFrame({
        "Round": report.round_no,
        label: table[label_column],
        "Marketing score": table["marketing"],
        "Sales score": table["sales"],
        "Gap (marketing − sales)": table["gap"],
        "Interval low (95%)": table["low"],
        "Interval high (95%)": table["high"],
        "Marketing respondents": table["n_marketing"],
        "Sales respondents": table["n_sales"],
        "Shown": _shown(table),
    })


def dimension_gaps(report: WorkshopReport) -> pd.DataFrame:
    return _gap_table(report, report.gaps.dimensions, "dimension_name", "Dimension")


def item_gaps(report: WorkshopReport) -> pd.DataFrame:
    table = _gap_table(report, report.gaps.items, "item_text", "Item")
    table.insert(1, "Dimension", report.gaps.items["dimension_name"].to_numpy())
    return table


def items(report: WorkshopReport, frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """Item scores per team; ``frame`` defaults to the report's round (``round_items`` for all rounds)."""
    source = report.items.assign(round_no=report.round_no) if frame is None else frame
    table = withhold_counts(source)
    text = {item.id: item.text for item in report.framework.items}
    dims = {d.id: d.name for d in report.framework.dimensions}
    return pd.DataFrame({
        "Round": table["round_no"].astype("int64"),
        "Dimension": table["dimension_id"].map(dims),
        "Item": table["item_id"].map(text),
        "Team": _team_names(report, table["team"]),
        "Score (0–100)": table["score"],
        "Mean (1–5)": table["mean"],
        "Spread (sd, 1–5)": table["sd"],
        "Respondents": table["n"],
        "Don't know answers": table["n_dont_know"],
        "Shown": _shown(table),
    })


def rounds(report: WorkshopReport) -> pd.DataFrame:
    table = report.rounds
    return pd.DataFrame({
        "Round": table["round_no"],
        "Dimension": table["dimension_name"],
        "Team": _team_names(report, table["team"]),
        "Score (0–100)": table["score"],
        "Previous round": table["previous_score"],
        "Change": table["change"],
    })


def priorities(report: WorkshopReport) -> pd.DataFrame:
    shares = withhold_counts(report.importance)
    dims = {d.id: d.name for d in report.framework.dimensions}
    quadrant = report.priorities.set_index(["team", "dimension_id"])["quadrant"]
    return pd.DataFrame({
        "Round": report.round_no,
        "Team": _team_names(report, shares["team"]),
        "Dimension": shares["dimension_id"].map(dims),
        "Picked as critical (share)": shares["share"],
        "People who picked it": shares["picks"],
        "People who made picks": shares["respondents"],
        "Priority": [quadrant.get((t, d), "") for t, d in zip(shares["team"], shares["dimension_id"], strict=True)],
        "Shown": _shown(shares),
    })


def pipeline(report: WorkshopReport) -> pd.DataFrame:
    """One row per source group with the headline metric of each kind (blank where not available)."""
    evidence = report.pipeline
    picks = {
        "win_rate": {"closed": "Closed deals", "won": "Won deals", "win_rate": "Win rate (count)",
                     "low": "Win rate low (95%)", "high": "Win rate high (95%)", "win_rate_value": "Win rate (value)"},
        "deal_size": {"average": "Average won deal"},
        "cycle_time": {"median_days": "Median cycle (days)", "p90_days": "90th percentile cycle (days)"},
        "stage_conversion": {"created": "Deals created", "won_share": "Created → won"},
        "lead_acceptance": {"handed_over": "Leads handed over", "acceptance_rate": "Lead acceptance"},
        "response_time": {"median_hours": "Median response (hours)",
                          "within_sla_share": f"Touched within {report.workshop.sla_hours} h"},
        "lead_leakage": {"leakage_rate": "Lead leakage (7 days)"},
    }
    out = pd.DataFrame({"source_group": list(SOURCE_LABELS)})
    for name, columns in picks.items():
        table = evidence.table(name)
        if table is not None:
            part = table.loc[:, ["source_group", *columns]].rename(columns=columns)
            out = out.merge(part, on="source_group", how="left")
    out = out[out.drop(columns="source_group").notna().any(axis=1)] if out.shape[1] > 1 else out.iloc[0:0]
    out.insert(0, "Source group", out.pop("source_group").map(SOURCE_LABELS))
    return out.reset_index(drop=True)


def loss_reasons(report: WorkshopReport) -> pd.DataFrame:
    table = report.pipeline.table("loss_reasons")
    if table is None:
        return pd.DataFrame(columns=["Source group", "Loss reason", "Lost deals", "Share of group's losses"])
    return pd.DataFrame({"Source group": table["source_group"].map(SOURCE_LABELS), "Loss reason": table["reason"],
                         "Lost deals": table["deals"], "Share of group's losses": table["share"]})


def actions(report: WorkshopReport) -> pd.DataFrame:
    table = report.actions
    return pd.DataFrame({
        "Action": table["text"],
        "Owner": table["owner"],
        "Due": table["due_date"],
        "Status": table["status"],
        "Dimension": table["dimension_name"],
        "Agreed in round": table["round_no"],
    })


def definitions(report: WorkshopReport) -> pd.DataFrame:
    k = report.k
    rows = [
        ("Respondents", "People in a team who submitted the questionnaire in the round."),
        ("Score (0–100)", "Mean of the 1–5 answers rescaled: (mean − 1) ÷ 4 × 100. 0 = everyone strongly "
         "disagrees, 50 = neither, 100 = everyone strongly agrees. \"Don't know\" is left out and counted."),
        ("Dimension score", "Mean of the dimension's item scores that are shown."),
        ("Self / other view", "For marketing's practice, marketing rates itself and sales rates marketing; the "
         "mirror for sales' practice. Shared dimensions are rated by both."),
        ("Gap (marketing − sales)", "Marketing's score minus sales' score. Positive: marketing sees the practice "
         "more favourably."),
        ("Interval (95%)", "Bootstrap interval of the gap: respondents resampled within each team 2,000 times. "
         "A gap from a few people has a wide interval."),
        ("Spread and agreement", "sd: standard deviation of answers on the 1–5 scale. r_wg = 1 − variance ÷ 2 "
         "(2 = variance of random answers). Views are split when r_wg < 0.5."),
        ("Alignment index", "Level × consistency ÷ 100 over dimensions where both teams are shown. Level: mean "
         "of (marketing + sales) ÷ 2. Consistency: 100 − mean absolute gap."),
        ("Band", "Kotler, Rackham & Krishnaswamy (HBR 2006) bands on the 0–100 index: below 25 Undefined, "
         "25–49 Defined, 50–74 Aligned, 75 and over Integrated."),
        ("Priority", "Important = picked as critical at least as often as the team's average dimension; low = "
         "score below the team's average. Fix first: important and low; Protect: important and high; Watch: "
         "less important and low; Keep: less important and high."),
        ("Anonymity threshold k", f"k = {k}. Any figure from fewer than {k} people is withheld, here as on "
         "screen; its counts are withheld too."),
    ]
    rows += [(m.label, m.definition) for m in METRIC_DEFINITIONS.values()]
    return pd.DataFrame(rows, columns=["Term", "Definition"])


def answers(report: WorkshopReport) -> pd.DataFrame:
    table = report.answers if report.answers is not None else pd.DataFrame(
        columns=["round_no", "team", "respondent", "dimension_id", "item_id", "item_text", "answer"])
    dims = {d.id: d.name for d in report.framework.dimensions}
    return pd.DataFrame({
        "Round": table["round_no"],
        "Team": _team_names(report, table["team"]),
        "Respondent (random number)": table["respondent"],
        "Dimension": table["dimension_id"].map(dims),
        "Item": table["item_text"],
        "Answer (1–5, empty = don't know)": table["answer"],
    })


def comments(report: WorkshopReport) -> pd.DataFrame:
    table = report.comments if report.comments is not None else pd.DataFrame(
        columns=["round_no", "team", "dimension_id", "text"])
    dims = {d.id: d.name for d in report.framework.dimensions}
    return pd.DataFrame({"Round": table["round_no"], "Team": _team_names(report, table["team"]),
                         "Dimension": table["dimension_id"].map(dims), "Comment": table["text"]})


def report_tables(report: WorkshopReport) -> dict[str, pd.DataFrame]:
    """Sheet name → table, in reading order. Answers and comments only in a facilitator report."""
    tables = {
        "Participation": participation(report),
        "Dimensions": dimensions(report),
        "Dimension gaps": dimension_gaps(report),
        "Items": items(report),
        "Item gaps": item_gaps(report),
        "Rounds": rounds(report),
        "Items by round": items(report, report.round_items),
        "Priorities": priorities(report),
        "Pipeline": pipeline(report),
        "Loss reasons": loss_reasons(report),
        "Actions": actions(report),
        "Action history": action_history_sheet(report),
        "Definitions": definitions(report),
    }
    if report.answers is not None:
        tables["Answers"] = answers(report)
        tables["Comments"] = comments(report)
    return tables

"""The report as named tables with headers in the reader's words: the sheets of the workbook and
the files of the CSV zip are the same tables, so the two formats always agree.

Every figure comes straight from the ``WorkshopReport`` (no recomputation); withheld rows keep their
labels and say why in the "Shown" column, with the figure and its counts left empty.
"""

from __future__ import annotations

from typing import Final

import pandas as pd

from alignment import numbers
from alignment.catalogue import Metric
from alignment.export.promises import action_history_sheet
from alignment.export.report import WorkshopReport, withhold_counts

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
        "Shown": ["yes" if e else f"fewer than {report.k} respondents — {report.withheld_reason}" if pd.isna(r) else
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
        "Score (0–100)": whole_numbers(scores["score"], "integer"),
        "Respondents": scores["n"],
        "Don't know answers": scores["n_dont_know"],
        "Spread (sd, 1–5)": whole_numbers(pd.Series([spread["sd"].get(key) for key in keys], dtype="float64"),
                                          "percent"),
        "Agreement (0–1)": whole_numbers(pd.Series([spread["r_wg"].get(key) for key in keys], dtype="float64"),
                                         "percent"),
        "Split views": [bool(spread["split"].get(key, False)) for key in keys],
        "Shown": _shown(scores),
    })


def _gap_table(report: WorkshopReport, gaps: pd.DataFrame, label_column: str, label: str) -> pd.DataFrame:
    table = withhold_counts(gaps)
    return pd.DataFrame({
        "Round": report.round_no,
        label: table[label_column],
        "Marketing score": whole_numbers(table["marketing"], "integer"),
        "Sales score": whole_numbers(table["sales"], "integer"),
        "Gap (marketing − sales)": whole_numbers(table["gap"], "integer"),
        "Interval low (95%)": whole_numbers(table["low"], "integer"),
        "Interval high (95%)": whole_numbers(table["high"], "integer"),
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
        "Score (0–100)": whole_numbers(table["score"], "integer"),
        "Mean (1–5)": whole_numbers(table["mean"], "percent"),
        "Spread (sd, 1–5)": whole_numbers(table["sd"], "percent"),
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
        "Score (0–100)": whole_numbers(table["score"], "integer"),
        "Previous round": whole_numbers(table["previous_score"], "integer"),
        "Change": whole_numbers(table["change"], "integer"),
    })


def priorities(report: WorkshopReport) -> pd.DataFrame:
    shares = withhold_counts(report.importance)
    dims = {d.id: d.name for d in report.framework.dimensions}
    quadrant = report.priorities.set_index(["team", "dimension_id"])["quadrant"]
    return pd.DataFrame({
        "Round": report.round_no,
        "Team": _team_names(report, shares["team"]),
        "Dimension": shares["dimension_id"].map(dims),
        "Picked as critical (share)": whole_numbers(shares["share"], "percent"),
        "People who picked it": shares["picks"],
        "People who made picks": shares["respondents"],
        "Priority": [quadrant.get((t, d), "") for t, d in zip(shares["team"], shares["dimension_id"], strict=True)],
        "Shown": _shown(shares),
    })


def metric_header(metric: Metric, currency: str | None) -> str:
    """A metric's column header with its unit: ``Win rate (%)``, ``Average deal size (EUR)``."""
    unit = {"percent": "%", "days": "days", "hours": "hours", "amount": currency or "amount"}.get(metric.format)
    return f"{metric.label} ({unit})" if unit else metric.label


def whole_numbers(values: pd.Series, fmt: str) -> pd.Series:
    """Figures rounded as the screen shows them: shares to the whole percent, the rest to the unit."""
    places = 2 if fmt == "percent" else 0
    return values.astype("Float64").map(lambda v: numbers.rounded(float(v), places) if numbers.known(v) else pd.NA)


def pipeline(report: WorkshopReport) -> pd.DataFrame:
    """One row per source group, one column per catalogue metric kept per source group (with the count
    it rests on); blank where the metric cannot be worked out."""
    evidence, currency = report.pipeline, report.pipeline.currency
    out = pd.DataFrame({"source_group": list(SOURCE_LABELS)})
    for metric in report.catalogue.metrics:
        table = evidence.table(metric.table)
        if table is None or metric.value not in table.columns or not table["source_group"].is_unique:
            continue
        header = metric_header(metric, currency)
        part = pd.DataFrame({"source_group": table["source_group"].astype(str),
                             header: whole_numbers(table[metric.value], metric.format)})
        if metric.count and metric.count in table.columns:
            part[f"{metric.label}: records"] = table[metric.count].astype("Int64").to_numpy()
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
    """Every term and metric of the catalogue, as every other output words them."""
    rows = [("Respondents", "People in a team who submitted the questionnaire in the round."),
            *report.catalogue.definitions(report.k)]
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


CHART_COLUMNS: Final = {
    "team": "Team", "dimension_name": "Dimension", "item_text": "Item", "item_no": "Item number",
    "source_group": "Source group", "marketing": "Marketing score", "sales": "Sales score",
    "gap": "Gap (marketing − sales)", "low": "Interval low (95%)", "high": "Interval high (95%)",
    "n_marketing": "Marketing respondents", "n_sales": "Sales respondents", "self_score": "Self-rating",
    "other_score": "Other team's rating", "self_minus_other": "Self minus other", "overall": "Overall",
    "score": "Score (0–100)", "previous_score": "Previous round", "change": "Change", "importance": "Picked by (share)",
    "quadrant": "Priority", "label": "Answer", "count": "People", "share": "Share", "month": "Month",
    "deals": "Deals", "value": "Amount", "won": "Won", "lost": "Lost", "closed": "Closed",
    "win_rate": "Win rate", "win_rate_value": "Win rate by value", "won_value": "Won amount",
    "lost_value": "Lost amount", "average": "Average won deal", "median_days": "Median days",
    "p90_days": "90th percentile days", "used": "Won deals used", "negative": "Closed before created",
    "missing_dates": "Without dates", "created": "Created", "closed_share": "Closed share",
    "won_share": "Won share", "stage": "Stage", "bucket": "Age", "reason": "Reason",
    "handed_over": "Handed over", "accepted": "Accepted", "rejected": "Rejected",
    "acceptance_rate": "Acceptance rate", "touched": "Touched", "median_hours": "Median hours",
    "within_sla": "Within the SLA", "within_sla_share": "Share within the SLA", "eligible": "Eligible",
    "leaked": "Leaked", "leakage_rate": "Leakage rate", "round_no": "Round",
}
HIDDEN_CHART_COLUMNS: Final = ("dimension_id", "item_id", "group_id", "group_name", "practice_of", "self_team",
                               "other_team", "suppressed", "reason", "value", "rated", "position")
WHOLE_CHART_COLUMNS: Final = ("marketing", "sales", "gap", "low", "high", "self_score", "other_score",
                              "self_minus_other", "overall", "score", "previous_score", "change", "median_days",
                              "p90_days", "median_hours", "average", "won_value", "lost_value")


def chart_table(table: pd.DataFrame, report: WorkshopReport) -> pd.DataFrame:
    """The figures a chart shows, as its CSV download gives them: labelled columns, team and source
    names instead of ids, numbers rounded as the screen shows them (scores whole, shares to 0.01)."""
    out = pd.DataFrame(index=table.index)
    answers = "label" in table.columns
    for column in table.columns:
        if column in HIDDEN_CHART_COLUMNS and not (column == "value" and not answers):
            continue
        values = table[column]
        if column == "team":
            values = _team_names(report, values)
        elif column == "source_group":
            values = values.map(lambda g: SOURCE_LABELS.get(str(g), str(g)))
        elif column in WHOLE_CHART_COLUMNS:
            values = whole_numbers(values, "integer")
        elif pd.api.types.is_float_dtype(values):
            values = whole_numbers(values, "percent")
        out[CHART_COLUMNS.get(column, column.replace("_", " ").capitalize())] = values
    return out.reset_index(drop=True)

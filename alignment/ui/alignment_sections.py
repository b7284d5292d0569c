"""The sections of the Alignment page, each drawn from the one results object (``alignment.results``).

No section computes a figure: each reads ``Results`` and says a reasoned absence in words where a
figure cannot be shown.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from alignment import charts, numbers, pipeline_charts
from alignment.results import Results
from alignment.ui.dashboard import show_chart
from alignment.ui.session import plain


def definitions(results: Results) -> None:
    """How every number is calculated, in words (the catalogue's terms and metrics)."""
    with st.expander("How these numbers are calculated"):
        for term, meaning in results.catalogue.definitions(results.k):
            st.markdown(f"**{plain(term)}.** {plain(meaning)}")


def _term(results: Results, term_id: str) -> str:
    return results.catalogue.term(term_id).definition.format(k=results.k)


def headline(results: Results) -> None:
    """The index in words with its parts one click away, the respondents shown, the largest gap, don't knows."""
    index, biggest = results.index, results.largest_gap()
    cols = st.columns(4)
    with cols[0]:
        value = "—" if index.index is None else numbers.whole(index.index)
        st.metric("Alignment index", value, delta=results.index_change(), help=_term(results, "alignment_index"))
        st.caption(plain(results.headline()))
        if index.index is not None:
            with st.popover("How it is worked out", icon=":material/calculate:"):
                st.markdown(plain(results.index_parts()))
                st.markdown(plain(_term(results, "alignment_index")))
                st.markdown(plain(_term(results, "index_bands")))
    with cols[1]:
        if biggest is None:
            st.metric("Largest perception gap", "—", help=_term(results, "perception_gap"))
            st.caption(plain(results.absences.get("gaps", "No gap can be shown yet.")))
        else:
            st.metric("Largest perception gap", f"{numbers.signed(biggest['gap'])} points",
                      help=_term(results, "perception_gap"))
            st.caption(plain(results.gap_sentence(biggest)))
    with cols[2]:
        shown = results.respondents[results.respondents["enough"]]
        st.metric("Respondents", f"{results.respondents_shown}", help=_term(results, "anonymity"))
        teams = " · ".join(f"{results.team_name(r.team)} {r.respondents}" for r in shown.itertuples())
        withheld = results.withheld_teams
        note = f" Not shown in this view, to keep answers anonymous: {', '.join(withheld)}." if withheld else ""
        st.caption(plain(teams + "." + note if teams else note.strip()))
    with cols[3]:
        overall = results.dont_know_overall()
        shares = results.dont_know_by_team.dropna(subset=["share"])
        st.metric('"Don\'t know" answers', "—" if overall is None else numbers.percent(overall),
                  help=_term(results, "dont_know"))
        st.caption(plain(" · ".join(f"{results.team_name(r.team)} {numbers.percent(r.share)}"
                                    for r in shares.itertuples())))
    if results.over_expected:  # under the respondents: names and expected numbers only
        st.warning(plain(results.over_expected_note()), icon=":material/group_off:")


def perception(results: Results, scale: float) -> str | None:
    """Dumbbell (click a dimension to drill down), self-versus-other and agreement; returns the clicked dimension."""
    st.subheader("Where the teams see things differently")
    st.caption(
        "Each line joins marketing's and sales' score for a dimension, largest gap first. At the right: the gap "
        "and its 95% interval, in grey when the interval includes zero (the gap may be chance). Click a "
        "dimension to explore it below."
    )
    gaps = results.gaps.dimensions
    clicked = None
    if "gaps" in results.absences:
        st.info(plain(results.absences["gaps"]), icon=":material/group:")
    if gaps[["marketing", "sales"]].notna().any().any():
        event = show_chart(charts.gap_dumbbell_chart(gaps, font_scale=scale), gaps, "perception_gaps",
                           on_select="rerun", labels=results)
        picked = (event.selection.get("dimension") or []) if event is not None else []
        clicked = picked[0].get("dimension_id") if picked else None
    st.subheader("Self-rating and the other team's view")
    st.caption(
        "For marketing's and sales' own practices: how the team rates itself against how the other team rates it."
    )
    mirrored = results.self_other[results.self_other["self_team"].notna()]
    if mirrored[["self_score", "other_score"]].notna().any().any():
        show_chart(charts.self_other_chart(mirrored, font_scale=scale), mirrored, "self_and_other", labels=results)
    else:
        st.info(f"Not enough answers to show: each team needs at least {results.k} people.", icon=":material/group:")
    agreement_table(results)
    change_table(results, scale)
    return clicked


def change_table(results: Results, scale: float = 1.0) -> None:
    """Each team's dimension scores now against the previous round (withheld scores give no change)."""
    round_no = results.round_no
    if round_no < 2:
        return
    now = results.rounds[(results.rounds["round_no"] == round_no) & results.rounds["change"].notna()]
    st.subheader(f"Change since round {round_no - 1}")
    if now.empty:
        st.caption("No dimension has enough answers in both rounds to compare.")
        return
    wide = now.pivot_table(index="dimension_name", columns="team", values="change", aggfunc="first", sort=False)
    wide = wide[charts.ordered_teams(pd.Series(wide.columns))]
    wide = wide.reindex([name for name in pd.unique(results.dimensions["dimension_name"]) if name in wide.index])
    moved = now.drop(columns="round_no")
    st.caption(f"Each line starts at a team's score in round {round_no - 1} and ends at the dot, its score now.")
    show_chart(charts.round_change_chart(moved, font_scale=scale), moved, "change_since_last_round", labels=results)
    st.caption("Points gained or lost on the 0–100 score since the previous round.")
    shown = pd.DataFrame({"Dimension": wide.index})
    for team in wide.columns:
        shown[results.team_name(team)] = [numbers.signed(v) for v in wide[team]]
    st.dataframe(shown, hide_index=True, width="stretch")


def agreement_table(results: Results) -> None:
    split = results.agreement[results.agreement["split"]]
    st.subheader("Where a team is split")
    if split.empty:
        st.caption("No team is split on any dimension: each average is a fair summary of its team.")
        return
    st.caption("Answers in these teams are spread widely: the average hides people who disagree with each other.")
    table = pd.DataFrame({
        "Team": split["team"].map(results.team_name),
        "Dimension": split["dimension_name"],
        "Agreement (0–1)": split["r_wg"].round(2),
        "Spread (SD, 1–5)": split["sd"].round(2),
        "People": split["n"],
    })
    st.dataframe(table, hide_index=True, width="stretch")
    st.caption(plain(_term(results, "agreement")))


def drill_down(results: Results, dimension_id: str, scale: float) -> None:
    """One dimension in depth: answers per item and team, don't knows, comments, discussion prompts."""
    dimension = results.framework.dimension(dimension_id)
    st.markdown(f"**{plain(dimension.name)}** — {plain(dimension.description)}")
    distribution = results.distributions[dimension_id]
    shown = distribution[~distribution["suppressed"]]
    if shown.empty:
        st.info(f"Not enough answers to show: each team needs at least {results.k} people.", icon=":material/group:")
    else:
        show_chart(charts.answer_distribution_chart(distribution, font_scale=scale), shown, f"answers_{dimension_id}",
                   labels=results)
    for number, item in enumerate(dimension.items, start=1):
        st.caption(plain(f"Item {number}: {item.text}"))
    unknown = results.dont_know[results.dont_know["dimension_id"] == dimension_id].dropna(subset=["share"])
    if len(unknown):
        st.caption(plain("Don't know: " + " · ".join(
            f"{results.team_name(r.team)} {numbers.percent(r.share)}" for r in unknown.itertuples())))
    said = results.comments[results.comments["dimension_id"] == dimension_id]
    if len(said):
        st.markdown("**Comments**")
        st.dataframe(pd.DataFrame({"Team": [results.team_name(str(t)) for t in said["team"]],
                                   "Comment": said["text"].astype(str)}), hide_index=True, width="stretch")
    if dimension.prompts:
        st.markdown("**To discuss**")
        for prompt in dimension.prompts:
            st.markdown(f"- {plain(prompt)}")


def priorities(results: Results, scale: float) -> None:
    st.subheader("What to fix first")
    st.caption(plain(_term(results, "priority")))
    if results.priorities.empty:
        st.info(plain(results.absences.get("priorities", "No priorities yet.")), icon=":material/group:")
        return
    teams = charts.ordered_teams(results.priorities["team"])
    columns = st.columns(min(3, len(teams)) if scale <= 1 else 1)
    for position, team in enumerate(teams):
        rows = results.priorities[results.priorities["team"] == team]
        with columns[position % len(columns)]:
            st.markdown(f"**{plain(results.team_name(team))}**")
            show_chart(charts.priority_chart(rows, font_scale=scale), rows, f"priorities_{team}", labels=results)
    fix = results.priorities[results.priorities["quadrant"] == "Fix first"].sort_values("importance", ascending=False)
    for team, rows in fix.groupby("team", sort=False):
        st.markdown(plain(f"{results.team_name(team)} — fix first: " + "; ".join(
            f"{r.dimension_name} (picked by {numbers.percent(r.importance)}, score {numbers.whole(r.score)})"
            for r in rows.itertuples())))


def evidence(results: Results) -> None:
    st.subheader("What the pipeline says")
    st.caption(
        "For each dimension, what the teams say next to what the deals and leads show. Compare a team with "
        "its own earlier rounds rather than with outside benchmarks."
    )
    table = results.evidence
    for message in table.loc[table["state"] != "ok", "fact"].unique():
        st.info(plain(message), icon=":material/upload_file:")
    if (table["state"] != "ok").any():
        st.page_link("pages/pipeline.py", label="Go to Pipeline data", icon=":material/upload_file:")
    for _, rows in table.groupby("dimension_id", sort=False):
        with st.container(border=True):
            st.markdown(f"**{plain(rows['dimension_name'].iloc[0])}**")
            st.markdown(plain(rows["perception"].iloc[0]))
            known = rows[rows["state"] == "ok"]
            if known.empty:
                st.caption("No pipeline fact for this dimension yet (see above).")
            for row in known.itertuples():
                st.markdown(f"- *{plain(row.metric_label)}*: {plain(row.fact)}", help=row.definition)


def _drawable(table: pd.DataFrame | None, value: str | None) -> bool:
    """Whether a metric table has any figure to draw (an all-unknown table is said in words instead)."""
    if table is None or table.empty:
        return False
    return value not in table.columns or bool(table[value].notna().any())


def pipeline(results: Results, scale: float) -> None:
    """Every catalogue metric with a chart, by source group, with an honest state when there is no data."""
    facts = results.pipeline.facts
    for reason in ("pipeline",):
        if reason in results.absences:
            st.info(plain(results.absences[reason]), icon=":material/upload_file:")
            st.page_link("pages/pipeline.py", label="Go to Pipeline data", icon=":material/upload_file:")
            return
    if "marketing_share" in results.absences:
        st.warning(plain(results.absences["marketing_share"]), icon=":material/help:")
    st.caption(plain(f"{facts.deals:,} deals in view. " + results.share_sentence()))
    metrics = [m for m in results.catalogue.metrics if m.chart and (facts.lead_acceptance is not None or not m.leads)]
    columns = st.columns(2 if scale <= 1 else 1)
    for position, metric in enumerate(metrics):
        with columns[position % len(columns)]:
            st.markdown(f"**{plain(metric.label)}**", help=metric.definition)
            table = facts.table(metric.table)
            if not _drawable(table, metric.value):
                st.caption(f"Nothing to show for {metric.label.lower()} with these filters.")
            else:
                show_chart(pipeline_charts.draw(metric.chart, table, facts, scale), table, metric.id, labels=results)
    for metric in results.catalogue.metrics:
        table = facts.table(metric.table)
        if metric.chart or table is None or metric.value not in table.columns or not table["source_group"].is_unique:
            continue
        figures = " · ".join(f"{charts.source_label(str(r['source_group']))} "
                             f"{numbers.formatted(r[metric.value], metric.format, facts.currency)}"
                             for _, r in table.iterrows() if numbers.known(r[metric.value]))
        st.markdown(f"**{plain(metric.label)}**: {plain(figures or 'nothing to show with these filters')}",
                    help=metric.definition)
    if "leads" in results.absences:
        st.info(plain(results.absences["leads"]), icon=":material/person_search:")

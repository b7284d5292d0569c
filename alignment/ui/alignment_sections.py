"""The sections of the Alignment page, each drawn from the cached views in ``alignment.ui.dashboard``."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from alignment import charts, pipeline_charts, scoring
from alignment.evidence import NO_SOURCE, PipelineFacts, evidence_statements
from alignment.framework import Framework
from alignment.gaps import largest_gap
from alignment.metrics import METRIC_DEFINITIONS
from alignment.store.workshops import WorkshopInfo
from alignment.suppression import withheld_caption
from alignment.ui.dashboard import PerceptionView, show_chart
from alignment.ui.session import plain

INDEX_HELP = (
    "Level × consistency ÷ 100. Level: the mean of marketing's and sales' scores over the dimensions both teams "
    "have enough answers for. Consistency: 100 minus the mean gap between them. Bands after Kotler, Rackham & "
    "Krishnaswamy (HBR 2006): under 25 Undefined, 25–49 Defined, 50–74 Aligned, 75+ Integrated."
)
GAP_HELP = (
    "Marketing's score minus sales' score (0–100 scale). The range is a 95% bootstrap interval: "
    "resampling respondents within each team."
)
DONT_KNOW_HELP = (
    "Share of all answers that were \"don't know\". A team that does not know the other's work is a finding."
)
SPLIT_HELP = (
    "r_wg compares the spread of answers with random answering: 1 means everyone agrees, 0 means answers "
    "are as spread as chance. Below 0.5 the team is split, and its average hides the disagreement."
)


DEFINITIONS = (
    ("Item score", "The mean of a team's 1–5 answers, rescaled to 0–100: (mean − 1) ÷ 4 × 100. 50 is "
     "\"neither\". \"Don't know\" answers are left out and counted separately."),
    ("Dimension score", "The mean of the dimension's item scores that are shown."),
    ("Self and other", "For marketing's practices, marketing's score is the self-rating and sales' score the "
     "other team's view; the mirror for sales' practices. Shared dimensions are rated by everyone."),
    ("Perception gap", "Marketing's score minus sales' score. Its 95% interval comes from resampling the "
     "respondents of each team 2,000 times; an interval that crosses zero means the gap may be chance."),
    ("Agreement", "r_wg = 1 − (variance of the answers ÷ 2), where 2 is the variance of random answers on a "
     "5-point scale. Below 0.5 (a spread above 1 point) the team is split."),
    ("Alignment index", "Level × consistency ÷ 100. Level: mean of marketing's and sales' scores; consistency: "
     "100 minus the mean gap. Bands after Kotler, Rackham & Krishnaswamy (HBR 2006): their 20–100 scale is "
     "20 + 0.8 × this index, so their cut points 40, 60 and 80 become 25, 50 and 75 here."),
    ("Anonymity", "Any figure from fewer than k people is not shown, and a filter that would let someone work "
     "out a small group's answers by comparing two views is refused."),
)


def definitions() -> None:
    """How every perception number is calculated, in words."""
    with st.expander("How these numbers are calculated"):
        for term, meaning in DEFINITIONS:
            st.markdown(f"**{term}.** {plain(meaning)}")


def headline(view: PerceptionView, workshop: WorkshopInfo, k: int) -> None:
    """Index with its parts, respondents per team against k, the largest gap, don't-know shares."""
    index, biggest = view.index, largest_gap(view.gaps.dimensions)
    cols = st.columns(4)
    with cols[0]:
        if index.index is None:
            st.metric("Alignment index", "—", help=INDEX_HELP)
            st.caption(plain(f"Not shown: {index.reason}."))
        else:
            delta = None
            if view.previous_index is not None and view.previous_index.index is not None:
                delta = f"{index.index - view.previous_index.index:+.0f} on last round"
            st.metric("Alignment index", f"{index.index:.0f}", delta=delta, help=INDEX_HELP)
            st.caption(
                f"**{index.band}** · level {index.level:.0f} × consistency {index.consistency:.0f} ÷ 100, "
                f"over {index.dimensions_used} dimensions"
            )
    with cols[1]:
        if biggest is None:
            st.metric("Largest perception gap", "—", help=GAP_HELP)
            st.caption("Needs both marketing and sales with enough answers.")
        else:
            st.metric("Largest perception gap", f"{biggest['gap']:+.0f} points", help=GAP_HELP)
            st.caption(
                plain(f"{biggest['dimension_name']} (95% interval {biggest['low']:+.0f} to {biggest['high']:+.0f})")
            )
    with cols[2]:
        total = int(view.respondents["respondents"].sum())
        st.metric("Respondents", f"{total}", help=f"Figures from fewer than k = {k} people are not shown.")
        shown = " · ".join(f"{workshop.team_name(r.team)} {r.respondents}" for r in view.respondents.itertuples())
        st.caption(plain(" ".join(part for part in (shown, withheld_caption(view.release, k, workshop.team_name))
                                  if part)))
    with cols[3]:
        shares = view.dont_know_by_team.dropna(subset=["share"])
        overall = shares["dont_know"].sum() / shares["answers"].sum() if len(shares) else None
        st.metric('"Don\'t know" answers', "—" if overall is None else f"{overall:.0%}", help=DONT_KNOW_HELP)
        st.caption(plain(" · ".join(f"{workshop.team_name(r.team)} {r.share:.0%}" for r in shares.itertuples())))


def perception(view: PerceptionView, framework: Framework, workshop: WorkshopInfo, k: int, scale: float,
               round_no: int | None = None) -> str | None:
    """Dumbbell (click a dimension to drill down), self-versus-other and agreement; returns the clicked dimension."""
    st.subheader("Where the teams see things differently")
    st.caption(
        "Each line joins marketing's and sales' score for a dimension, largest gap first. At the right: the gap "
        "and its 95% interval, in grey when the interval crosses zero (the gap may be chance). Click a "
        "dimension to explore it below."
    )
    gaps = view.gaps.dimensions
    clicked = None
    counts = dict(zip(view.respondents["team"], view.respondents["respondents"], strict=True))
    short = [team for team in ("marketing", "sales") if counts.get(team, 0) < k]
    if short:
        st.info(
            plain(
                " ".join(f"{workshop.team_name(team)}: not enough answers to show — k is {k}." for team in short)
                + " No gap can be shown until both teams reach k."
            ),
            icon=":material/group:",
        )
    if gaps[["marketing", "sales"]].notna().any().any():
        event = show_chart(
            charts.gap_dumbbell_chart(gaps, font_scale=scale), gaps, "perception_gaps", on_select="rerun"
        )
        picked = (event.selection.get("dimension") or []) if event is not None else []
        clicked = picked[0].get("dimension_id") if picked else None
    else:
        st.info(
            f"Not enough answers to show — k is {k}. Marketing and sales each need at least {k} respondents "
            "in this view.",
            icon=":material/group:",
        )
    st.subheader("Self-rating and the other team's view")
    st.caption(
        "For marketing's and sales' own practices: how the team rates itself against how the other team rates it."
    )
    mirrored = view.self_other[view.self_other["self_team"].notna()]
    if mirrored[["self_score", "other_score"]].notna().any().any():
        show_chart(charts.self_other_chart(mirrored, font_scale=scale), mirrored, "self_and_other")
    else:
        st.info(f"Not enough answers to show — k is {k}.", icon=":material/group:")
    agreement_table(view, workshop)
    change_table(view, workshop, round_no, scale)
    return clicked


def change_table(view: PerceptionView, workshop: WorkshopInfo, round_no: int | None, scale: float = 1.0) -> None:
    """Each team's dimension scores now against the previous round (withheld scores give no change)."""
    if round_no is None or round_no < 2:
        return
    now = view.round_change[(view.round_change["round_no"] == round_no) & view.round_change["change"].notna()]
    st.subheader(f"Change since round {round_no - 1}")
    if now.empty:
        st.caption("No dimension has enough answers in both rounds to compare.")
        return
    wide = now.pivot_table(index="dimension_name", columns="team", values="change", aggfunc="first", sort=False)
    wide = wide[charts.ordered_teams(pd.Series(wide.columns))]
    wide = wide.reindex([name for name in pd.unique(view.dimensions["dimension_name"]) if name in wide.index])
    wide.columns = [workshop.team_name(team) for team in wide.columns]
    moved = now.drop(columns="round_no")
    st.caption(f"Each line starts at a team's score in round {round_no - 1} and ends at the dot, its score now.")
    show_chart(charts.round_change_chart(moved, font_scale=scale), moved, "change_since_last_round")
    st.caption("Points gained or lost on the 0–100 score since the previous round.")
    st.dataframe(wide.reset_index().rename(columns={"dimension_name": "Dimension"}), hide_index=True, width="stretch",
                 column_config={name: st.column_config.NumberColumn(name, format="%+.0f") for name in wide.columns})


def agreement_table(view: PerceptionView, workshop: WorkshopInfo) -> None:
    split = view.agreement[view.agreement["split"]]
    st.subheader("Where a team is split")
    if split.empty:
        st.caption("No team is split on any dimension: each average is a fair summary of its team.")
        return
    st.caption(plain(SPLIT_HELP))
    table = pd.DataFrame(
        {
            "Team": split["team"].map(workshop.team_name),
            "Dimension": split["dimension_name"],
            "Agreement (r_wg)": split["r_wg"].round(2),
            "Spread (SD, 1–5)": split["sd"].round(2),
            "People": split["n"],
        }
    )
    st.dataframe(table, hide_index=True, width="stretch")


def drill_down(
    view: PerceptionView,
    framework: Framework,
    workshop: WorkshopInfo,
    comments: pd.DataFrame,
    dimension_id: str,
    k: int,
    scale: float,
) -> None:
    """One dimension in depth: answers per item and team, don't knows, comments, discussion prompts."""
    dimension = framework.dimension(dimension_id)
    st.markdown(f"**{plain(dimension.name)}** — {plain(dimension.description)}")
    distribution = scoring.answer_distribution(view.answers, framework, k, dimension_id)
    shown = distribution[~distribution["suppressed"]]
    if shown.empty:
        st.info(f"Not enough answers to show — k is {k}.", icon=":material/group:")
    else:
        show_chart(charts.answer_distribution_chart(distribution, font_scale=scale), shown, f"answers_{dimension_id}")
    for number, item in enumerate(dimension.items, start=1):
        st.caption(plain(f"Item {number}: {item.text}"))
    unknown = view.dont_know_by_dimension[view.dont_know_by_dimension["dimension_id"] == dimension_id]
    unknown = unknown.dropna(subset=["share"])
    if len(unknown):
        st.caption(
            plain(
                "Don't know: " + " · ".join(f"{workshop.team_name(r.team)} {r.share:.0%}" for r in unknown.itertuples())
            )
        )
    said = comments[comments["dimension_id"] == dimension_id]
    large = set(view.respondents.loc[view.respondents["enough"], "team"])
    if len(said):
        st.markdown("**Comments**")
        st.dataframe(
            pd.DataFrame(
                {
                    "Team": [workshop.team_name(t) if t in large else "—" for t in said["team"]],
                    "Comment": said["text"].astype(str),
                }
            ),
            hide_index=True,
            width="stretch",
        )
    if dimension.prompts:
        st.markdown("**To discuss**")
        for prompt in dimension.prompts:
            st.markdown(f"- {plain(prompt)}")


def priorities(view: PerceptionView, workshop: WorkshopInfo, k: int, scale: float) -> None:
    st.subheader("What to fix first")
    st.caption(
        "How often each team picked a dimension as critical for hitting the number, against how the team "
        "scores it. Important and below the team's average score: fix first."
    )
    if view.priorities.empty:
        st.info(
            f"Not enough answers to show — each team needs at least {k} people who picked what matters most.",
            icon=":material/group:",
        )
        return
    teams = charts.ordered_teams(view.priorities["team"])
    columns = st.columns(min(3, len(teams)) if scale <= 1 else 1)
    for position, team in enumerate(teams):
        rows = view.priorities[view.priorities["team"] == team]
        with columns[position % len(columns)]:
            st.markdown(f"**{plain(workshop.team_name(team))}**")
            show_chart(charts.priority_chart(rows, font_scale=scale), rows, f"priorities_{team}")
    fix = view.priorities[view.priorities["quadrant"] == "Fix first"].sort_values("importance", ascending=False)
    for team, rows in fix.groupby("team", sort=False):
        st.markdown(
            plain(
                f"{workshop.team_name(team)} — fix first: "
                + "; ".join(
                    f"{r.dimension_name} (picked by {r.importance:.0%}, score {r.score:.0f})" for r in rows.itertuples()
                )
            )
        )


def evidence(view: PerceptionView, framework: Framework, facts: PipelineFacts | None) -> None:
    st.subheader("What the pipeline says")
    st.caption(
        "For each dimension, what the teams say next to what the deals and leads show. Compare a team with "
        "its own earlier rounds rather than with outside benchmarks."
    )
    table = evidence_statements(framework, view.gaps.dimensions, facts)
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


def pipeline(facts: PipelineFacts | None, scale: float) -> None:
    """Pipeline and lead views by source group, with an honest state when there is no data."""
    if facts is None:
        st.info(
            "No pipeline data yet. Upload a deals export (and, if you have one, a leads export) to see win rates, "
            "cycle times and lead follow-up by source.",
            icon=":material/upload_file:",
        )
        st.page_link("pages/pipeline.py", label="Go to Pipeline data", icon=":material/upload_file:")
        return
    if not facts.deals:
        st.info(
            "No deals match these filters. Widen the segment, region, product or date filters.",
            icon=":material/filter_alt_off:",
        )
        return
    if not facts.has_source:
        st.warning(plain(NO_SOURCE), icon=":material/help:")
    share = facts.marketing_share
    st.caption(
        plain(
            f"{facts.deals:,} deals in view. Marketing sourced {share['pipeline_count_share']:.0%} of them "
            f"and {share['bookings_share']:.0%} of bookings by value."
            if share["deals"] and pd.notna(share["bookings_share"])
            else f"{facts.deals:,} deals in view."
        )
    )
    views = [
        (
            "pipeline_created",
            "Pipeline created per month",
            facts.pipeline_created,
            lambda t: pipeline_charts.pipeline_created_chart(t, font_scale=scale),
        ),
        ("win_rate", "Win rate", facts.win_rate, lambda t: pipeline_charts.win_rate_chart(t, font_scale=scale)),
        ("cycle_time", "Sales cycle", facts.cycle_time, lambda t: pipeline_charts.cycle_chart(t, font_scale=scale)),
        (
            "stage_conversion",
            "From created to won",
            facts.stage_conversion,
            lambda t: pipeline_charts.stage_funnel_chart(t, font_scale=scale),
        ),
        ("stage_mix", "Open deals by stage", facts.stage_mix,
         lambda t: pipeline_charts.stage_mix_chart(t, font_scale=scale)),
        ("open_aging", "Open-deal aging", facts.open_aging, lambda t: pipeline_charts.aging_chart(t, font_scale=scale)),
        (
            "loss_reasons",
            "Loss reasons",
            facts.loss_reasons,
            lambda t: pipeline_charts.reasons_chart(t, font_scale=scale),
        ),
    ]
    if facts.lead_acceptance is not None:
        views += [
            (
                "lead_acceptance",
                "Lead acceptance",
                facts.lead_acceptance,
                lambda t: pipeline_charts.lead_acceptance_chart(t, font_scale=scale),
            ),
            (
                "response_time",
                "Response time",
                facts.response_time,
                lambda t: pipeline_charts.response_time_chart(t, facts.sla_hours, font_scale=scale),
            ),
            (
                "lead_leakage",
                "Lead leakage",
                facts.lead_leakage,
                lambda t: pipeline_charts.leakage_chart(t, facts.leakage_days, font_scale=scale),
            ),
            (
                "rejection_reasons",
                "Why leads are rejected",
                facts.rejection_reasons,
                lambda t: pipeline_charts.reasons_chart(t, "rejected leads", font_scale=scale),
            ),
        ]
    columns = st.columns(2 if scale <= 1 else 1)
    for position, (metric_id, title, table, build) in enumerate(views):
        with columns[position % len(columns)]:
            definition = METRIC_DEFINITIONS.get(metric_id)
            st.markdown(f"**{title}**", help=definition.definition if definition else None)
            if table is None or table.empty:
                st.caption("Nothing to show for this view with these filters.")
            else:
                show_chart(build(table), table, metric_id)
    if facts.lead_acceptance is None:
        st.info(
            "No leads file: add a leads export on the Pipeline data page to see acceptance, response time and leakage.",
            icon=":material/person_search:",
        )

"""The Alignment page in-process (AppTest): headline, filters, drill-down, small groups, empty states."""

from __future__ import annotations

import json

import pytest
from conftest import ROOT
from streamlit.testing.v1 import AppTest

from alignment.framework import load_framework
from alignment.store import create_workshop, list_workshops, open_database, update_workshop
from alignment.store.responses import join, save_importance, save_step, submit

FRAMEWORK = load_framework()


def open_page(query: dict[str, str] | None = None) -> AppTest:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    for key, value in (query or {}).items():
        app.query_params[key] = value
    app.run()
    app.switch_page("pages/alignment.py").run()
    assert not app.exception, app.exception
    return app


def metric(app: AppTest, label: str) -> str:
    return next(m.value for m in app.metric if m.label == label)


def texts(app: AppTest) -> str:
    parts = [e.value for e in (*app.info, *app.warning, *app.markdown, *app.caption)]
    return "\n".join(str(p) for p in parts).replace("\\", "")  # Markdown escapes do not show on screen


def answer(engine, workshop, team: str, value: int | None, level: str | None = None,  # type: ignore[no-untyped-def]
           picks: tuple[str, ...] = ()) -> None:
    """One participant of ``team`` answers every item with ``value`` and submits."""
    person = join(engine, workshop, team, level)
    for dimension in FRAMEWORK.dimensions:
        save_step(engine, FRAMEWORK, workshop.id, person.token, round_no=1, dimension_id=dimension.id,
                  answers={item.id: value for item in dimension.items})
    save_importance(engine, FRAMEWORK, workshop.id, person.token, round_no=1,
                    dimension_ids=picks or (FRAMEWORK.dimensions[0].id,))
    submit(engine, FRAMEWORK, workshop.id, person.token, round_no=1, submission_id=person.token[:20] + "-submit")


def revealed_workshop(name: str, marketing: list[int], sales: list[int]):  # type: ignore[no-untyped-def]
    """After the first start (demo seeded): a workshop whose results are revealed, one participant per
    rating in ``marketing`` and ``sales``. Returns the engine and the workshop."""
    engine = open_database()
    open_page()
    workshop = create_workshop(engine, name)
    for team, ratings in (("marketing", marketing), ("sales", sales)):
        for value in ratings:
            answer(engine, workshop, team, value)
    update_workshop(engine, workshop.id, results_revealed=True)  # revealing closes the round to answers
    return engine, workshop


def test_demo_shows_the_index_with_its_parts_and_the_largest_gap(app_env) -> None:
    app = open_page()
    assert metric(app, "Alignment index").isdigit()
    shown = texts(app)
    headline = next(c.value for c in app.caption if str(c.value).startswith("Alignment index")).replace("\\", "")
    assert any(f", {band}: " in headline for band in ("Undefined", "Defined", "Aligned", "Integrated"))
    assert "÷" not in headline and "k is 3" not in shown and "r_wg" not in headline
    assert "Level " in shown and "closeness" in shown  # the parts, one click away
    assert metric(app, "Largest perception gap").endswith("points")
    assert not app.error


def test_second_round_shows_the_change_since_the_first(app_env) -> None:
    app = open_page()
    assert "Change since round 1" in [header.value for header in app.subheader]
    change = next(frame.value for frame in app.dataframe if "Dimension" in frame.value.columns
                  and "Marketing" in frame.value.columns and "Agreement (r_wg)" not in frame.value.columns)
    assert len(change) == len(FRAMEWORK.dimensions)
    described = [json.loads(chart.proto.spec).get("description", "") for chart in app.get("vega_lite_chart")]
    moved = [d for d in described if d.startswith("Chart of how")]
    assert len(moved) == 1 and f"across {len(FRAMEWORK.dimensions)} dimensions" in moved[0]
    app.sidebar.selectbox(key="filter_round").set_value(1).run()
    assert "Change since round 1" not in [header.value for header in app.subheader]


def test_round_and_team_filters_change_the_numbers_shown(app_env) -> None:
    app = open_page()
    everyone, index = metric(app, "Respondents"), metric(app, "Alignment index")
    app.sidebar.multiselect(key="filter_teams").set_value(["marketing", "sales"]).run()
    assert int(metric(app, "Respondents")) < int(everyone)
    app.sidebar.multiselect(key="filter_teams").set_value([]).run()
    app.sidebar.selectbox(key="filter_round").set_value(1).run()
    assert metric(app, "Alignment index") != index or metric(app, "Respondents") != everyone


def test_level_filter_that_would_isolate_people_withholds_the_teams_with_a_reason(app_env) -> None:
    app = open_page()
    app.sidebar.multiselect(key="filter_levels").set_value(["ic"]).run()
    # in the demo a few managers answer "don't know", so ICs alone would differ from ICs + managers by 1–2
    # ratings on some statements: marketing and sales are withheld, and leadership has no ICs
    assert any("fewer than 3 people, so Leadership, Marketing, Sales are not shown" in w.value for w in app.warning)
    assert "Alignment index" not in [m.label for m in app.metric]
    shown = texts(app)  # the filter, not the room, is why nothing shows: no "yet"
    assert "Nothing can be shown for this choice of levels." in shown
    assert "no team can be shown yet" not in shown


def test_drill_down_shows_the_chosen_dimension_its_items_and_prompts(app_env) -> None:
    app = open_page()
    opened = FRAMEWORK.dimension(app.selectbox(key="drill_dimension").value)
    gap_caption = next(c.value.replace("\\", "") for c in app.caption if "95% interval" in c.value)
    assert gap_caption.startswith(opened.name)  # the drill-down opens on the largest gap
    dimension = FRAMEWORK.dimension("sla_handoff")
    app.selectbox(key="drill_dimension").set_value("sla_handoff").run()
    shown = texts(app)
    assert dimension.name in shown and dimension.description in shown
    assert f"Item 1: {dimension.items[0].text}" in shown
    assert "To discuss" in shown and dimension.prompts[0] in shown


def test_a_team_below_k_is_withheld_and_says_so(app_env) -> None:
    engine, workshop = revealed_workshop("Small pilot", marketing=[5, 5], sales=[2, 2, 2])
    app = open_page({"w": workshop.code})
    shown = texts(app)
    assert "No gap can be shown until marketing and sales each have at least 3 people answering." in shown
    assert metric(app, "Alignment index") == "—"
    assert metric(app, "Largest perception gap") == "—"
    # the team below k is named, never counted: 3 sales people are shown, marketing's 2 are not added in
    assert metric(app, "Respondents") == "3"
    assert "Not shown in this view, to keep answers anonymous: Marketing." in shown
    assert "Marketing 2" not in shown and "2 so far" not in shown


def test_gap_and_index_appear_once_both_teams_reach_k(app_env) -> None:
    engine, workshop = revealed_workshop("Pilot", marketing=[5, 5, 5], sales=[3, 3, 3])
    app = open_page({"w": workshop.code})
    # marketing 100 everywhere, sales 50: level 75, consistency 50, index 37.5
    assert metric(app, "Largest perception gap") == "+50 points"
    assert metric(app, "Alignment index") in ("37", "38")


def test_workshop_without_answers_or_pipeline_says_what_to_do(app_env) -> None:
    engine = open_database()
    open_page()
    workshop = create_workshop(engine, "Fresh")
    app = open_page({"w": workshop.code})
    assert any("No answers yet in round 1" in i.value for i in app.info)
    assert workshop.code in texts(app)
    assert not app.error
    assert [w.name for w in list_workshops(engine)].count("Fresh") == 1


@pytest.mark.parametrize(("tab", "expected"), [("Evidence", "Marketing-sourced deals win"),
                                               ("Pipeline", "deals in view")])
def test_evidence_and_pipeline_tabs_render_on_the_demo(app_env, tab: str, expected: str) -> None:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    app.run()
    app.switch_page("pages/alignment.py")
    app.session_state["alignment_tab"] = tab
    app.run()
    assert not app.exception, app.exception
    assert expected in texts(app)


def test_choosing_one_team_keeps_its_scores_and_explains_the_missing_gap() -> None:
    import pandas as pd

    from alignment.results import build_results
    from alignment.store.workshops import WorkshopInfo
    from alignment.suppression import AnswerFilters

    rows = [{"response_id": p, "participant_id": p, "team": team, "level": "ic", "round_no": 1, "item_id": item.id,
             "value": value} for p, (team, value) in enumerate([("marketing", 5)] * 3 + [("sales", 3)] * 3)
            for item in FRAMEWORK.items]
    answers = pd.DataFrame(rows).astype({"value": "Int64"})
    empty = pd.DataFrame(columns=["response_id", "participant_id", "team", "level", "round_no", "dimension_id"])
    comments = pd.DataFrame(columns=["comment_id", "round_no", "team", "dimension_id", "text", "hidden"])
    workshop = WorkshopInfo(1, "ABCDEF", "Pilot", "", "open", False, 3, 24, ("Marketing", "Sales"), None, 1, True, 1,
                            pd.Timestamp("2026-01-01"))
    everyone = build_results(workshop, FRAMEWORK, answers, empty, comments, filters=AnswerFilters(round_no=1))
    marketing = build_results(workshop, FRAMEWORK, answers, empty, comments,
                              filters=AnswerFilters(round_no=1, teams=("marketing",)))
    assert everyone.index.index == pytest.approx(37.5)
    assert set(marketing.dimensions["team"]) == {"marketing"}
    assert marketing.dimensions["score"].tolist() == everyone.dimensions.query("team == 'marketing'")["score"].tolist()
    assert marketing.gaps.dimensions["suppressed"].all() and marketing.index.index is None
    assert "choose both marketing and sales" in marketing.gaps.dimensions["reason"].iloc[0]


def test_text_from_data_is_escaped_before_markdown() -> None:
    from alignment.ui.session import plain

    # the word joiner (U+2060) after "http:" keeps Streamlit from making a link of what is left
    assert plain("[click](http://x) *bold*") == "\\[click\\]\\(http\\:\u2060//x\\) \\*bold\\*"


@pytest.mark.parametrize(("tab", "expected"), [("Pipeline", "No pipeline data yet"),
                                               ("Evidence", "No pipeline data yet: upload a deals export")])
def test_workshop_without_pipeline_data_says_where_to_upload_it(app_env, tab: str, expected: str) -> None:
    engine, workshop = revealed_workshop("No CRM yet", marketing=[4, 4, 4], sales=[2, 2, 2])
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    app.query_params["w"] = workshop.code
    app.run()
    app.switch_page("pages/alignment.py")
    app.session_state["alignment_tab"] = tab
    app.run()
    assert not app.exception, app.exception
    assert expected in texts(app)


def second_row_of_the_dumbbell() -> tuple[str, float]:
    """The dimension drawn in the dumbbell's second row on the demo, and marketing's score there
    (reads the database that ``ALIGNMENT_DATA_DIR`` points at)."""
    from alignment.export.report import load_results

    engine = open_database()
    demo = list_workshops(engine)[0]
    gaps = load_results(engine, demo, FRAMEWORK).gaps.dimensions
    second = gaps.assign(size=gaps["gap"].abs()).sort_values("size", ascending=False).iloc[1]
    return str(second["dimension_name"]), float(second["marketing"])


@pytest.mark.browser
@pytest.mark.parametrize(("viewport", "label"), [({"width": 1920, "height": 1080}, "desktop"),
                                                ({"width": 390, "height": 844}, "phone")])
def test_clicking_a_dimension_in_the_browser_opens_its_drill_down(app_server, browser, viewport, label,
                                                                  monkeypatch) -> None:
    from conftest import screenshot, wait_for_app

    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    try:
        page.goto(f"{app_server.url}/alignment")
        page.get_by_text("Where the teams see things differently").wait_for(timeout=90_000)
        wait_for_app(page, timeout=90_000)
        screenshot(page, f"alignment-{label}-perception")
        monkeypatch.setenv("ALIGNMENT_DATA_DIR", str(app_server.data_dir))
        monkeypatch.delenv("ALIGNMENT_DATABASE_URL", raising=False)
        name, score = second_row_of_the_dumbbell()
        chart = page.locator("[data-testid='stVegaLiteChart']").first
        chart.scroll_into_view_if_needed()
        wait_for_app(page)
        box = chart.bounding_box()
        assert box is not None
        opened = page.get_by_text(f"{name} — ")
        x = box["x"] + 5 + (box["width"] - 10) * score / 100
        for y in range(int(box["y"]) + 90, int(box["y"]) + 200, 3):
            page.mouse.click(x, y)
            wait_for_app(page)
            if opened.count():
                break
        assert opened.count() == 1, f"clicking {name}'s marketing point did not open its drill-down"
        screenshot(page, f"alignment-{label}-drill-down")
        for tab in ("Priorities", "Evidence", "Pipeline"):
            page.get_by_role("tab", name=tab).click()
            wait_for_app(page, timeout=60_000)
            assert page.locator("[data-testid='stException']").count() == 0
            screenshot(page, f"alignment-{label}-{tab.lower()}")
    finally:
        context.close()


def test_deals_without_a_lead_source_are_shown_with_a_warning(app_env) -> None:
    import pandas as pd

    from alignment.store import save_dataset

    engine = open_database()
    open_page()
    workshop = create_workshop(engine, "No source column")
    deals = pd.DataFrame({"deal_id": [f"D{i}" for i in range(30)], "outcome": ["won", "lost", "open"] * 10,
                          "amount": [1000.0] * 30, "created_date": pd.Timestamp("2026-01-05"),
                          "close_date": pd.Timestamp("2026-02-05")})
    save_dataset(engine, workshop.id, "deals", deals, "no_source.csv")
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    app.query_params["w"] = workshop.code
    app.run()
    app.switch_page("pages/alignment.py")
    app.session_state["alignment_tab"] = "Pipeline"
    app.run()
    assert not app.exception, app.exception
    assert any("cannot be split into marketing- and sales-sourced" in w.value.replace("\\", "") for w in app.warning)
    assert "30 deals in view" in texts(app)


def test_current_round_stays_hidden_until_the_facilitator_reveals_it(app_env) -> None:
    engine = open_database()
    open_page()
    workshop = create_workshop(engine, "Before the reveal")
    for _ in range(3):
        answer(engine, workshop, "marketing", 5)
        answer(engine, workshop, "sales", 2)
    app = open_page({"w": workshop.code})
    assert any("stay hidden until the facilitator reveals them" in i.value for i in app.info)
    assert "Alignment index" not in [m.label for m in app.metric]
    update_workshop(engine, workshop.id, results_revealed=True)
    app = open_page({"w": workshop.code})
    assert metric(app, "Largest perception gap") == "+75 points"


def test_answers_from_too_few_people_are_not_called_no_answers(app_env) -> None:
    _, workshop = revealed_workshop("Early room", marketing=[4, 4], sales=[3])  # 2 and 1 people, both below k = 3
    shown = texts(open_page({"w": workshop.code}))
    assert "Answers have come in, but no team can be shown yet." in shown
    assert "Not shown in this view, to keep answers anonymous: Marketing, Sales." in shown
    assert "No answers yet" not in shown

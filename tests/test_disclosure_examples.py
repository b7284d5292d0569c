"""The privacy leaks reported on the Alignment page, each worked by hand with k = 3.

- two allowed-looking level filters (ICs + managers, then ICs alone) that differ by one person;
- a person without a level, told apart by "all levels" against "ICs";
- "don't know" answers that leave one manager's rating between two views;
- comments from a team below k, and captions that counted the people of withheld teams;
- the facilitator's "with answers" workbook: random respondent numbers, small teams left out.
"""

from __future__ import annotations

import random

import pandas as pd
from conftest import TINY_SCALE, TINY_SHARED_DIMENSIONS

from alignment.export.report import anonymous_answers
from alignment.framework import parse_framework
from alignment.perception import perception_results
from alignment.store import create_workshop, update_workshop
from alignment.suppression import (
    AnswerFilters,
    check_filter,
    level_groups,
    offered_level_filters,
    released_answers,
    released_groups,
    visible_comments,
    withheld_caption,
)

FRAMEWORK = parse_framework(TINY_SCALE + TINY_SHARED_DIMENSIONS, source="tiny.yaml")
ITEMS = [item.id for item in FRAMEWORK.items]
K = 3


def workshop(people: list[tuple[str, str | None, dict[str, int | None]]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Answers and picks of round 1: one (team, level, {item: value}) per person; unlisted items get 4."""
    answers, picks = [], []
    for pid, (team, level, special) in enumerate(people, start=1):
        who = {"participant_id": pid, "team": team, "level": level, "round_no": 1, "response_id": pid}
        answers += [{**who, "item_id": item, "value": special.get(item, 4)} for item in ITEMS]
        picks.append({**who, "dimension_id": FRAMEWORK.dimensions[0].id})
    answer_frame, pick_frame = pd.DataFrame(answers), pd.DataFrame(picks)
    for frame in (answer_frame, pick_frame):
        frame["level"] = frame["level"].astype("string")
    answer_frame["value"] = answer_frame["value"].astype("Float64")
    return answer_frame, pick_frame


# sales: 5 ICs and 1 manager; marketing: 3 ICs and 3 managers
ROOM = (
    [("sales", "ic", {})] * 5
    + [("sales", "manager", {})]
    + [("marketing", "ic", {})] * 3
    + [("marketing", "manager", {})] * 3
)


def test_ics_and_managers_then_ics_alone_cannot_isolate_the_one_sales_manager() -> None:
    answers, picks = workshop(ROOM)
    both = released_groups(answers, AnswerFilters(round_no=1, levels=("ic", "manager")), K, picks)
    ics = released_groups(answers, AnswerFilters(round_no=1, levels=("ic",)), K, picks)
    # sales: ICs + managers = 6 people, ICs alone = 5: the two differ by 1 < 3, so sales is shown only in the
    # view that takes its one manager too; marketing: 6 against 3 differ by 3 = k, so both views show it
    assert both.shown_teams == ("marketing", "sales")
    assert ics.shown_teams == ("marketing",) and ics.withheld_teams == ("sales",)
    assert level_groups(answers, K, picks)[(1, "sales")] == (frozenset({"ic", "manager"}),)
    assert set(released_answers(answers, AnswerFilters(round_no=1, levels=("ic",)), ics)["team"]) == {"marketing"}


def test_the_results_never_score_a_withheld_team(sqlite_engine) -> None:
    answers, picks = workshop(ROOM)
    room = create_workshop(sqlite_engine, "Levels")
    room = update_workshop(sqlite_engine, room.id, results_revealed=True)
    comments = pd.DataFrame(columns=["round_no", "team", "dimension_id", "text", "hidden"])
    view = perception_results(room, FRAMEWORK, answers, picks, comments, AnswerFilters(round_no=1, levels=("ic",)))
    # only marketing's 3 ICs are scored; sales' 5 ICs are not in the results at all, and are not counted
    assert dict(zip(view.respondents["team"], view.respondents["respondents"], strict=True)) == {"marketing": 3}
    assert set(view.dimensions["team"]) == {"marketing"}
    withheld = view.participation.set_index("team").loc["sales"]
    assert pd.isna(withheld["respondents"]) and not withheld["enough"]


def test_check_filter_names_the_withheld_team_without_its_count() -> None:
    answers, picks = workshop(ROOM)
    check = check_filter(answers, AnswerFilters(round_no=1, levels=("ic",)), K, picks)
    assert not check.allowed
    assert "sales" in check.reason and "5" not in check.reason and "1 " not in check.reason
    assert check_filter(answers, AnswerFilters(round_no=1, levels=("ic", "manager")), K, picks).allowed


def test_a_person_without_a_level_is_not_told_apart_from_the_ics() -> None:
    # 4 ICs and 1 person who gave no level: all levels = 5 people, ICs = 4, a difference of 1
    answers, picks = workshop([("sales", "ic", {})] * 4 + [("sales", None, {})])
    assert released_groups(answers, AnswerFilters(round_no=1), K, picks).shown_teams == ("sales",)
    assert released_groups(answers, AnswerFilters(round_no=1, levels=("ic",)), K, picks).shown_teams == ()
    assert offered_level_filters(answers, 1, K, picks) == [()]


def test_dont_know_answers_that_leave_one_managers_rating_merge_the_levels() -> None:
    # 3 ICs and 3 managers, 2 managers say "don't know" to one statement: on it, ICs alone rest on 3 ratings
    # and all levels on 3 + 1 = 4, so comparing them would give the third manager's rating
    item = ITEMS[0]
    people = (
        [("marketing", "ic", {})] * 3
        + [("marketing", "manager", {item: None})] * 2
        + [("marketing", "manager", {item: 1})]
    )
    answers, picks = workshop(people)
    assert released_groups(answers, AnswerFilters(round_no=1, levels=("ic",)), K, picks).shown_teams == ()
    assert released_groups(answers, AnswerFilters(round_no=1), K, picks).shown_teams == ("marketing",)


def test_comments_from_a_team_below_k_are_never_listed() -> None:
    answers, picks = workshop([("marketing", "ic", {})] * 3 + [("customer_success", "ic", {})] * 2)
    comments = pd.DataFrame({
        "round_no": [1, 1, 1],
        "team": ["marketing", "customer_success", "marketing"],
        "dimension_id": ["trust"] * 3,
        "text": ["we share the plan", "only two of us answered", "hidden by the facilitator"],
        "hidden": [False, False, True],
    })  # fmt: skip
    everyone = released_groups(answers, AnswerFilters(round_no=1), K, picks)
    assert visible_comments(comments, everyone)["text"].tolist() == ["we share the plan"]


def test_captions_name_withheld_teams_but_never_count_them() -> None:
    answers, picks = workshop([("marketing", "ic", {})] * 3 + [("customer_success", "ic", {})] * 2)
    release = released_groups(answers, AnswerFilters(round_no=1), K, picks)
    caption = withheld_caption(release, K, lambda team: team.replace("_", " ").title())
    assert caption.startswith("Not shown: Customer Success — fewer than 3 people")
    assert "2" not in caption  # customer success's two answers are not counted anywhere
    assert withheld_caption(released_groups(answers, AnswerFilters(round_no=1, teams=("marketing",)), K, picks),
                            K) == ""  # fmt: skip


def test_with_answers_workbook_numbers_do_not_follow_join_order_and_leave_out_small_teams() -> None:
    # every person answers the first two statements with a pattern of their own, so rows can be traced back
    # to the joiner in the test: joiner i (0-based) answers 1 + i % 5 and 1 + i // 5
    teams = ["marketing"] * 4 + ["sales"] * 3 + ["leadership"] * 2
    people = [(team, None, {ITEMS[0]: 1 + i % 5, ITEMS[1]: 1 + i // 5}) for i, team in enumerate(teams)]
    answers, _ = workshop(people)
    in_join_order = []
    for seed in range(5):
        table = anonymous_answers(answers, FRAMEWORK, K, random.Random(seed))
        # leadership (2 people, below k) is left out: 4 + 3 = 7 respondents, each with one number on every row
        assert set(table["team"]) == {"marketing", "sales"}
        assert table["respondent"].nunique() == 7
        per_person = table.groupby("respondent").agg(rows=("item_id", "size"), teams=("team", "nunique"))
        assert (per_person["rows"] == len(ITEMS)).all() and (per_person["teams"] == 1).all()
        first = table[table["item_id"] == ITEMS[0]].set_index("respondent")["answer"]
        second = table[table["item_id"] == ITEMS[1]].set_index("respondent")["answer"]
        joiner = {int(n): int(first[n] - 1 + 5 * (second[n] - 1)) for n in first.index}
        assert sorted(joiner.values()) == list(range(7))
        numbers_by_join = [n for n, _ in sorted(joiner.items(), key=lambda pair: pair[1])]
        in_join_order.append(numbers_by_join == sorted(numbers_by_join))
    assert not all(in_join_order)  # numbers that grew with join order would tell who answered first


def test_alignment_page_lists_no_comment_and_no_count_of_a_team_below_k(app_env) -> None:
    from test_alignment_page import FRAMEWORK as FULL
    from test_alignment_page import answer, open_page, texts

    from alignment.store import create_workshop, open_database, update_workshop
    from alignment.store.responses import join, save_importance, save_step, submit

    open_page()  # first start: migrate and seed the demo
    engine = open_database()
    workshop = create_workshop(engine, "Small team", teams=("Marketing", "Sales", "Customer Success"))
    for team in ("marketing", "sales"):
        for _ in range(3):
            answer(engine, workshop, team, 4)
    first = FULL.dimensions[0]
    said = {"marketing": "we share one plan", "customer_success": "only two of us answered this"}
    for team, count in (("marketing", 1), ("customer_success", 2)):
        for _ in range(count):
            person = join(engine, workshop, team)
            for dimension in FULL.dimensions:
                save_step(engine, FULL, workshop.id, person.token, round_no=1, dimension_id=dimension.id,
                          answers={item.id: 3 for item in dimension.items},
                          comment=said[team] if dimension.id == first.id else None)  # fmt: skip
            save_importance(engine, FULL, workshop.id, person.token, round_no=1, dimension_ids=(first.id,))
            submit(engine, FULL, workshop.id, person.token, round_no=1, submission_id=person.token[:20] + "-s")
    update_workshop(engine, workshop.id, results_revealed=True)
    engine.dispose()

    app = open_page({"w": workshop.code})
    app.selectbox(key="drill_dimension").set_value(first.id).run()
    shown = texts(app) + " ".join(str(frame.value.to_dict()) for frame in app.dataframe)
    assert "we share one plan" in shown  # marketing has 4 respondents
    assert "only two of us answered this" not in shown  # customer success has 2 < k = 3
    # marketing 3 + 1 = 4, sales 3; customer success is named without its 2
    assert "Marketing 4 · Sales 3. Not shown in this view, to keep answers anonymous: Customer Success." in shown

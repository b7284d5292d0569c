"""Self-assessment: participants join with a code, answer one topic per step, and submit.

Without a code: the landing (what this is, join, the demo, running a workshop). With one: start
(team, optional level) → one step per dimension → what matters most → review → thank you. The
participant's anonymous token goes into the link (``?p=TOKEN``) and into this browser's memory as
soon as they start, and every tap is stored as it happens, so a reload, a re-scanned QR code, a
locked phone or a dropped connection comes back to the same step with every answer.
"""

import streamlit as st

from alignment.store import responses as store
from alignment.ui import browser_cookies, participant, session, styles
from alignment.ui import questionnaire as ui
from alignment.ui.landing import landing

db = session.engine()
styles.add(styles.PHONE)
with ui.reading_column():
    code = session.link_code()
    # Reads fall back to their last answer during a short outage, so the screen and what was tapped stay.
    workshop = session.workshop_by_code(code)  # wrong codes are counted and slowed down (alignment.throttle)

    # --- no workshop yet: the landing with the join field
    if workshop is None:
        typed = landing(code or "")
        if typed is not None or code:
            found = session.workshop_by_code(typed or code)
            if found is not None:
                session.choose_workshop(found.code)
                st.rerun()
            ui.unknown_code(typed or code)
        st.stop()

    framework = session.framework(workshop)
    token = participant.remembered_token(workshop)
    draft = session.steady_read(("draft", workshop.id, token), lambda: store.load_draft(db, workshop.id, token))
    if token and draft is not None:
        participant.keep(workshop, token)  # came back by the QR code, the typed code or the personal link
    step = ui.current_step(framework, token, draft) if draft is not None else None
    ui.heading(workshop, big=step is None or step.kind == "start" or not workshop.is_open)
    session.demo_banner(workshop)
    ui.show_notice()

    if not workshop.is_open or workshop.round_closed:
        ui.closed(submitted=draft is not None and draft.submitted, revealed=workshop.is_open)
        st.stop()

    # --- start: pick a team (a fresh anonymous participant, or correcting one's team)
    if step is None or step.kind == "start":
        if token and draft is None:
            st.caption("This link matches no answers in this workshop, so you start afresh.")
        action = ui.start_form(workshop, framework, draft.team if draft else None, draft.level if draft else None)
        team, level = action.picks or ("", "")
        if action.move and not team:
            st.error("Pick your team to start.", icon=":material/group:")
        elif action.move and draft is None and not participant.join_refused_for_now(workshop):
            browser = browser_cookies.browser_id()
            ok, joined = ui.attempt(lambda: store.join(db, workshop, team, level or None, browser_id=browser))
            if ok:
                participant.remember(workshop, joined.token)
                ui.go_to(joined.token, workshop.current_round, 1)
        elif action.move and draft is not None:
            ok, _ = ui.attempt(lambda: store.change_team(db, workshop, token, team, level or None))
            if ok:
                ui.go_to(token, draft.round_no, 1)
        st.stop()

    ui.team_summary(workshop, draft)
    ui.round_notice(draft)
    if step.progress:
        ui.progress(step)
    forward = step.index + 1

    # --- one topic per step: every tap is stored at once; Next checks the step is complete
    if step.kind == "dimension":

        def keep_step() -> None:
            answers, comment = ui.dimension_values(draft.round_no, step.dimension)
            ui.keep_quietly(lambda: store.save_step(
                db, framework, workshop.id, token, round_no=draft.round_no, dimension_id=step.dimension.id,
                answers=answers, comment=comment,
            ))  # fmt: skip

        action = ui.dimension_form(framework, step, draft, keep_step)
        complete = len(action.answers) == len(step.dimension.items)
        if action.move:
            ok, _ = ui.attempt(
                lambda: store.save_step(
                    db, framework, workshop.id, token, round_no=draft.round_no, dimension_id=step.dimension.id,
                    answers=action.answers, comment=action.comment,
                    step=forward if action.move == "next" and complete else None,
                )
            )  # fmt: skip
            if ok and action.move == "next" and not complete:
                st.error("Choose a rating or “Don't know” for each statement to go on.", icon=":material/error:")
            elif ok:
                ui.go_to(token, draft.round_no, forward if action.move == "next" else step.index - 1)

    # --- what matters most (up to three; each tick is stored at once)
    elif step.kind == "importance":

        def keep_picks() -> None:
            ui.keep_quietly(lambda: store.save_importance(
                db, framework, workshop.id, token, round_no=draft.round_no,
                dimension_ids=ui.importance_picks(framework, draft),
            ))  # fmt: skip

        action = ui.importance_form(framework, draft, keep_picks)
        if action.move == "next" and not action.picks:
            st.error("Pick at least one topic (up to three) to go on.", icon=":material/error:")
        elif action.move:
            ok, _ = ui.attempt(
                lambda: store.save_importance(
                    db, framework, workshop.id, token, round_no=draft.round_no, dimension_ids=action.picks,
                    step=forward if action.move == "next" else None,
                )
            )  # fmt: skip
            if ok:
                ui.go_to(token, draft.round_no, forward if action.move == "next" else step.index - 1)

    # --- review and submit (a double click or a retry reuses the same submission id)
    elif step.kind == "review":
        move, target = ui.review(framework, draft)
        if move in ("edit", "back"):
            ui.go_to(token, draft.round_no, target if move == "edit" else step.index - 1)
        elif move == "submit":
            submission = ui.submission_id(token, draft.round_no)
            ok, _ = ui.attempt(
                lambda: store.submit(
                    db, framework, workshop.id, token, round_no=draft.round_no, submission_id=submission
                )
            )
            if ok:
                ui.forget_submission_id(token, draft.round_no)
                ui.go_to(token, draft.round_no, forward)

    # --- thank you
    elif ui.thanks(
        session.steady_read(("answered", workshop.id), lambda: store.answered_count(db, workshop.id)),
        can_edit=workshop.is_open,
    ):
        ui.go_to(token, draft.round_no, step.index - 1)

    if participant.someone_else_button(workshop):
        participant.forget(workshop)
        st.rerun()

"""The Facilitator page's pieces: the sign-in gate, who may see results, and running a workshop.

The gate uses an OpenID Connect sign-in (``st.login``) when ``[auth]`` is configured in secrets,
else the password from ``ALIGNMENT_ADMIN_PASSWORD`` / secret ``admin_password``; with neither, the
server prints a one-time sign-in link in its terminal and the page says where to find it. A
password or link sign-in lasts: a signed, expiring session cookie (see
:mod:`alignment.facilitator_session`) keeps the browser signed in across reloads and new tabs until
"Sign out" or the expiry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import streamlit as st

from alignment import facilitator_session as signed
from alignment.auth import (
    PASSWORD_SECRET,
    PASSWORD_VARIABLE,
    AccessMethod,
    access_method,
    sign_in,
)
from alignment.store import (
    WorkshopInfo,
    create_workshop,
    delete_workshop,
    start_new_round,
    update_workshop,
)
from alignment.store.headcounts import expected_head_counts, set_expected_head_counts
from alignment.store.workshops import DEFAULT_TEAMS, MIN_K, normalise_code
from alignment.ui import browser_cookies, session
from alignment.ui.framework_field import FrameworkChoice, framework_field, framework_problem, keep_framework_upload
from alignment.ui.session import plain

SIGNED_IN_KEY = "facilitator_signed_in"
LANDING_TAB_KEY = "facilitator_tab"
LINK_ERROR_KEY = "facilitator_link_error"
_LAND_ON_ROOM_KEY = "_facilitator_land_on_room"
FLASH_KEY = "facilitator_flash"
SUGGESTED_TEAMS = ("Leadership", "Customer Success", "Product", "Partners", "Sales Development")
MAX_K = 50
MAX_SLA_HOURS = 24 * 30


# ---------------------------------------------------------------- access


def _oidc_settings() -> Mapping[str, Any] | None:
    auth = session.secret("auth")
    return auth if isinstance(auth, Mapping) and auth else None


def _providers(auth: Mapping[str, Any]) -> list[str | None]:
    """Named providers (``[auth.google]``…), or ``[None]`` for one provider set directly in ``[auth]``."""
    named = [name for name, value in auth.items() if isinstance(value, Mapping)]
    return named or [None]


def _email_allowed(email: str | None) -> bool:
    """With a ``facilitator_emails`` list in secrets, only those accounts may facilitate."""
    allowed = session.secret("facilitator_emails")
    if not allowed:
        return True
    return bool(email) and email.lower() in {str(a).lower() for a in allowed}


def _password() -> str | None:
    password = session.setting(PASSWORD_VARIABLE, PASSWORD_SECRET)
    return str(password) if password else None


def _method() -> AccessMethod:
    return access_method(_password(), _oidc_settings() is not None)


def is_facilitator() -> bool:
    """Whether this browser has passed the Facilitator page's gate (in this tab, or by its session cookie)."""
    if st.session_state.get(SIGNED_IN_KEY):
        return True
    if _oidc_settings() is not None:
        return bool(st.user.get("is_logged_in")) and _email_allowed(st.user.get("email"))
    if _signed_cookie_valid():
        st.session_state[SIGNED_IN_KEY] = True
        return True
    return False


def _signed_cookie_valid() -> bool:
    token = browser_cookies.read(signed.SESSION_COOKIE)
    engine = session.engine()
    return (
        bool(token)
        and signed.session_valid(signed.server_secret(engine), _password(), token)
        and not signed.signed_out(engine, token)
    )


def _start_signed_session() -> None:
    """Signed in: remember it in this tab and, with a signed expiring cookie, in this browser."""
    st.session_state[SIGNED_IN_KEY] = True
    token = signed.issue_session(signed.server_secret(session.engine()), _password())
    browser_cookies.write(signed.SESSION_COOKIE, token, int(signed.SESSION_LIFETIME.total_seconds()))


def _sign_out() -> None:
    """Forget the sign-in in this tab, refuse its token on the server, and delete the browser's cookie."""
    st.session_state.pop(SIGNED_IN_KEY, None)
    signed.sign_out_token(session.engine(), browser_cookies.read(signed.SESSION_COOKIE))
    browser_cookies.remove(signed.SESSION_COOKIE)


def results_visible(workshop: WorkshopInfo, is_facilitator: bool) -> bool:
    """Whether the current round's results may be shown: once revealed, or to the facilitator alone.

    Earlier rounds are always visible. On the projector pass ``is_facilitator=False``: the room
    sees results only after the facilitator reveals them (no anchoring before the discussion).
    """
    return workshop.results_revealed or is_facilitator


def require_facilitator() -> bool:
    """Show the sign-in (or where to find the one-time link) unless the facilitator is signed in."""
    method = _method()
    if is_facilitator():
        return True
    problem = st.session_state.pop(LINK_ERROR_KEY, None)
    if problem:
        st.error(problem, icon=":material/link_off:")
    if method is AccessMethod.OIDC:
        _oidc_gate(_oidc_settings() or {})
    elif method is AccessMethod.PASSWORD:
        _password_gate(str(_password()))
    else:
        announce_sign_in_link()
        st.info(signed.NOT_CONFIGURED_HELP, icon=":material/terminal:")
    return False


@st.cache_resource(show_spinner=False)
def _printed_links() -> set[str]:
    """The databases this server process has printed a sign-in link for (one pending link each)."""
    return set()


def announce_sign_in_link(first_only: bool = False) -> None:
    """With no password and no OIDC configured, print a one-time sign-in link in the server's terminal.

    Printed on the server process's first page view, and again (from the sign-in gate, not with
    ``first_only``) whenever the pending one has been used or has expired.
    """
    if _method() is not AccessMethod.NOT_CONFIGURED:
        return
    db = session.engine()
    printed = _printed_links()
    where = db.url.render_as_string(hide_password=True)
    if where in printed and (first_only or signed.pending_sign_in_link(db)):
        return
    token = signed.issue_sign_in_link_token(db)
    printed.add(where)
    base = (st.context.url or "http://localhost:8501").split("?")[0].rstrip("/")
    base = base.rsplit("/", 1)[0] if base.rsplit("/", 1)[-1] in ("facilitator", "pipeline", "alignment") else base
    print(
        f"\n  Facilitator sign-in (no password is set; this link works once):\n"
        f"  {base}/facilitator?{signed.LINK_PARAMETER}={token}\n",
        flush=True,
    )


def redeem_link_in_url() -> None:
    """A one-time sign-in link opened: sign in (once), or say the link is used up; drop it from the address."""
    token = st.query_params.get(signed.LINK_PARAMETER)
    if token is None:
        return
    st.query_params.pop(signed.LINK_PARAMETER, None)
    if _method() is AccessMethod.NOT_CONFIGURED and signed.redeem_sign_in_link(session.engine(), token):
        _start_signed_session()
        flash("Signed in. This browser stays signed in for 12 hours, or until you sign out.")
    else:
        st.session_state[LINK_ERROR_KEY] = (
            "That sign-in link has already been used or has expired. A new one is printed in the terminal "
            "where the app runs."
        )
    st.rerun()


def _oidc_gate(auth: Mapping[str, Any]) -> None:
    if st.user.get("is_logged_in"):
        st.warning(
            f"You are signed in as {st.user.get('email') or 'an account'} that is not on the facilitator list.",
            icon=":material/block:",
        )
        st.button("Sign out", on_click=st.logout)
        return
    st.info("Sign in with your organisation account to run workshops.", icon=":material/lock:")
    for provider in _providers(auth):
        label = f"Sign in with {provider.title()}" if provider else "Sign in"
        st.button(
            label, key=f"login-{provider}", type="primary", on_click=st.login, args=(provider,) if provider else ()
        )


def _password_gate(expected: str) -> None:
    with st.form("facilitator_sign_in", border=True, width=480):
        st.markdown("**Facilitators only.** Enter the facilitator password to run workshops.")
        given = st.text_input("Facilitator password", type="password", max_chars=1000)
        submitted = st.form_submit_button("Sign in", type="primary", icon=":material/login:")
    if not submitted:
        return
    result = sign_in(session.engine(), session.current_client(), given, expected)
    if result.ok:
        _start_signed_session()
        st.rerun()
    st.error(result.message, icon=":material/error:")


def sign_out_button() -> None:
    """Sign out of the Facilitator page (password session or OIDC account)."""
    if st.session_state.get(SIGNED_IN_KEY):
        st.button("Sign out", icon=":material/logout:", on_click=_sign_out, help="Forget this browser's sign-in.")
    elif _oidc_settings() is not None and st.user.get("is_logged_in"):
        st.button("Sign out", icon=":material/logout:", on_click=st.logout)


# ---------------------------------------------------------------- feedback across reruns


def flash(message: str) -> None:
    """Say something after the rerun that a button causes."""
    st.session_state[FLASH_KEY] = message


def show_flash() -> None:
    message = st.session_state.pop(FLASH_KEY, None)
    if message:
        st.success(message, icon=":material/check_circle:")


# ---------------------------------------------------------------- choosing and creating workshops


@dataclass(frozen=True)
class WorkshopFields:
    """What the new-workshop and settings forms ask for."""

    name: str
    organisation: str
    teams: list[str]
    k: int
    sla_hours: int
    framework_path: str | None  # a file name in data/ (None: the default, or an uploaded one)
    framework: FrameworkChoice = FrameworkChoice()


def _workshop_fields(workshop: WorkshopInfo | None, key: str | None = None) -> WorkshopFields:
    """The fields of both workshop forms (inside the caller's form), filled from ``workshop`` when given.

    ``key`` names the widgets (``{key}-name`` …) for the new-workshop form. The settings form leaves them
    unnamed: a named widget keeps what it held, so after a save it would no longer follow the workshop.
    """
    extra_now = [t for t in workshop.teams if t not in DEFAULT_TEAMS] if workshop else []
    name = st.text_input("Workshop name", value=workshop.name if workshop else "", max_chars=200,
                         placeholder="Revenue team offsite, March", key=key and f"{key}-name")  # fmt: skip
    organisation = st.text_input("Organisation", value=workshop.organisation if workshop else "", max_chars=200,
                                 key=key and f"{key}-organisation")  # fmt: skip
    extra = st.multiselect(
        "Other teams taking part",
        list(dict.fromkeys([*extra_now, *SUGGESTED_TEAMS])),
        default=extra_now,
        key=key and f"{key}-teams",
        accept_new_options=True,
        help="Marketing and Sales always take part. Type a name to add a team that is not listed; "
        "answers already given keep their team.",
    )
    k_column, sla_column = st.columns(2)
    k = k_column.number_input(
        "Minimum group size (k)",
        min_value=MIN_K,
        max_value=MAX_K,
        value=workshop.k if workshop else MIN_K,
        key=key and f"{key}-k",
        disabled=bool(workshop and workshop.k_fixed),
        help=(
            f"Fixed: results have been shown with k = {workshop.k}, and another k could let two views be compared "
            "to learn what fewer than k people answered."
            if workshop and workshop.k_fixed
            else f"Results from fewer than k people are never shown. {MIN_K} is the lowest allowed; it is fixed once "
            "results are shown."
        ),
    )
    sla = sla_column.number_input(
        "Lead response SLA (hours)",
        min_value=1,
        max_value=MAX_SLA_HOURS,
        value=workshop.sla_hours if workshop else 24,
        key=key and f"{key}-sla",
        help="Used on pipeline evidence.",
    )
    chosen = framework_field(workshop, key)
    teams = [*DEFAULT_TEAMS, *dict.fromkeys(t.strip() for t in extra if t.strip() and t.strip() not in DEFAULT_TEAMS)]
    return WorkshopFields(name.strip(), organisation.strip(), teams, int(k), int(sla), chosen.stored, chosen)


def _saved(fields: WorkshopFields, save: Callable[[WorkshopFields], WorkshopInfo]) -> WorkshopInfo | None:
    """Check the framework file, then ``save``; say in one sentence why not, and return None, if it fails."""
    problem = framework_problem(fields.framework)
    if problem is None:
        try:
            saved = save(fields)
            keep_framework_upload(session.engine(), saved, fields.framework)
            return saved
        except ValueError as exc:
            problem = str(exc)
    st.error(plain(problem), icon=":material/error:")
    return None


def new_workshop_form() -> None:
    """Create a workshop: name, organisation, teams, k, SLA hours and an optional framework file."""
    with st.form("new_workshop", border=True, width=900):
        fields = _workshop_fields(None, "new")
        submitted = st.form_submit_button("Create workshop", type="primary", icon=":material/add:")
    if not submitted:
        return
    created = _saved(fields, lambda f: create_workshop(
        session.engine(), f.name, organisation=f.organisation, teams=f.teams, k=f.k, sla_hours=f.sla_hours,
        framework_path=f.framework_path))  # fmt: skip
    if created is None:
        return
    session.choose_workshop(created.code)
    st.session_state[_LAND_ON_ROOM_KEY] = True
    flash(f"Workshop “{plain(created.name)}” created. Its join code is {created.code}.")
    st.rerun()


def open_tab() -> None:
    """The tab the console opens on: the room screen right after a workshop was created, else the one chosen."""
    if st.session_state.pop(_LAND_ON_ROOM_KEY, False):
        st.session_state[LANDING_TAB_KEY] = "Room screen"


def settings_form(workshop: WorkshopInfo) -> None:
    """Change a workshop's name, organisation, teams, k, SLA hours and framework file."""
    with st.form(f"settings-{workshop.id}", border=True, width=900):
        fields = _workshop_fields(workshop)
        submitted = st.form_submit_button("Save settings", type="primary", icon=":material/save:")
    if not submitted:
        return
    saved = _saved(fields, lambda f: update_workshop(
        session.engine(), workshop.id, name=f.name or workshop.name, organisation=f.organisation, teams=f.teams,
        k=f.k, sla_hours=f.sla_hours, framework_path=f.framework_path))  # fmt: skip
    if saved is not None:
        flash("Settings saved.")
        st.rerun()


# ---------------------------------------------------------------- running a workshop


def _change(workshop_id: int, message: str, **changes: Any) -> None:
    update_workshop(session.engine(), workshop_id, **changes)
    flash(message)


def _new_round(workshop_id: int) -> None:
    changed = start_new_round(session.engine(), workshop_id)
    flash(f"Round {changed.current_round} has started. Earlier answers are kept for comparison.")


def _delete(workshop: WorkshopInfo) -> None:
    delete_workshop(session.engine(), workshop.id)
    st.session_state.pop(session.WORKSHOP_KEY, None)
    st.query_params.pop("w", None)
    flash(f"Workshop “{plain(workshop.name)}” and everything in it were deleted.")


REVEAL_CLOSES = (
    "Revealing closes this round to answers for good, so that the results people see never change under "
    "them (a late answer could otherwise be worked out by comparing two downloads). Start a new round to ask again."
)


def status_line(workshop: WorkshopInfo) -> str:
    """The workshop's state in one line: round, submissions open or closed, results shown or hidden."""
    state = {"open": "open for answers", "closed": "closed", "archived": "archived"}[workshop.status]
    if workshop.status == "open" and workshop.round_closed:
        state = "closed to answers since its results were shown"
    shown = "results shown to the room" if workshop.results_revealed else "results hidden from the room"
    return f"Round {workshop.current_round} · {state} · {shown} · k = {workshop.k}"


def run_controls(workshop: WorkshopInfo) -> None:
    """Open or close submissions, reveal results, start a new round, archive."""
    st.markdown(f"**{status_line(workshop)}**")
    row = st.container(horizontal=True, gap="small")
    if workshop.status == "open":
        row.button(
            "Close submissions", icon=":material/lock:", on_click=_change,
            args=(workshop.id, "Submissions are closed."), kwargs={"status": "closed"},
        )  # fmt: skip
    else:
        row.button(
            "Reopen submissions", icon=":material/lock_open:", on_click=_change,
            args=(workshop.id, "Submissions are open again."), kwargs={"status": "open"},
        )  # fmt: skip
    if workshop.results_revealed:
        row.button(
            "Hide results", icon=":material/visibility_off:", on_click=_change,
            args=(workshop.id, "This round's results are hidden from the room."), kwargs={"results_revealed": False},
        )  # fmt: skip
    else:
        row.button(
            "Reveal results", icon=":material/visibility:", type="primary", on_click=_change, help=REVEAL_CLOSES,
            args=(workshop.id, "This round's results are now shown, and the round takes no more answers."),
            kwargs={"results_revealed": True},
        )  # fmt: skip
    with row.popover(f"Start round {workshop.current_round + 1}", icon=":material/replay:"):
        st.markdown(
            f"Round {workshop.current_round} closes and round {workshop.current_round + 1} starts empty. "
            "Everyone answers again with the same link; earlier answers and all actions are kept."
        )
        st.button("Start the new round", type="primary", on_click=_new_round, args=(workshop.id,))
    if workshop.status != "archived":
        row.button(
            "Archive", icon=":material/archive:", on_click=_change,
            args=(workshop.id, "Workshop archived. Choose it again here to restore it."), kwargs={"status": "archived"},
        )  # fmt: skip
    if not workshop.round_closed:
        st.caption(REVEAL_CLOSES)


def danger_zone(workshop: WorkshopInfo) -> None:
    """Delete the workshop after typing its join code."""
    with st.expander("Delete this workshop", icon=":material/delete_forever:"):
        st.markdown("Deleting removes every answer, comment, dataset and action of this workshop. It cannot be undone.")
        typed = st.text_input(f"Type the join code {workshop.code} to confirm", key=f"delete-confirm-{workshop.id}")
        st.button(
            "Delete workshop",
            type="primary",
            icon=":material/delete_forever:",
            disabled=normalise_code(typed) != workshop.code,
            on_click=_delete,
            args=(workshop,),
        )


def head_count_form(workshop: WorkshopInfo) -> None:
    """How many people of each team are expected; more submissions than that are flagged on the room screen."""
    expected = expected_head_counts(workshop)
    with st.form(f"head-counts-{workshop.id}", border=True, width=900):
        st.caption(
            "Optional. If a team hands in more answer sheets than people in the room, the room screen says so "
            "(someone answered twice, or someone outside the room joined). Leave 0 for no check."
        )
        columns = st.columns(min(len(workshop.teams), 4))
        counts = {
            team: columns[number % len(columns)].number_input(
                f"{name} (people)", min_value=0, max_value=10_000, value=expected.get(team, 0), step=1
            )
            for number, (team, name) in enumerate(zip(workshop.team_ids, workshop.teams, strict=True))
        }
        submitted = st.form_submit_button("Save head counts", icon=":material/groups:")
    if submitted:
        set_expected_head_counts(session.engine(), workshop, counts)
        flash("Expected head counts saved.")
        st.rerun()

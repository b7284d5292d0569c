"""The Pipeline data page's column step: which column of the file feeds which field.

The user's choices live in ``st.session_state``, per file and kind: picks made with the labelled
"Change a column" widgets, edits made in the grid, and the fields inferred from values that the user
confirmed. The table starts from the proposed mapping with the workshop's remembered choices on top
(see :mod:`alignment.importing.remember`).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from alignment.canonical import fields_for
from alignment.importing import FIELD_LABELS, Mapping
from alignment.importing.mapping import DERIVED, HELPER_FIELDS
from alignment.importing.remember import REMEMBERED, remembered_columns
from alignment.store import WorkshopInfo
from alignment.ui.pipeline_widgets import Upload
from alignment.ui.session import plain

NOT_USED = "(not used)"


def mapping_table(workshop: WorkshopInfo, loaded: Upload, kind: str) -> Mapping:
    """The table of which column feeds which field; returns the confirmed mapping.

    The user's choices live in one place, ``st.session_state[picks_key]``: a pick made with the
    labelled "Change a column" widgets, and any edit made in the grid itself, are folded into it, so
    the grid, the report and the saved mapping always show the same thing. Each pick made with the
    widgets starts a fresh grid (its key carries a generation number) showing the picks as its data.
    """
    proposed = loaded.proposal(kind)
    remembered = remembered_columns(workshop.settings or {}, loaded.raw.columns, kind)
    if remembered:
        proposed = proposed.with_columns(remembered, how=REMEMBERED)
        st.caption("The columns below are the ones you confirmed for a file with the same headers.")
    st.markdown(
        f"Detected: **{plain(proposed.source)}**. Check the column for each field and change any "
        "that is wrong; fields left as “(not used)” stay empty."
    )
    fields = [f for f in (*fields_for(kind), *HELPER_FIELDS[kind]) if f not in DERIVED]
    picks_key = f"mapping_picks_{loaded.file_id}_{kind}"
    picks: dict[str, str | None] = st.session_state.setdefault(picks_key, {})
    generation = st.session_state.get(f"{picks_key}_generation", 0)
    key = f"mapping_{loaded.file_id}_{kind}_{generation}"
    current = proposed.with_columns(picks, how="your choice")
    confirmed = st.session_state.get(_confirmed_key(loaded, kind), {})
    current = current.with_columns(
        {f: c for f, c in confirmed.items() if current.fields.get(f) and current.column(f) == c}, how="confirmed by you"
    )
    table = pd.DataFrame(
        {
            "Field": [FIELD_LABELS[f] for f in fields],
            "Column in your file": [current.column(f) or NOT_USED for f in fields],
            "Confidence": [current.fields[f].confidence if f in current.fields else 0.0 for f in fields],
            "Found by": [current.fields[f].how if f in current.fields else "not found" for f in fields],
        },
        index=fields,
    )
    for row, change in _grid_edits(key).items():
        if "Column in your file" in change:  # the user's own pick is certain, and says so
            table.iloc[int(row), [2, 3]] = [1.0, "your choice"]
    options = [NOT_USED, *loaded.raw.columns]
    edited = st.data_editor(
        table,
        key=key,
        hide_index=True,
        width="stretch",
        height=35 * (len(fields) + 1) + 3,
        disabled=["Field", "Confidence", "Found by"],
        column_config={
            "Column in your file": st.column_config.SelectboxColumn(options=options, required=True, width="medium"),
            "Confidence": st.column_config.ProgressColumn(min_value=0.0, max_value=1.0, format="percent"),
        },
    )
    shown = {f: (None if c == NOT_USED else c) for f, c in edited["Column in your file"].items()}
    chosen = {f: c for f, c in shown.items() if c != current.column(f)}  # grid edits only: a kept guess stays one
    _change_a_column(fields, options, chosen, picks_key)
    return current.with_columns(chosen)


def _confirmed_key(loaded: Upload, kind: str) -> str:
    return f"confirmed_{loaded.file_id}_{kind}"


def confirm_inferred(loaded: Upload, mapping: Mapping) -> Mapping | None:
    """Ask the user to confirm the fields whose column was chosen from its values; None until confirmed.

    Confirming (or picking another column) makes those choices the user's own.
    """
    inferred = mapping.inferred()
    if not inferred:
        return mapping
    confirmed: dict = st.session_state.setdefault(_confirmed_key(loaded, mapping.kind), {})
    pending = {name: match for name, match in inferred.items() if confirmed.get(name) != match.column}
    if not pending:
        return mapping.with_columns({name: match.column for name, match in inferred.items()}, how="confirmed by you")
    with st.container(border=True):
        st.markdown("**Please confirm first: these columns were chosen from their values**")
        st.markdown(
            "\n".join(
                f"- {FIELD_LABELS[name]} ← “{plain(match.column or '')}” "
                f"({match.confidence:.0%} sure: {plain(match.how)})"
                for name, match in pending.items()
            )
        )
        st.caption("If one is wrong, change it with “Change a column” above; otherwise confirm them.")

        def confirm() -> None:
            confirmed.update({name: match.column for name, match in pending.items()})

        st.button("These columns are right", type="primary", icon=":material/check:", on_click=confirm)
    return None


def _grid_edits(key: str) -> dict[str, dict[str, object]]:
    return (st.session_state.get(key) or {}).get("edited_rows") or {}


def _change_a_column(fields: list[str], options: list[str], chosen: dict[str, str | None], picks_key: str) -> None:
    """Labelled widgets that set one field's column: the keyboard- and phone-friendly way to change the grid."""
    labels = {FIELD_LABELS[f]: f for f in fields}

    def use_column() -> None:
        field = labels[st.session_state[f"{picks_key}_field"]]
        column = st.session_state[f"{picks_key}_column"]
        picks = st.session_state[picks_key]
        picks.update(chosen)  # keep what was edited in the grid, then this pick on top
        picks[field] = None if column == NOT_USED else column
        st.session_state[f"{picks_key}_generation"] = st.session_state.get(f"{picks_key}_generation", 0) + 1
        source = "no column" if column == NOT_USED else f"“{column}”"
        st.session_state[f"{picks_key}_said"] = f"{FIELD_LABELS[field]} now comes from {source}."

    with st.container(border=True):
        st.markdown("**Change a column**")
        left, middle, right = st.columns([2, 2, 1], vertical_alignment="bottom")
        left.selectbox("Field", list(labels), key=f"{picks_key}_field")
        middle.selectbox("Column in your file", options, key=f"{picks_key}_column")
        right.button("Use this column", key=f"{picks_key}_use", on_click=use_column, width="stretch")
        if said := st.session_state.get(f"{picks_key}_said"):
            st.success(plain(said), icon=":material/check:")

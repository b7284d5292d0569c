"""The Pipeline data page's check step: the validation report and a preview of the rows to be saved."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from alignment.export.safety import neutralise_frame
from alignment.importing import FIELD_LABELS, ImportResult, Problem
from alignment.ui.session import plain


def _listed(problems: list[Problem]) -> str:
    """Problems as a Markdown list, file text escaped: ``- 3 rows: the amount is not a number``."""
    return "\n".join(f"- {p.rows:,} row{'s' if p.rows != 1 else ''}: {plain(p.message)}" for p in problems)


def validation_report(result: ImportResult) -> None:
    """What the import would do: counts, reasons rows are not used, formats found, warnings."""
    report = result.report
    read, used, not_used, footers = st.columns(4)
    read.metric("Rows read", f"{report.rows_read:,}")
    used.metric("Rows used", f"{report.rows_accepted:,}")
    not_used.metric("Rows not used", f"{report.rows_rejected:,}")
    footers.metric("Footer and total lines removed", f"{report.footer_rows:,}")
    if report.rejections:
        st.markdown("**Rows not used, by reason**")
        st.markdown(_listed(report.rejections))
        examples = neutralise_frame(pd.DataFrame(report.example_rows))
        st.download_button(
            "Download example rows (CSV)",
            examples.to_csv(index=False).encode("utf-8"),
            file_name="rows-not-used.csv",
            mime="text/csv",
            icon=":material/download:",
        )
    if report.inferred:
        st.info(
            "**Columns chosen from their values**\n\n"
            + "\n".join(
                f"- {FIELD_LABELS[name]} ← “{plain(info['column'])}”: "
                f"{info['confidence']:.0%} sure ({plain(info['how'])})"
                for name, info in report.inferred.items()
            ),
            icon=":material/lightbulb:",
        )
    if report.warnings:
        st.warning("**Warnings** (these rows are kept)\n\n" + _listed(report.warnings), icon=":material/warning:")
    facts = [
        ("Source", report.source),
        (
            "File",
            f"{report.file_format}"
            + (f", {report.encoding}" if report.encoding else "")
            + (f", sheet {report.sheet}" if report.sheet else ""),
        ),
        ("Created", " to ".join(str(d) for d in report.created_range) if report.created_range[0] else "no dates"),
    ]
    if report.kind == "deals":
        facts += [
            ("Closed", " to ".join(str(d) for d in report.close_range) if report.close_range[0] else "no dates"),
            ("Outcomes", report.outcome_words()),
            (
                "Amount total",
                f"{report.amount_total:,.2f}"
                + (f" ({', '.join(report.currencies)})" if report.currencies else "")
                + ("; amounts read with decimal commas" if report.decimal_mark == "," else ""),
            ),
        ]
    if report.kind == "leads":
        facts.append(("Leads", report.outcome_words()))
    facts.append(("Source groups", ", ".join(f"{n:,} {g}" for g, n in report.source_groups.items()) or "none"))
    facts += [
        (f"{FIELD_LABELS[f]} (“{info['column']}”)", info["format"] + (" — please confirm" if info["ambiguous"] else ""))
        for f, info in report.date_formats.items()
    ]
    st.dataframe(pd.DataFrame(facts, columns=["Checked", "Found"]), hide_index=True, width="stretch")
    for note in report.notes:
        st.caption(plain(note))


def preview(result: ImportResult, rows: int = 50) -> None:
    """The first rows as they will be saved."""
    st.dataframe(result.frame.head(rows), hide_index=True, width="stretch")
    st.caption(f"The first {min(rows, len(result.frame)):,} of {len(result.frame):,} rows, as they will be saved.")

"""Properties over any deals table written in any supported CSV dialect: every row counted, values round-trip."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alignment.importing import propose_mapping, read_table, run_import

HEADER = ["Opportunity ID", "Opportunity Name", "Stage", "Amount", "Close Date"]
STAGES = ["Prospecting", "Closed Won", "Closed Lost", "Negotiation/Review"]
DATE_FORMATS = {"%Y-%m-%d": None, "%d/%m/%Y": True, "%m/%d/%Y": False, "%d.%m.%Y": True}
NAME_CHARACTERS = st.characters(
    codec="utf-8", exclude_characters="\r\x00", exclude_categories=("Cs", "Cc", "Zl", "Zp")
) | st.sampled_from([",", ";", "|", '"', "'", "\n", "é", "€"])


@st.composite
def deals(draw):
    count = draw(st.integers(1, 25))
    return [
        {
            "id": f"OPP-{i:04d}",
            "name": draw(st.text(NAME_CHARACTERS, min_size=1, max_size=20).filter(lambda s: s.strip())),
            "stage": draw(st.sampled_from(STAGES)),
            "amount": Decimal(draw(st.integers(-10_000_000, 10_000_000))) / 100,
            "close": draw(st.dates(date(2000, 1, 1), date(2099, 12, 31))),
            "broken": draw(st.booleans()) and draw(st.integers(0, 9)) == 0,  # about one in twenty: not a number
        }
        for i in range(count)
    ]


@st.composite
def dialects(draw):
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    return {
        "delimiter": delimiter,
        "quoting": draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])),
        "bom": draw(st.booleans()),
        "line_end": draw(st.sampled_from(["\n", "\r\n"])),
        "decimal_comma": delimiter != "," and draw(st.booleans()),
        "date_format": draw(st.sampled_from(list(DATE_FORMATS))),
        "footer": draw(st.booleans()),
    }


def written(rows: list[dict], dialect: dict) -> bytes:
    out = io.StringIO()
    writer = csv.writer(
        out, delimiter=dialect["delimiter"], quoting=dialect["quoting"], lineterminator=dialect["line_end"]
    )
    writer.writerow(HEADER)
    for row in rows:
        amount = "lots" if row["broken"] else f"{row['amount']:.2f}"
        if dialect["decimal_comma"]:
            amount = amount.replace(".", ",")
        writer.writerow([row["id"], row["name"], row["stage"], amount, row["close"].strftime(dialect["date_format"])])
    if dialect["footer"]:
        writer.writerow([f"Grand Totals ({len(rows)} records)"])
    text = out.getvalue()
    return (b"\xef\xbb\xbf" if dialect["bom"] else b"") + text.encode("utf-8")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=deals(), dialect=dialects())
def test_every_row_is_counted_and_every_value_round_trips(rows, dialect):
    raw = read_table(written(rows, dialect), "deals.csv")
    mapping = propose_mapping(raw.columns, "deals", raw.table)
    day_first = DATE_FORMATS[dialect["date_format"]]
    result = run_import(raw, mapping, date_choices={} if day_first is None else {"close_date": day_first})
    report = result.report
    broken = sum(row["broken"] for row in rows)
    assert report.rows_read == len(rows) + dialect["footer"]
    assert report.rows_read == report.rows_accepted + report.rows_rejected + report.footer_rows
    assert report.rows_rejected == broken
    assert report.footer_rows == int(dialect["footer"])
    kept = [row for row in rows if not row["broken"]]
    frame = result.frame
    assert frame["deal_id"].tolist() == [row["id"] for row in kept]
    assert frame["deal_name"].tolist() == [row["name"].strip() for row in kept]
    assert frame["stage"].tolist() == [row["stage"] for row in kept]
    assert [round(Decimal(str(a)), 2) for a in frame["amount"]] == [row["amount"] for row in kept]
    assert [d.date() for d in frame["close_date"]] == [row["close"] for row in kept]

"""Amount and date parsing: the forms CRMs write, decided per column, and never an exception."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alignment.importing.amounts import parse_amounts
from alignment.importing.dates import parse_dates


def amounts(*texts, comma_likely=False):
    return parse_amounts(pd.Series(texts, dtype="string"), comma_likely=comma_likely)


@pytest.mark.parametrize(
    ("text", "value", "currency"),
    [
        ("$1,234.00", 1234.0, "USD"),
        ("£9000", 9000.0, "GBP"),
        ("USD 1234", 1234.0, "USD"),
        ("1234 EUR", 1234.0, "EUR"),
        ("(1,234.50)", -1234.5, None),
        ("-€12", -12.0, "EUR"),
        ("1 234,50 €", 1234.5, "EUR"),
        ("1'234.50", 1234.5, None),
    ],
)
def test_amount_forms_are_read(text, value, currency):
    parsed = amounts(text)
    assert parsed.values[0] == pytest.approx(value)
    assert (parsed.currencies.iloc[0] if pd.notna(parsed.currencies.iloc[0]) else None) == currency
    assert not parsed.invalid[0]


def test_decimal_comma_is_decided_from_the_whole_column():
    assert amounts("1.234,50", "2.000", "7").values.tolist() == [1234.5, 2000.0, 7.0]
    assert amounts("1,234.50", "2,000", "7").values.tolist() == [1234.5, 2000.0, 7.0]


def test_lone_comma_reads_as_decimal_in_semicolon_files_only():
    assert amounts("1,250", comma_likely=True).values[0] == 1.25
    assert amounts("1,250").values[0] == 1250.0


def test_blank_and_dash_are_missing_amounts_not_errors():
    parsed = amounts("", "-", "n/a", None)
    assert np.isnan(parsed.values).all()
    assert not parsed.invalid.any()


def test_words_are_invalid_amounts():
    parsed = amounts("12", "twelve", "1e5x")
    assert parsed.invalid.tolist() == [False, True, True]


def dates(*texts, keep_time=False, day_first=None):
    return parse_dates(pd.Series(texts, dtype="string"), keep_time=keep_time, day_first=day_first)


@pytest.mark.parametrize(
    ("texts", "expected", "label"),
    [
        (["2024-01-22"], "2024-01-22 00:00:00", "YYYY-MM-DD"),
        (["2024-01-22T16:14:25.000+0000"], "2024-01-22 16:14:25", "ISO 8601 with time zone (read as UTC)"),
        (["2024-01-22T18:14:25+02:00"], "2024-01-22 16:14:25", "ISO 8601 with time zone (read as UTC)"),
        (["1/22/2024"], "2024-01-22 00:00:00", "MM/DD/YYYY"),
        (["22-01-24"], "2024-01-22 00:00:00", "DD-MM-YY"),
        (["02/23/26 08:55 PM"], "2026-02-23 20:55:00", "MM/DD/YY hh:mm AM/PM"),
        (["45313"], "2024-01-22 00:00:00", "Excel serial numbers"),
        (["20240122"], "2024-01-22 00:00:00", "YYYYMMDD"),
        (["Jan 22, 2024"], "2024-01-22 00:00:00", "dates with month names"),
    ],
)
def test_date_forms_are_read(texts, expected, label):
    parsed = dates(*texts, keep_time=True)
    assert str(parsed.values.iloc[0]) == expected
    assert parsed.format.label == label


def test_day_first_is_decided_per_column_not_per_row():
    parsed = dates("03/04/2024", "13/04/2024")
    assert parsed.format.label == "DD/MM/YYYY"
    assert [str(d.date()) for d in parsed.values] == ["2024-04-03", "2024-04-13"]


def test_column_that_never_shows_the_order_is_ambiguous_and_answerable():
    parsed = dates("03/04/2024", "05/06/2024")
    assert parsed.format.ambiguous
    assert parsed.format.alternative == "DD/MM/YYYY"
    answered = dates("03/04/2024", "05/06/2024", day_first=True)
    assert not answered.format.ambiguous
    assert str(answered.values.iloc[0].date()) == "2024-04-03"


def test_impossible_dates_are_invalid_and_far_dates_are_out_of_range_not_invalid():
    parsed = dates("31/02/2024", "1/1/1850", "banana", "", "9999-12-31")
    assert parsed.invalid.tolist() == [True, False, True, False, False]
    assert parsed.out_of_range.tolist() == [False, True, False, False, True]
    assert parsed.values.isna().all()


def test_deal_dates_drop_the_time_of_day():
    assert str(dates("2024-01-22 16:14").values.iloc[0]) == "2024-01-22 00:00:00"


STYLES = ["{sym}{n}", "{n} {code}", "{code} {n}", "{sym}{n}", "({sym}{n})"]


@st.composite
def written_amounts(draw):
    cents = draw(st.integers(min_value=0, max_value=10**11))
    value = Decimal(cents) / 100
    european = draw(st.booleans())
    grouped = f"{value:,.2f}"
    if european:
        grouped = grouped.replace(",", "_").replace(".", ",").replace("_", ".")
    if not draw(st.booleans()):
        grouped = grouped.replace("," if not european else ".", "")
    style = draw(st.sampled_from(STYLES))
    text = style.format(sym=draw(st.sampled_from(["$", "£", "€", ""])), n=grouped, code="EUR")
    sign = -1 if style.startswith("(") else 1
    return text, float(value) * sign, european


@settings(max_examples=300, deadline=None)
@given(written_amounts())
def test_written_amount_reads_back_as_its_value(case):
    text, value, european = case
    parsed = amounts(text, comma_likely=european)
    assert parsed.values[0] == pytest.approx(value, abs=0.001)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=20), st.none()), max_size=8))
def test_any_text_gives_an_amount_or_a_reason_never_an_exception(texts):
    parsed = amounts(*texts)
    given_text = np.array(
        [
            t is not None and t.strip().lower() not in ("", "-", "--", "n/a", "na", "null", "none", "nan", "#n/a")
            for t in texts
        ],
        dtype=bool,
    )
    assert len(parsed.values) == len(texts)
    assert (~np.isnan(parsed.values) | parsed.invalid | ~given_text).all()
    assert not (parsed.invalid & ~given_text).any()


DATE_PATTERNS = [
    ("%Y-%m-%d", None),
    ("%m/%d/%Y", False),
    ("%d.%m.%Y", True),
    ("%d-%m-%y", True),
    ("%Y%m%d", None),
    ("%m/%d/%y %I:%M %p", False),
]


@settings(max_examples=200, deadline=None)
@given(
    st.dates(min_value=pd.Timestamp("1970-01-01").date(), max_value=pd.Timestamp("2069-12-31").date()),
    st.sampled_from(DATE_PATTERNS),
)
def test_written_date_reads_back_as_its_day(day, pattern):
    """Two-digit years are read in 1970–2069, so the property holds over that window."""
    form, day_first = pattern
    parsed = dates(day.strftime(form), day_first=day_first)
    assert parsed.values.iloc[0].date() == day


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=25), st.none()), max_size=8))
def test_any_text_gives_a_date_or_a_reason_never_an_exception(texts):
    parsed = dates(*texts, keep_time=True)
    assert len(parsed.values) == len(texts)
    assert (
        parsed.values.notna().to_numpy()
        | parsed.invalid
        | np.array(
            [
                t is None or t.strip().lower() in ("", "-", "--", "n/a", "na", "null", "none", "nan", "#n/a")
                for t in texts
            ],
            dtype=bool,
        )
    ).all()

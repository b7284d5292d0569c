"""Line counts, the check that no record was lost or merged, hold for any text and any way of cutting it up."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from alignment.importing import records

PIECES = st.lists(st.sampled_from([b"\n", b"\r\n", b"\r", b"a", b"ab,c", b'"', b"\n\n", b"\r\n\r\n"]), max_size=40)


def by_hand(text: bytes, start: int) -> tuple[int, int]:
    """Lines of ``text[start:]`` (an unterminated last line counts) and the empty ones, by splitting on newlines."""
    parts = text[start:].split(b"\n")
    lines = len(parts) - (1 if text.endswith(b"\n") else 0)
    return lines, sum(part in (b"", b"\r") for part in parts[:-1])  # the last part has no newline after it


@given(PIECES, st.data(), st.sampled_from([1, 2, 3, 7, 64]), st.booleans())
def test_lines_and_empty_lines_are_counted_whatever_the_piece_size_or_threads(pieces, data, piece, threads):
    text = b"".join(pieces)
    start = data.draw(st.integers(0, len(text)))
    old = records._PIECE, records._PARALLEL_BYTES
    records._PIECE, records._PARALLEL_BYTES = piece, 0 if threads else 10**12
    try:
        assert records.line_counts(text, start) == by_hand(text, start)
    finally:
        records._PIECE, records._PARALLEL_BYTES = old


def test_a_known_text_is_counted_as_read_by_eye():
    # "h\n" + "a,1\r\n" + "\r\n" + "b,2\n" + "\n" + "c,3": after the header, 5 lines, 2 of them empty.
    text = b"h\na,1\r\n\r\nb,2\n\nc,3"
    assert records.line_counts(text, 2) == (5, 2)

"""User text, made safe to store and to show: one cleaning rule for names, one escaping rule for Markdown.

Two things can go wrong with text that people type (workshop and organisation names, team names,
actions, comments) or that arrives in files:

- *It can change how the app reads.* Streamlit renders labels, captions and headings as Markdown,
  and on top of CommonMark it turns bare URLs and e-mail addresses into links, ``:smile:`` into an
  emoji and ``:material/home:`` into an icon. Right-to-left override characters reverse the app's
  own text that follows them (a join code shown after a name would read backwards).
- *It can break storage.* PostgreSQL refuses a NUL character in text; a name of ten thousand
  characters fills the projector.

:func:`clean_text` removes what is invisible and dangerous (control characters, bidirectional
controls, zero-width characters); :func:`clean_name` also makes a name one line and enforces its
length cap with a sentence; :func:`markdown_literal` turns any text into Markdown that displays
exactly those characters.
"""

from __future__ import annotations

import re
import unicodedata

# Bidirectional controls: embeddings and overrides (U+202A–U+202E), isolates (U+2066–U+2069), the
# left-to-right, right-to-left and Arabic letter marks. Letters keep their own direction without them.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
# Invisible characters that can hide text or make two names look alike: zero-width space, word
# joiner and invisible operators, byte-order mark, soft hyphen, Mongolian vowel separator.
# Zero-width (non-)joiners stay: scripts and emoji sequences need them.
INVISIBLE = "\u200b\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u180e"
WORD_JOINER = "\u2060"
_REMOVED = re.compile(f"[{BIDI_CONTROLS}{INVISIBLE}\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"[\t\n\r\u2028\u2029\u0085]+")
_SPACES = re.compile(r"\s+")
MARKDOWN_CHARACTERS = frozenset("\\`*_{}[]()#+-.!|<>~$:=\"'&")
_JOIN_AFTER_COLON = re.compile(r":(?=[\w/+\-])")
_JOIN_WWW = re.compile(r"(?i)(?<=www)\.")


def clean_text(text: object) -> str:
    """``text`` in NFC form without control, bidirectional or zero-width characters.

    Tabs and line breaks stay (comments may have several lines); everything else below U+0020, DEL,
    the C1 controls (U+0080–U+009F), :data:`BIDI_CONTROLS` and :data:`INVISIBLE` are removed.
    """
    return _REMOVED.sub("", unicodedata.normalize("NFC", str(text or "")))


def one_line(text: object) -> str:
    """:func:`clean_text` on one line: line breaks and runs of spaces become one space; trimmed."""
    return _SPACES.sub(" ", _LINE_BREAKS.sub(" ", clean_text(text))).strip()


def clean_name(text: object, label: str, max_length: int) -> str:
    """A name: :func:`one_line`, refused when longer than ``max_length`` characters.

    Raises ``ValueError`` with one sentence when the result is too long (``label`` names the field:
    "A team name", "The workshop name").
    """
    name = one_line(text)
    if len(name) > max_length:
        raise ValueError(f"{label} can be at most {max_length} characters; this one has {len(name)}.")
    return name


def markdown_literal(text: object) -> str:
    """Markdown that Streamlit shows as exactly the characters of ``text``, never as markup.

    - :func:`clean_text` first removes bidirectional controls, so a right-to-left override in a name
      cannot reverse the app's own words after it;
    - a word joiner (U+2060, invisible) is put where Streamlit would otherwise recognise something
      after parsing, which no escape prevents: after a ``:`` that starts a word (``:smile:`` emoji,
      ``:material/…:`` icons, ``https://`` links), between ``www`` and its ``.`` (``www.`` links) and
      before ``@`` (e-mail addresses);
    - every Markdown character (:data:`MARKDOWN_CHARACTERS`) is backslash-escaped, so ``*``, ``#``,
      ``|``, ``[``, ``<`` and ``&amp;`` stay as typed.
    """
    joined = _JOIN_AFTER_COLON.sub(":" + WORD_JOINER, clean_text(text))
    joined = _JOIN_WWW.sub(WORD_JOINER + ".", joined).replace("@", WORD_JOINER + "@")
    return "".join("\\" + ch if ch in MARKDOWN_CHARACTERS else ch for ch in joined)

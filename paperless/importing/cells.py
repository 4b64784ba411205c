"""Pure normalisers for single spreadsheet cells, shared by every importer.

A cell arrives as whatever the reader produced: ``None``, ``str``, ``int``, ``float``,
``bool`` or a date. These functions turn it into the text an importer compares.
NFKC is applied only to code and number cells: it is lossy for ordinary text
(①, ㈱ and half-width katakana would change), so names keep their characters.
"""

from __future__ import annotations

import numbers
import re
import unicodedata
from datetime import date, datetime, time

# A header, a title, a month, a code or a count is a short line of text: a longer cell
# means none of them and is never matched against a pattern, so that reading any cell
# costs time in proportion to its length (a title above the table may be a sentence).
MAX_LABEL_CHARS = 200
_TRAILING_NOTE = re.compile(r"\([^()]*+\)$")
_IGNORED_IN_KEYS = re.compile(r"[\s_※*]")


def is_blank(value: object) -> bool:
    """True for an empty cell: None, or text that is only whitespace (full-width too)."""
    return value is None or (isinstance(value, str) and not value.strip())


def _number_text(value: numbers.Real) -> str:
    # Excel stores every number as a float: 110100.0 is the integer 110100.
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def normalize_code(value: object) -> str | None:
    """A code or number cell as text, None when blank.

    110100, 110100.0, "１１０１００" and " 110100 " all give "110100". Leading zeros in
    text cells are kept ("011000" stays "011000"); a number cell cannot carry them.
    """
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, numbers.Real):
        return _number_text(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    return text or None


def normalize_text(value: object) -> str:
    """A text cell trimmed, "" when blank. The characters themselves are not changed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, numbers.Real):
        return _number_text(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value).strip()


def normalize_key(value: object) -> str:
    """A header or keyword cell as compared: NFKC, case-folded, without spaces, "_",
    "※" or "*", and without a trailing note in brackets ("所属長メールアドレス（任意）")."""
    text = unicodedata.normalize("NFKC", normalize_text(value)).casefold().strip()
    text = _TRAILING_NOTE.sub("", text)
    return _IGNORED_IN_KEYS.sub("", text)


def column_letter(index: int) -> str:
    """The Excel letter of a 0-based column index: 0 → "A", 27 → "AB"."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters

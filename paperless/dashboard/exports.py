"""Safe cell values for CSV and Excel exports (formula injection).

A text cell that begins with = + - @, a tab or a carriage return is read as a formula
by spreadsheet programs, and so is one where such a sign follows leading blanks
(spaces, a no-break space, an ideographic space) or is written full width (＝ ＋ － ＠,
which Japanese input produces and some programs read as the ASCII sign). Such text
gets a leading apostrophe; numbers stay numbers, so a negative count exported as a
number is untouched.
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_SIGNS = ("=", "+", "-", "@", "＝", "＋", "－", "＠")
FORMULA_PREFIXES = (*FORMULA_SIGNS, "\t", "\r")
# Whitespace (\s covers U+00A0 and U+3000) and the zero-width characters that show as nothing.
_LEADING_BLANKS = re.compile(r"[\s\u200b\u2060\ufeff]*")


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet program could take ``text`` for a formula."""
    if text.startswith(FORMULA_PREFIXES):
        return True
    return text[_LEADING_BLANKS.match(text).end() :].startswith(FORMULA_SIGNS)


def neutralize(value: Any) -> Any:
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    return value


def neutralize_row(values: list[Any] | tuple[Any, ...]) -> list[Any]:
    return [neutralize(v) for v in values]

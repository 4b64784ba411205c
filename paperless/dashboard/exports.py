"""Safe cell values for CSV and Excel exports (formula injection).

A text cell that begins with = + - @, a tab or a carriage return is read as a formula
by spreadsheet programs. Such text gets a leading apostrophe; numbers stay numbers, so
a negative count exported as a number is untouched.
"""

from __future__ import annotations

from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralize_row(values: list[Any] | tuple[Any, ...]) -> list[Any]:
    return [neutralize(v) for v in values]

"""One cell's value as the counts import means it: a sheet count, a month, a code.

Pure. Each parser returns the value or an error code (``issues.ERROR_CODES``) so
callers can report the cell; they never raise on bad input. Counts and codes are
NFKC-normalised (full-width digits and commas become ASCII); names are not.
"""

from __future__ import annotations

import math
import numbers
import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from paperless.core.fiscal import month_start, parse_month
from paperless.importing.cells import MAX_LABEL_CHARS, normalize_code

# One trillion sheets: anything larger is a typo, and it keeps within a 64-bit column.
MAX_COUNT = 10**12
# Excel's serial day numbers for 1954..2173: a date cell that lost its format.
_SERIAL_MIN, _SERIAL_MAX = 20_000, 100_000
_EXCEL_EPOCH = date(1899, 12, 30)
# 1,234 / 1 234 / 1'234 as written; "枚" and "部" are units people type after numbers.
_SEPARATORS = re.compile(r"[,\s'_]")
_UNITS = ("枚", "部", "sheets", "sheet")
# Possessive: a digit run is read one way only, so a long run that does not end well
# fails at once instead of being split every possible way.
_NUMBER = re.compile(r"[+-]?(?:\d++(?:\.\d*+)?|\.\d++)(?:[eE][+-]?\d++)?", re.ASCII)
_DECIMAL_CODE = re.compile(r"\d++\.0++")
# "令和4年度", "R 4 年度", "2022年度": an era only where the year starts, spaces taken once.
_FISCAL_YEAR = re.compile(r"((?:(?:令和|平成|昭和|[RHS])\s*+)?(?:元|\d{1,4}+))\s*+年度")
_MONTH_NUMBER = re.compile(r"(\d{1,2})(?:月分?)?")
# Japanese accounting writes negatives with a triangle; U+2212 survives NFKC.
_NEGATIVE_MARKS = ("△", "▲", "−")

BLANK = "blank"


def is_blank(value: object) -> bool:
    return value is None or value == "" or (type(value) is str and not value.strip())


def parse_count(value: object) -> tuple[int | None, str | None]:
    """A non-negative whole number of sheets: (number, None), or (None, error code).

    Blank gives (None, None). Accepts integer and float cells (12000.0), numeric text
    with full-width digits, thousands separators, spaces, a trailing 枚, and
    exponent notation that CSV exports use for large numbers (1.2E+05).
    """
    kind = type(value)
    if kind is float:  # the common case: a number cell (python-calamine gives floats)
        if value.is_integer() and 0 <= value <= MAX_COUNT:
            return int(value), None
    elif kind is str:
        return _parse_count_text(value) if value.strip() else (None, None)
    if value is None:
        return None, None
    if isinstance(value, bool):
        return None, "not_a_number"
    if isinstance(value, numbers.Integral):
        return _checked(Decimal(int(value)))
    if isinstance(value, numbers.Real):
        number = float(value)
        if math.isnan(number) or math.isinf(number):
            return None, "not_a_number"
        return _checked(Decimal(repr(number)))
    if not isinstance(value, str):
        return None, "not_a_number"
    return _parse_count_text(value)


@lru_cache(maxsize=4096)
def _parse_count_text(value: str) -> tuple[int | None, str | None]:
    text = unicodedata.normalize("NFKC", value).strip()
    if len(text) > MAX_LABEL_CHARS:
        return None, "not_a_number"
    negative = text.startswith(_NEGATIVE_MARKS)
    if negative:
        text = text[1:]
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    text = _SEPARATORS.sub("", text)
    for unit in _UNITS:
        text = text.removesuffix(unit)
    if not text or not _NUMBER.fullmatch(text):
        return None, "not_a_number"
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None, "not_a_number"
    return _checked(-number if negative else number)


def _checked(number: Decimal) -> tuple[int | None, str | None]:
    if number < 0:
        return None, "negative_count"
    if number != number.to_integral_value():
        return None, "fractional_count"
    if number > MAX_COUNT:
        return None, "count_too_large"
    return int(number), None


def parse_month_value(value: object) -> date | None:
    """The month a cell means (a date cell, 202201, 2022年1月, 令和4年1月, R4.1, …)."""
    if type(value) is str:
        return _parse_month_text(value)
    if isinstance(value, datetime | date):
        return _month(value.year, value.month)
    if isinstance(value, bool):
        return None
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
        number = float(value)
        if _SERIAL_MIN <= number < _SERIAL_MAX:
            return month_start(_EXCEL_EPOCH + timedelta(days=int(number)))
    if isinstance(value, numbers.Integral) and _SERIAL_MIN <= int(value) < _SERIAL_MAX:
        return month_start(_EXCEL_EPOCH + timedelta(days=int(value)))
    if isinstance(value, str):
        return _parse_month_text(value)
    return parse_month(value)


@lru_cache(maxsize=4096)
def _month(year: int, month: int) -> date:
    # One object per month: records share it, which keeps them small to send between
    # processes (pickle writes a shared object once).
    return date(year, month, 1)


@lru_cache(maxsize=4096)
def _parse_month_text(value: str) -> date | None:
    found = parse_month(value)
    if found is None:
        # "2022-04-01T00:00:00" and friends from other systems' exports.
        text = unicodedata.normalize("NFKC", value).strip()
        try:
            found = month_start(datetime.fromisoformat(text))
        except ValueError:
            return None
    return found


def parse_code(value: object) -> str | None:
    """A department code as text: 110100, 110100.0, "１１０１００" are one code."""
    if type(value) is str:
        return _code_text(value)
    if type(value) is float and value.is_integer():
        return str(int(value))
    return normalize_code(value)


@lru_cache(maxsize=65_536)
def _code_text(value: str) -> str | None:
    code = normalize_code(value)
    if code is not None and len(code) <= MAX_LABEL_CHARS and _DECIMAL_CODE.fullmatch(code):
        code = code.split(".")[0]
    return code


def parse_fiscal_year(value: object) -> int | None:
    """The 年度 a title names (2022年度, 令和4年度, R4年度, 令和元年度), or None."""
    if not isinstance(value, str):
        return None
    text = unicodedata.normalize("NFKC", value)
    if len(text) > MAX_LABEL_CHARS:
        return None
    match = _FISCAL_YEAR.search(text)
    if not match:
        return None
    # December always lies in the fiscal year that is named after its calendar year.
    december = parse_month(f"{match[1]}年12月")
    return december.year if december else None


def month_number(value: object) -> int | None:
    """A month without its year: 4, 4.0, "4", "４月", "4月分" → 4."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value) if float(value).is_integer() and 1 <= value <= 12 else None
    if not isinstance(value, str):
        return None
    text = unicodedata.normalize("NFKC", value).strip()
    match = _MONTH_NUMBER.fullmatch(text) if len(text) <= MAX_LABEL_CHARS else None
    return int(match[1]) if match and 1 <= int(match[1]) <= 12 else None


def year_number(value: object) -> int | None:
    """A calendar year cell: 2022, "2022年", "令和4年", "R4"."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value) if float(value).is_integer() and 1900 <= value <= 2200 else None
    if not isinstance(value, str):
        return None
    text = unicodedata.normalize("NFKC", value).strip().removesuffix("年")
    december = parse_month(f"{text}年12月")
    return december.year if december else None


def fiscal_year_number(value: object) -> int | None:
    """A fiscal year cell: 2022, "2022年度", "令和4年度", "R4"."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return year_number(value)
    if not isinstance(value, str):
        return None
    text = unicodedata.normalize("NFKC", value).strip().removesuffix("年度")
    return parse_fiscal_year(f"{text}年度")


def key_text(value: object) -> str:
    """A name or keyword as compared: NFKC, case-folded, without any spaces."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value)).casefold()
    return re.sub(r"\s+", "", text)

"""Months, Japanese fiscal years (年度) and era (和暦) dates (DESIGN.md §2, Glossary).

Owns month arithmetic, fiscal years, their labels in 西暦 and 和暦, and reading the
month a cell, form field or URL names. Every figure in the dashboard is monthly, so a
month is a ``datetime.date`` on the first day of that month. A fiscal year is named
after the calendar year in which it starts: FY2022 runs from 2022-04 to 2023-03.

This module imports nothing from Django so it can be tested and reused on its own.
"""

from __future__ import annotations

import numbers
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

MIN_YEAR = 1900
MAX_YEAR = 2200
FY_FIRST_MONTH = 4


@dataclass(frozen=True)
class Era:
    """A Japanese era as dates are written in offices (DESIGN.md §2, Glossary: 令和4年度)."""

    name: str
    letter: str
    start: date
    # The last month with at least one day in this era; None for the current era.
    last_month: date | None


# Newest first, so the first era that started on or before a date is its era.
ERAS: tuple[Era, ...] = (
    Era("令和", "R", date(2019, 5, 1), None),
    Era("平成", "H", date(1989, 1, 8), date(2019, 4, 1)),
    Era("昭和", "S", date(1926, 12, 25), date(1989, 1, 1)),
)
_ERA_BY_TOKEN = {token: era for era in ERAS for token in (era.name, era.letter)}
_ERA_TOKENS = "|".join(_ERA_BY_TOKEN)

# re.ASCII so that only 0-9 count as digits; NFKC has already folded full-width ones.
_SEPARATED = re.compile(
    rf"(?P<era>{_ERA_TOKENS})?(?P<year>元|\d{{1,4}})(?P<sep>[-/.])(?P<month>\d{{1,2}})"
    r"(?:(?P=sep)(?P<day>\d{1,2}))?",
    re.ASCII,
)
_KANJI = re.compile(
    rf"(?P<era>{_ERA_TOKENS})?(?P<year>元|\d{{1,4}})年(?P<month>\d{{1,2}})月"
    r"(?:(?P<day>\d{1,2})日)?",
    re.ASCII,
)
_COMPACT = re.compile(r"(?P<year>\d{4})(?P<month>\d{2})", re.ASCII)
# "2022-01-01 00:00:00" is what str() of a spreadsheet datetime looks like. The match
# starts only where a run of separators starts and never gives back, so a search over
# text with long runs of spaces stays linear.
_TIME_SUFFIX = re.compile(r"(?<![T\s])[T\s]++\d{1,2}:\d{2}(?::\d{2}(?:\.\d++)?)?$", re.ASCII)
# The longest text tried as a month ("2022-01-01 00:00:00.000000" has 26 characters):
# longer text is no month, and no pattern ever sees it.
MAX_MONTH_TEXT = 64


def month_start(d: date) -> date:
    """The month containing ``d``, as its first day (a datetime loses its time): counts
    are per month (DESIGN.md §2, Counts)."""
    return date(d.year, d.month, 1)


def add_months(m: date, n: int) -> date:
    """The month ``n`` months after the month of ``m`` (before it when ``n`` < 0)
    (DESIGN.md §2, Periods)."""
    index = m.year * 12 + (m.month - 1) + n
    return date(index // 12, index % 12 + 1, 1)


def months_between(start: date, end: date) -> list[date]:
    """Every month from ``start`` to ``end``, both included; empty when end < start
    (DESIGN.md §2, Periods)."""
    first, last = month_start(start), month_start(end)
    count = (last.year - first.year) * 12 + (last.month - first.month) + 1
    return [add_months(first, i) for i in range(max(count, 0))]


def fiscal_year(d: date) -> int:
    """The 年度 containing ``d``: April to March, named after the April's year
    (DESIGN.md §2, Glossary)."""
    return d.year if d.month >= FY_FIRST_MONTH else d.year - 1


def fy_start(fy: int) -> date:
    """The first month (April) of fiscal year ``fy`` (DESIGN.md §2, Glossary)."""
    return date(fy, FY_FIRST_MONTH, 1)


def fy_end_month(fy: int) -> date:
    """The last month (March of the next calendar year) of fiscal year ``fy``
    (DESIGN.md §2, Glossary)."""
    return add_months(fy_start(fy), 11)


def fiscal_months(fy: int) -> list[date]:
    """The twelve months of fiscal year ``fy``, April first: a whole fiscal year
    (DESIGN.md §2, Periods)."""
    return months_between(fy_start(fy), fy_end_month(fy))


def fy_to_date_months(fy: int, latest: date) -> list[date]:
    """The months of ``fy`` up to and including ``latest``: the year-to-date window
    (DESIGN.md §2, Periods: FYTD)."""
    cutoff = month_start(latest)
    return [m for m in fiscal_months(fy) if m <= cutoff]


def shift_to_fiscal_year(m: date, fy: int) -> date:
    """The same calendar month in fiscal year ``fy``: a month's baseline month
    (DESIGN.md §2, Baseline).

    January 2022 belongs to FY2021; shifted to FY2020 it becomes January 2021.
    """
    year = fy if m.month >= FY_FIRST_MONTH else fy + 1
    return date(year, m.month, 1)


def latest_complete_month(today: date) -> date:
    """The month before ``today``'s: the current month's figures are still coming in
    (DESIGN.md §2, Periods)."""
    return add_months(month_start(today), -1)


def era_year(d: date) -> tuple[str, int]:
    """The era and its year for ``d``: ("令和", 4) in 2022. ValueError before 昭和
    (DESIGN.md §2, Glossary)."""
    day = date(d.year, d.month, d.day)  # a datetime does not compare with a date
    for era in ERAS:
        if day >= era.start:
            return era.name, day.year - era.start.year + 1
    raise ValueError(f"{day.isoformat()} is before the 昭和 era")


def _era_number(year: int) -> str:
    # The first year of an era is written 元, never 1.
    return "元" if year == 1 else str(year)


def fy_label(fy: int) -> str:
    """``2022年度`` (DESIGN.md §2, Glossary)."""
    return f"{fy}年度"


def fy_era_label(fy: int) -> str:
    """``令和4年度`` (DESIGN.md §2, Glossary).

    The era is the one that numbers calendar year ``fy`` (the era in force on its
    31 December), which is how offices name the years that straddle an era change:
    FY2019 opened in 平成31年 but is 令和元年度, FY1988 stays 昭和63年度.
    """
    name, year = era_year(date(fy, 12, 31))
    return f"{name}{_era_number(year)}年度"


def month_label(m: date) -> str:
    """``2022年1月``: how a month is shown (DESIGN.md §2, Periods; §4, Japanese first)."""
    return f"{m.year}年{m.month}月"


def month_era_label(m: date) -> str:
    """``令和4年1月`` (DESIGN.md §2, Glossary).

    A month that an era change splits takes the era of its last day, so 1989-01 is
    平成元年1月 (the era began on the 8th) and 2019-04 is still 平成31年4月.
    """
    last_day = add_months(m, 1) - timedelta(days=1)
    name, year = era_year(last_day)
    return f"{name}{_era_number(year)}年{m.month}月"


def format_month_iso(m: date) -> str:
    """``2022-01``: the form used in URLs, forms and files we write ourselves
    (DESIGN.md §2, Periods)."""
    return f"{m.year:04d}-{m.month:02d}"


def parse_month_iso(value: str) -> date:
    """Strict inverse of :func:`format_month_iso`; ValueError for anything else
    (DESIGN.md §2, Periods)."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", value, re.ASCII)
    month = _month(None, match[1], match[2]) if match else None
    if month is None:
        raise ValueError(f"not a YYYY-MM month: {value!r}")
    return month


def parse_month(value: object) -> date | None:
    """The month that a spreadsheet cell or form field means, or None (DESIGN.md §2,
    Counts: the month of a count).

    Accepts dates, the YYYYMM number (202201, also as 202201.0 because spreadsheets
    read numbers as floats), and text as offices write it: 2022-01, 2022/1/1, 202201,
    2022年1月分, 令和4年1月, R4.1, H31.4, in full-width characters too. A month
    without a year (4月) is ambiguous and gives None, as does any other number.
    """
    if isinstance(value, date):
        return _month(None, str(value.year), str(value.month))
    if isinstance(value, bool):
        return None
    if isinstance(value, numbers.Integral):
        value = str(int(value))
    elif isinstance(value, numbers.Real):
        number = float(value)
        value = str(int(number)) if number.is_integer() else ""
    if not isinstance(value, str):
        return None
    return _parse_text(value)


def _parse_text(value: str) -> date | None:
    text = unicodedata.normalize("NFKC", value).strip()
    if len(text) > MAX_MONTH_TEXT:
        return None
    text = _TIME_SUFFIX.sub("", text)
    text = re.sub(r"\s+", "", text).upper().removesuffix("分")
    for pattern in (_SEPARATED, _KANJI, _COMPACT):
        match = pattern.fullmatch(text)
        if match:
            groups = match.groupdict()
            return _month(groups.get("era"), match["year"], match["month"], groups.get("day"))
    return None


def _month(
    era_token: str | None, year_text: str, month_text: str, day_text: str | None = None
) -> date | None:
    """Validate the parts that a pattern matched and build the month, or None."""
    era = _ERA_BY_TOKEN[era_token] if era_token else None
    if era is None and year_text == "元":
        return None
    number = 1 if year_text == "元" else int(year_text)
    year = number if era is None else era.start.year + number - 1
    month = int(month_text)
    if not MIN_YEAR <= year <= MAX_YEAR or not 1 <= month <= 12:
        return None
    result = date(year, month, 1)
    if day_text is not None and not 1 <= int(day_text) <= _days_in_month(result):
        return None
    # Checked by month: 平成31年5月, 令和元年4月 and 令和0年 do not exist.
    if era is not None and not _in_era(result, era):
        return None
    return result


def _in_era(m: date, era: Era) -> bool:
    return month_start(era.start) <= m and (era.last_month is None or m <= era.last_month)


def _days_in_month(m: date) -> int:
    return (add_months(m, 1) - timedelta(days=1)).day

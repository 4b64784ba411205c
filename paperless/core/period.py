"""The months a figure covers, read from URL or command-line parameters (DESIGN.md §2,
Periods).

Owns ``Period`` and its parsing. Pure: no Django; ``today`` is always passed in
(callers take it in Tokyo time), so the same parameters give the same months in a test,
a page and a command.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from paperless.core.fiscal import (
    add_months,
    fiscal_months,
    fiscal_year,
    format_month_iso,
    fy_era_label,
    fy_to_date_months,
    latest_complete_month,
    month_label,
    months_between,
    parse_month_iso,
)

FIRST_FISCAL_YEAR = 2000
MAX_RANGE_MONTHS = 36


class PeriodError(ValueError):
    """A period asked for in a URL or on the command line that cannot be read or is not
    allowed, said in Japanese (DESIGN.md §2, Periods)."""


@dataclass(frozen=True)
class Period:
    """The months a figure covers: usually the fiscal year to the latest complete month
    (DESIGN.md §2, Periods).

    ``fy`` is the fiscal year of the last month: its policy judges the period and its
    end is what the projection looks at. ``kind`` says how the period was chosen
    (fytd, fy, range, latest), for the period form.
    """

    months: tuple[date, ...]
    fy: int
    kind: str = "fytd"

    @property
    def first(self) -> date:
        """The first month of the period."""
        return self.months[0]

    @property
    def last(self) -> date:
        """The last month of the period."""
        return self.months[-1]

    @property
    def label(self) -> str:
        """The period in words: ``令和4年度（2022年4月〜2022年9月）``, or the two months
        when it crosses fiscal years (DESIGN.md §2, Glossary)."""
        if len(self.months) == 1:
            return f"{fy_era_label(self.fy)}（{month_label(self.first)}）"
        if fiscal_year(self.first) != self.fy:
            return f"{month_label(self.first)}〜{month_label(self.last)}"
        return f"{fy_era_label(self.fy)}（{month_label(self.first)}〜{month_label(self.last)}）"

    @property
    def params(self) -> dict[str, str]:
        """URL parameters that name exactly these months (for exports and the report)
        (DESIGN.md §2, Periods)."""
        return {"from": format_month_iso(self.first), "to": format_month_iso(self.last)}

    @property
    def previous_months(self) -> tuple[date, ...]:
        """The same period one month earlier: to the month before (one month: that month),
        for the change since the previous month (DESIGN.md §2, Periods)."""
        return self.months[:-1] if len(self.months) > 1 else (add_months(self.first, -1),)


def fiscal_year_to_date(today: date) -> Period:
    """This fiscal year to the latest complete month before ``today``: the default period
    (DESIGN.md §2, Periods: fiscal year to date)."""
    latest = latest_complete_month(today)
    fy = fiscal_year(latest)
    return Period(months=tuple(fy_to_date_months(fy, latest)), fy=fy)


def _month(value: str, what: str) -> date:
    try:
        return parse_month_iso(value.strip())
    except ValueError:
        raise PeriodError(
            f"{what}「{value}」を年月として読めません。"
            "2023-01 のように YYYY-MM で指定してください。"
        ) from None


def parse_period(
    *,
    fy: str | int | None = None,
    start: str | None = None,
    end: str | None = None,
    latest: bool = False,
    today: date,
) -> Period:
    """The period that URL or command-line parameters ask for; PeriodError if unreadable.

    A month range wins over a fiscal year; ``latest`` is the latest complete month
    alone; a fiscal year is whole, or to date when it is the current one; nothing
    given is this fiscal year to date (the default of every page). A fiscal year after
    the current one is refused and the current one stops at the latest complete month;
    a month range is taken as asked (DESIGN.md §2, Periods).
    """
    newest = latest_complete_month(today)
    current_fy = fiscal_year(newest)
    if start or end:
        if not (start and end):
            raise PeriodError("期間は開始月と終了月の両方を指定してください。")
        first, last = _month(start, "開始月"), _month(end, "終了月")
        if last < first:
            raise PeriodError("終了月が開始月より前になっています。")
        months = months_between(first, last)
        if len(months) > MAX_RANGE_MONTHS:
            raise PeriodError(f"期間は{MAX_RANGE_MONTHS}か月以内で指定してください。")
        return Period(months=tuple(months), fy=fiscal_year(last), kind="range")
    if latest:
        return Period(months=(newest,), fy=current_fy, kind="latest")
    if fy not in (None, ""):
        try:
            year = int(str(fy).strip())
        except ValueError:
            raise PeriodError(
                f"年度「{fy}」を読めません。2022 のように西暦で指定してください。"
            ) from None
        if not FIRST_FISCAL_YEAR <= year <= current_fy:
            raise PeriodError(
                f"{year}年度は選べません。{FIRST_FISCAL_YEAR}年度から{current_fy}年度までで"
                "指定してください。"
            )
        months = fy_to_date_months(year, newest) if year == current_fy else fiscal_months(year)
        return Period(months=tuple(months), fy=year, kind="fy")
    return fiscal_year_to_date(today)

"""The months a figure covers, read from URL or command-line parameters (DESIGN.md §2,
Periods).

Owns ``Period`` and its parsing. Pure: no Django; ``today`` is always passed in
(callers take it in Tokyo time), so the same parameters give the same months in a test,
a page and a command.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import MINYEAR, date

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


def current_fiscal_year(today: date) -> int:
    """The fiscal year of the latest complete month: the last one a period may be in."""
    return fiscal_year(latest_complete_month(today))


def parse_period(
    *,
    fy: str | int | None = None,
    start: str | None = None,
    end: str | None = None,
    latest: bool = False,
    today: date,
    years: tuple[int, int] | None = None,
) -> Period:
    """The period that URL or command-line parameters ask for; PeriodError if unreadable.

    A month range wins over a fiscal year; ``latest`` is the latest complete month
    alone; a fiscal year is whole, or to date when it is the current one; nothing
    given is this fiscal year to date (the default of every page). ``years`` are the
    first and last fiscal years one may choose (``reads.periods.years_on_record``: the
    data and the policies say; without them, only the current one and those before).
    A fiscal year outside them is refused, and so is a range that ends after the latest
    complete month: its figures are not in yet (DESIGN.md §2, Periods).
    """
    newest = latest_complete_month(today)
    current_fy = fiscal_year(newest)
    if start or end:
        if not (start and end):
            raise PeriodError("期間は開始月と終了月の両方を指定してください。")
        first, last = _month(start, "開始月"), _month(end, "終了月")
        if last < first:
            raise PeriodError("終了月が開始月より前になっています。")
        if last > newest:
            raise PeriodError(
                f"{month_label(last)}はまだ締まっていません。"
                f"{month_label(newest)}までの月で指定してください。"
            )
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
        lowest, highest = years if years is not None else (MINYEAR, current_fy)
        highest = min(highest, current_fy)
        if not lowest <= year <= highest:
            raise PeriodError(
                f"{year}年度は選べません。{lowest}年度から{highest}年度までで指定してください。"
            )
        months = fy_to_date_months(year, newest) if year == current_fy else fiscal_months(year)
        return Period(months=tuple(months), fy=year, kind="fy")
    return fiscal_year_to_date(today)


def base_year_problem(period: Period, base_fy: int) -> str | None:
    """Why ``period`` has no reduction rate under a policy with base year ``base_fy``, or
    None when it has one (DESIGN.md §2, Periods: the base year itself has none).

    A month in the base year would be compared with itself (0% for everyone, every unit
    lagging); a month before it with a later year. Either says so instead.
    """
    years = sorted({fiscal_year(month) for month in period.months})
    if years[0] > base_fy:
        return None
    base = fy_era_label(base_fy)
    if base_fy in years:
        return f"{base}は基準年度のため、削減率はありません。基準年度より後の期間を選んでください。"
    return (
        f"{fy_era_label(years[0])}は基準年度（{base}）より前のため、削減率はありません。"
        "基準年度より後の期間を選んでください。"
    )

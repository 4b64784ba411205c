"""The fiscal years a period may be chosen from, and the base year that judges a period."""

from __future__ import annotations

from datetime import date

from django.db import connection

from paperless.core.fiscal import fiscal_year
from paperless.core.period import current_fiscal_year
from paperless.models import MonthlyCount, Policy

DEFAULT_BASE_FY: int = Policy._meta.get_field("base_fiscal_year").default


def years_on_record(today: date) -> tuple[int, int]:
    """(first, last) fiscal years one may choose, in one query (DESIGN.md §2, Periods).

    First: the earliest base year of any policy (the default base year when no policy is
    stored) or the earliest count on record, whichever is earlier; last: the current
    fiscal year. A programme measured against FY1995 reaches back to 1995.
    """
    qn = connection.ops.quote_name
    sql = (
        f"SELECT (SELECT MIN({qn('month')}) FROM {qn(MonthlyCount._meta.db_table)}), "
        f"(SELECT MIN({qn('base_fiscal_year')}) FROM {qn(Policy._meta.db_table)})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        first_month, first_base = cursor.fetchone()
    last = current_fiscal_year(today)
    first = DEFAULT_BASE_FY if first_base is None else int(first_base)
    if first_month is not None:
        if isinstance(first_month, str):  # SQLite returns the aggregate of a date as text
            first_month = date.fromisoformat(first_month)
        first = min(first, fiscal_year(first_month))
    return min(first, last), last


def base_year_for(period_fy: int) -> int:
    """The base fiscal year of the policy that judges a period ending in ``period_fy``."""
    return Policy.for_fiscal_year(period_fy).base_fiscal_year

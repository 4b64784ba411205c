"""Data for the alert tests: the conftest ``tree`` with counts that make a plan.

As of Monday 16 January 2023 (latest complete month: December 2022, deadline 10
January passed): 堺区 市民課 and 市民税課 are lagging, 中区 市民課 has not
reported December, 堺区 企画総務課 is ahead.
"""

from __future__ import annotations

from datetime import date

from paperless.core.fiscal import fiscal_months, fiscal_year, fy_to_date_months, months_between
from paperless.models import MonthlyCount, Unit

AS_OF = date(2023, 1, 16)
WEEK = date(2023, 1, 16)
FYTD = months_between(date(2022, 4, 1), date(2022, 12, 1))
LEVELS = {"sakai_shimin": 80, "sakai_kikaku": 60, "naka_shimin": 60, "zeimu": 75}
NOT_REPORTED = {("naka_shimin", date(2022, 12, 1))}


def add_alert_counts(tree: dict[str, Unit], levels: dict[str, int] | None = None) -> None:
    rows = []
    for key, level in (levels or LEVELS).items():
        unit = tree[key]
        for month in fiscal_months(2020):
            rows.append(MonthlyCount(department=unit, month=month, print_sheets=60, copy_sheets=40))
        for month in FYTD:
            if (key, month) not in NOT_REPORTED:
                rows.append(
                    MonthlyCount(
                        department=unit, month=month, print_sheets=level - 30, copy_sheets=30
                    )
                )
    MonthlyCount.objects.bulk_create(rows)


def add_counts_until(tree: dict[str, Unit], latest: date) -> None:
    """The same pattern for the fiscal year up to ``latest`` (for runs as of today)."""
    months = fy_to_date_months(fiscal_year(latest), latest)
    rows = []
    for key, level in LEVELS.items():
        unit = tree[key]
        for month in fiscal_months(2020):
            rows.append(MonthlyCount(department=unit, month=month, print_sheets=60, copy_sheets=40))
        for month in months:
            if key == "naka_shimin" and month == latest:
                continue
            rows.append(
                MonthlyCount(department=unit, month=month, print_sheets=level - 30, copy_sheets=30)
            )
    MonthlyCount.objects.bulk_create(rows)


def expected_messages() -> set[tuple[str, str]]:
    """(recipient, kind) of every message for AS_OF with the ``users`` fixture."""
    return {
        ("shimin.sakai@city.sakai.example", "lagging"),
        ("head@city.sakai.example", "lagging"),  # the department-head user of 堺区 市民課
        ("shiminzei@city.sakai.example", "lagging"),
        ("shimin.naka@city.sakai.example", "missing"),
        ("manager@city.sakai.example", "manager"),
        ("executive@city.sakai.example", "digest"),
    }

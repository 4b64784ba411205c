"""Database → pandas DataFrames: one query per concept, never one per row or unit.

These are the frames metrics.py expects (see its module docstring).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from django.db.models import Max, Q

from .fiscal import fiscal_months
from .metrics import Rules
from .models import MonthlyCount, Policy, Unit

UNIT_COLUMNS = ["code", "name", "kind", "parent", "active", "sort_order", "id"]
COUNT_COLUMNS = ["department", "month", "print_sheets", "copy_sheets", "excluded_sheets"]


def units_frame() -> pd.DataFrame:
    rows = Unit.objects.values_list(
        "code", "name", "kind", "parent__code", "active", "sort_order", "pk"
    ).order_by("sort_order", "code")
    return pd.DataFrame(list(rows), columns=UNIT_COLUMNS)


def predecessors_frame() -> pd.DataFrame:
    through = Unit.predecessors.through
    rows = through.objects.values_list("from_unit__code", "to_unit__code")
    return pd.DataFrame(list(rows), columns=["unit", "predecessor"])


def counts_frame(*, months: list[date], base_fy: int) -> pd.DataFrame:
    """Counts of the given months and of the whole base fiscal year, in one query."""
    base = fiscal_months(base_fy)
    query = Q(month__in=sorted(set(months))) | Q(month__gte=base[0], month__lte=base[-1])
    rows = (
        MonthlyCount.objects.filter(query)
        .values_list("department__code", "month", "print_sheets", "copy_sheets", "excluded_sheets")
        .order_by()
    )
    frame = pd.DataFrame(list(rows), columns=COUNT_COLUMNS)
    return frame.astype({"print_sheets": "int64", "copy_sheets": "int64"})


def latest_reported_month() -> date | None:
    return MonthlyCount.objects.aggregate(latest=Max("month"))["latest"]


def rules_for(fy: int) -> Rules:
    policy = Policy.for_fiscal_year(fy)
    return Rules(
        base_fy=policy.base_fiscal_year,
        threshold=float(policy.threshold),
        city_goal=float(policy.city_goal) if policy.city_goal is not None else None,
        status_basis=policy.status_basis,
    )

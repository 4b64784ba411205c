"""Database → pandas DataFrames: one query per concept, never one per row or unit.

These are the frames the pure core expects (see ``paperless.core.rollup``).
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Max, Q, QuerySet

from paperless.core.baselines import baseline_sources
from paperless.core.fiscal import fiscal_months
from paperless.core.rates import DEPARTMENT, Rules
from paperless.models import MonthlyCount, Policy, Succession, Unit

UNIT_COLUMNS = ["code", "name", "kind", "parent", "active", "sort_order", "id"]
# The longest list of ids put in an SQL IN (...): SQLite's parameter limit is low.
MAX_IN_LIST = 500 if connection.vendor == "sqlite" else 30_000
COUNT_COLUMNS = ["department", "month", "print_sheets", "copy_sheets", "excluded_sheets"]


def units_frame(*, with_emails: bool = False) -> pd.DataFrame:
    """Every unit in display order (one query); ``with_emails`` adds the column
    ``head_emails`` the alerts need and the pages do not."""
    columns = [*UNIT_COLUMNS, "head_emails"] if with_emails else UNIT_COLUMNS
    fields = ["code", "name", "kind", "parent__code", "active", "sort_order", "pk"]
    if with_emails:
        fields.append("head_emails")
    rows = Unit.objects.values_list(*fields).order_by("sort_order", "code")
    return pd.DataFrame(list(rows), columns=columns)


def predecessors_frame() -> pd.DataFrame:
    """unit, predecessor, share (NaN: not stated), predecessor_active: the links of the
    reorganisations, as ``core.baselines`` weighs them."""
    rows = Succession.objects.values_list(
        "from_unit__code", "to_unit__code", "share", "to_unit__active"
    )
    frame = pd.DataFrame(list(rows), columns=["unit", "predecessor", "share", "predecessor_active"])
    return frame.astype({"share": "float64", "predecessor_active": bool})


def counts_frame(
    *, months: list[date], base_fy: int, departments: list[int] | None = None
) -> pd.DataFrame:
    """Counts of the given months and of the whole base fiscal year, in one query;
    of the ``departments`` (unit ids) only, when given."""
    base = fiscal_months(base_fy)
    query = Q(month__in=sorted(set(months))) | Q(month__gte=base[0], month__lte=base[-1])
    rows = MonthlyCount.objects.filter(query).order_by()
    if departments is not None:
        rows = rows.filter(department_id__in=departments)
    if connection.vendor == "postgresql":
        return _packed_counts(rows)
    values = rows.values_list(
        "department__code", "month", "print_sheets", "copy_sheets", "excluded_sheets"
    )
    frame = pd.DataFrame(list(values), columns=COUNT_COLUMNS)
    return frame.astype({"print_sheets": "int64", "copy_sheets": "int64"})


# On PostgreSQL the rows leave the database as one bytea of fixed-size big-endian
# records, read by numpy: no Python object per row (building 50,000 row tuples cost
# more than the query itself).
_PACKED_ROW = np.dtype(
    [
        ("department", ">i8"),
        ("day", ">i4"),  # days since 2000-01-01
        ("print_sheets", ">i8"),
        ("copy_sheets", ">i8"),
        ("excluded_sheets", ">i8"),  # -1: not stated
    ]
)
_PACK = (
    "SELECT string_agg(int8send(c.department_id) || int4send(c.month - DATE '2000-01-01')"
    " || int8send(c.print_sheets) || int8send(c.copy_sheets)"
    " || int8send(COALESCE(c.excluded_sheets, -1)), ''::bytea)"
    " FROM ({rows}) AS c(department_id, month, print_sheets, copy_sheets, excluded_sheets)"
)
_DAY_ZERO = date(2000, 1, 1)


def _packed_counts(rows: QuerySet) -> pd.DataFrame:
    """``counts_frame`` on PostgreSQL: the rows packed by the database, read by numpy."""
    values = rows.values_list(
        "department_id", "month", "print_sheets", "copy_sheets", "excluded_sheets"
    )
    try:
        sql, params = values.query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing
        data = None
    else:
        with connection.cursor() as cursor:
            cursor.execute(_PACK.replace("{rows}", sql), params)
            (data,) = cursor.fetchone()
    table = np.frombuffer(bytes(data or b""), _PACKED_ROW)
    codes = dict(Unit.objects.values_list("pk", "code"))
    ids, id_index = np.unique(table["department"], return_inverse=True)
    days, day_index = np.unique(table["day"], return_inverse=True)
    firsts = np.array([_DAY_ZERO + timedelta(days=int(d)) for d in days], dtype=object)
    excluded = table["excluded_sheets"].astype("float64")
    excluded[excluded < 0] = np.nan
    return pd.DataFrame(
        {
            "department": np.array([codes[int(i)] for i in ids], dtype=object)[id_index],
            "month": firsts[day_index],
            "print_sheets": table["print_sheets"].astype("int64"),
            "copy_sheets": table["copy_sheets"].astype("int64"),
            "excluded_sheets": excluded,
        },
        columns=COUNT_COLUMNS,
    )


def counts_below(
    units: pd.DataFrame,
    predecessors: pd.DataFrame,
    *,
    codes: list[str],
    months: list[date],
    base_fy: int,
) -> pd.DataFrame:
    """``counts_frame`` for what the figures of a unit and the units below it need
    (``codes``: the unit first, then every unit below it, as ``tree.preorder`` gives
    them): their departments' counts and their predecessors' (baselines pass to heirs).
    At the root, or for more departments than an SQL list takes, every count: the
    figures are the same, only more rows are read."""
    info = units.set_index("code")
    if not isinstance(info.at[codes[0], "parent"], str):
        return counts_frame(months=months, base_fy=base_fy)
    below = info.loc[codes]
    below = below.index[below["kind"] == DEPARTMENT]
    sources = info.loc[sorted(baseline_sources(below, predecessors)), "id"].tolist()
    if len(sources) > MAX_IN_LIST:
        return counts_frame(months=months, base_fy=base_fy)
    return counts_frame(months=months, base_fy=base_fy, departments=sources)


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

"""Database → pandas DataFrames: one query per concept, never one per row or unit.

These are the frames metrics.py expects (see its module docstring).
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
from django.db import connection
from django.db.models import Max, Q, QuerySet, Value
from django.db.models.functions import Coalesce

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
    rows = MonthlyCount.objects.filter(query).order_by()
    if connection.vendor == "postgresql":
        return _copied_counts(rows)
    values = rows.values_list(
        "department__code", "month", "print_sheets", "copy_sheets", "excluded_sheets"
    )
    frame = pd.DataFrame(list(values), columns=COUNT_COLUMNS)
    return frame.astype({"print_sheets": "int64", "copy_sheets": "int64"})


# PostgreSQL's binary COPY of (department id, month, print, copy, excluded or -1): a
# field count, then each field's length and big-endian value. Every field is NOT NULL
# and of fixed size, so the rows are one numpy record array with no Python object per
# row (building 50,000 row tuples cost more than the query).
_COPY_ROW = np.dtype(
    [("fields", ">i2")]
    + [
        item
        for name, kind in [
            ("department", ">i8"),
            ("day", ">i4"),  # days since 2000-01-01
            ("print_sheets", ">i8"),
            ("copy_sheets", ">i8"),
            ("excluded_sheets", ">i8"),
        ]
        for item in ((f"{name}_size", ">i4"), (name, kind))
    ]
)
_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # signature, flags 0, no extension
_COPY_TRAILER = b"\xff\xff"
_PG_EPOCH = date(2000, 1, 1)


def _copied_counts(rows: QuerySet) -> pd.DataFrame:
    """``counts_frame`` through ``COPY … TO STDOUT (FORMAT BINARY)``, read by numpy."""
    values = rows.values_list(
        "department_id",
        "month",
        "print_sheets",
        "copy_sheets",
        Coalesce("excluded_sheets", Value(-1)),
    )
    sql, params = values.query.sql_with_params()
    data = bytearray()
    with connection.cursor() as cursor:
        query = cursor.mogrify(sql, params)  # COPY takes no parameters: psycopg merges them
        with cursor.copy(f"COPY ({query}) TO STDOUT (FORMAT BINARY)") as copy:
            for block in copy:
                data += block
    if not (data.startswith(_COPY_HEADER) and data.endswith(_COPY_TRAILER)):
        raise ValueError("unexpected COPY header or trailer")
    table = np.frombuffer(bytes(data[len(_COPY_HEADER) : -len(_COPY_TRAILER)]), _COPY_ROW)
    sizes = [table[f"{name}_size"] for name in _COPY_ROW.names[2::2]]
    expected = [_COPY_ROW[name].itemsize for name in _COPY_ROW.names[2::2]]
    if (table["fields"] != 5).any() or any(
        (size != want).any() for size, want in zip(sizes, expected, strict=True)
    ):
        raise ValueError("unexpected COPY row layout")
    codes = dict(Unit.objects.values_list("pk", "code"))
    ids, id_index = np.unique(table["department"], return_inverse=True)
    days, day_index = np.unique(table["day"], return_inverse=True)
    firsts = np.array([_PG_EPOCH + timedelta(days=int(d)) for d in days], dtype=object)
    excluded = table["excluded_sheets"].astype("float64")
    excluded[excluded < 0] = np.nan
    return pd.DataFrame(
        {
            "department": np.array([codes[int(i)] for i in ids], dtype=object)[id_index],
            "month": firsts[day_index],
            "print_sheets": table["print_sheets"].astype("int64"),
            "copy_sheets": table["copy_sheets"].astype("int64"),
            "excluded_sheets": excluded,
        }
    )


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

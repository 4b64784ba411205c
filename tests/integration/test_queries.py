"""The frames the pure core reads: the same rows whichever way they leave the database."""

from __future__ import annotations

from datetime import date

import pandas as pd
from django.db import connection

from paperless.core.fiscal import fiscal_months
from paperless.models import MonthlyCount
from paperless.reads import frames
from tests.conftest import add_counts, service_unavailable

BASE = fiscal_months(2020)
FY22 = fiscal_months(2022)[:3]


def test_counts_frame_reads_the_months_asked_and_the_whole_base_year(tree):
    add_counts(tree["sakai_shimin"], BASE + FY22, 600, 400, excluded=150)
    add_counts(tree["naka_shimin"], BASE[:2] + FY22[:1], 70, 30)  # excluded not stated
    add_counts(tree["naka_shimin"], [date(2021, 4, 1)], 1, 1)  # neither asked nor base
    frame = frames.counts_frame(months=FY22[:2], base_fy=2020)
    assert len(frame) == 12 + 2 + 2 + 1
    assert set(frame["month"]) == set(BASE) | set(FY22[:2])
    assert all(type(m) is date for m in frame["month"])
    naka = frame[frame["department"] == "120100"].sort_values("month")
    assert naka["print_sheets"].tolist() == [70, 70, 70]
    assert naka["excluded_sheets"].isna().all()
    sakai = frame[frame["department"] == "110100"]
    assert (sakai["excluded_sheets"] == 150).all()
    assert frame["print_sheets"].dtype == "int64" and frame["copy_sheets"].dtype == "int64"


def test_postgresql_packed_rows_give_the_frame_the_orm_gives(tree):
    if connection.vendor != "postgresql":
        service_unavailable("the packed path needs PostgreSQL (set DATABASE_URL)")
    add_counts(tree["sakai_shimin"], BASE + FY22, 600, 400, excluded=150)
    add_counts(tree["sakai_kikaku"], BASE + FY22, 2**40, 7, excluded=0)
    add_counts(tree["naka_shimin"], BASE + FY22[:1], 70, 30)
    rows = MonthlyCount.objects.order_by()
    copied = frames._packed_counts(rows)
    values = rows.values_list(
        "department__code", "month", "print_sheets", "copy_sheets", "excluded_sheets"
    )
    orm = pd.DataFrame(list(values), columns=frames.COUNT_COLUMNS)
    orm["excluded_sheets"] = orm["excluded_sheets"].astype("float64")
    key = ["department", "month"]
    pd.testing.assert_frame_equal(
        copied.sort_values(key, ignore_index=True),
        orm.sort_values(key, ignore_index=True),
        check_dtype=False,
    )
    assert len(copied) == 12 + 3 + 12 + 3 + 12 + 1
    assert frames._packed_counts(rows.none()).empty

"""What the counts import reads before it validates: units, the counts on file, baselines.

Plain values in a fixed number of queries per file, whatever its size: the units (one
query), the counts on file for the file's departments and months (one), and each
department's baseline month (two, through ``frames`` and the core's baselines).
``paperless.importing.counts.context`` assembles them into the validation context.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from django.db import connection

from paperless.core import baselines
from paperless.core.fiscal import fy_end_month
from paperless.models import MonthlyCount, Unit
from paperless.reads import frames

# (id, department id, month, print_sheets, copy_sheets, excluded_sheets, note)
CountRow = tuple[int, int, date, int, int, int | None, str]


def unit_rows() -> list[tuple[int, str, str, str]]:
    """(id, code, name, kind) of every unit (one query)."""
    return list(Unit.objects.values_list("id", "code", "name", "kind").order_by())


def existing_counts(
    ids: set[int], months: set[date], *, for_update: bool = False
) -> list[CountRow]:
    """The counts on file of the departments ``ids`` in ``months`` (one query).

    ``for_update`` locks the rows (SELECT … FOR UPDATE) where the database can: the
    commit reads them again inside its transaction.
    """
    if not ids or not months:
        return []
    query = MonthlyCount.objects.filter(month__in=sorted(months)).order_by()
    if len(ids) <= frames.MAX_IN_LIST:  # else the other departments' rows are dropped below
        query = query.filter(department_id__in=sorted(ids))
    if for_update and connection.features.has_select_for_update:
        query = query.select_for_update()
    rows = query.values_list(
        "id", "department_id", "month", "print_sheets", "copy_sheets", "excluded_sheets", "note"
    )
    return [row for row in rows if row[1] in ids]


def baseline_totals(
    ids: Mapping[str, int], months: set[date], base_fy: int
) -> dict[tuple[int, int], int]:
    """(department id, calendar month) → total sheets of that month in the base FY.

    ``ids`` maps unit codes to ids. Nothing is read when no month of the file comes
    after the base fiscal year (nothing would be compared with a baseline).
    """
    if not any(m > fy_end_month(base_fy) for m in months):
        return {}
    counts = frames.counts_frame(months=[], base_fy=base_fy)
    if counts.empty:
        return {}
    base = baselines.baseline_frame(counts, frames.predecessors_frame(), base_fy=base_fy)
    return {
        (ids[code], month.month): int(total)
        for code, month, total in zip(base["department"], base["month"], base["total"], strict=True)
        if code in ids
    }

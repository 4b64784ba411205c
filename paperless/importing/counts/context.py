"""Read what validation needs from the database: a fixed number of queries per file.

Units (one query), the user's scope (two or three, via permissions), the counts on
file for the file's departments and months (one), and, when the file has months after
the base fiscal year, each department's baseline month (two, via queries/metrics).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db import connection

from paperless.access.permissions import is_administrator, uploadable_unit_ids
from paperless.core import metrics
from paperless.core.fiscal import fy_end_month
from paperless.importing.counts.parse import Record
from paperless.importing.counts.template import Department
from paperless.importing.counts.validate import Context, Existing, UnitInfo, UnitLookup
from paperless.models import MonthlyCount, Policy, Unit
from paperless.reads import frames
from paperless.reads.units import subtree_ids


def load_units() -> dict[str, UnitInfo]:
    rows = Unit.objects.values_list("id", "code", "name", "kind").order_by()
    return {code: UnitInfo(pk, code, name, kind) for pk, code, name, kind in rows}


def user_scope(user) -> frozenset[int] | None:
    """Departments the user may upload for; None for an administrator (or no user:
    the command line without --user acts as one)."""
    if user is None or is_administrator(user):
        return None
    return frozenset(uploadable_unit_ids(user))


def load_existing(
    ids: set[int], months: set[date], *, for_update: bool = False
) -> dict[tuple[int, date], Existing]:
    if not ids or not months:
        return {}
    query = MonthlyCount.objects.filter(month__in=sorted(months)).order_by()
    if len(ids) <= frames.MAX_IN_LIST:  # else the other departments' rows are dropped below
        query = query.filter(department_id__in=sorted(ids))
    if for_update and connection.features.has_select_for_update:
        query = query.select_for_update()
    rows = query.values_list(
        "id", "department_id", "month", "print_sheets", "copy_sheets", "excluded_sheets", "note"
    )
    return {
        (department, month): Existing(pk, p, c, e, note)
        for pk, department, month, p, c, e, note in rows
        if department in ids
    }


def load_baseline(
    units: dict[str, UnitInfo], months: set[date], base_fy: int
) -> dict[tuple[int, int], int]:
    """(department id, calendar month) → total sheets of that month in the base FY."""
    if not any(m > fy_end_month(base_fy) for m in months):
        return {}
    counts = frames.counts_frame(months=[], base_fy=base_fy)
    if counts.empty:
        return {}
    base = metrics.baseline_frame(counts, frames.predecessors_frame(), base_fy=base_fy)
    ids = {code: unit.id for code, unit in units.items()}
    return {
        (ids[code], month.month): int(total)
        for code, month, total in zip(base["department"], base["month"], base["total"], strict=True)
        if code in ids
    }


def load_context(
    records: Sequence[Record], *, user, today: date, for_update: bool = False
) -> Context:
    units = load_units()
    policy = Policy.for_date(today)
    lookup = UnitLookup(units)
    ids = {unit.id for record in records if (unit := lookup.get(record.code)) is not None}
    months = {record.month for record in records}
    return Context(
        units=units,
        today=today,
        base_fy=policy.base_fiscal_year,
        threshold=float(policy.threshold),
        scope=user_scope(user),
        existing=load_existing(ids, months, for_update=for_update),
        baseline=load_baseline(units, months, policy.base_fiscal_year),
    )


def template_departments(user, code: str | None) -> list[Department]:
    """Active departments the user may upload for, within unit ``code`` when given."""
    ids = uploadable_unit_ids(user)
    if code:
        children: dict[int | None, list[int]] = {}
        root = None
        for pk, parent, unit_code in Unit.objects.values_list("pk", "parent_id", "code"):
            children.setdefault(parent, []).append(pk)
            root = pk if unit_code == code else root
        ids &= subtree_ids([root] if root is not None else [], children)
    rows = (
        Unit.objects.filter(pk__in=ids, active=True)
        .order_by("sort_order", "code")
        .values_list("code", "name")
    )
    return [Department(unit_code, name) for unit_code, name in rows]

"""Reads for pages, commands and e-mails: database frames → core figures, in a few frames.

Every function here runs a fixed number of queries whatever the size of the org tree
or the number of months: frames come from ``frames`` (one query per concept) and the
arithmetic from ``paperless.core``; the tree walks and joins are pandas on those frames.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from paperless.core import rollup
from paperless.core.fiscal import (
    format_month_iso,
)
from paperless.core.period import Period
from paperless.core.records import to_records
from paperless.core.tree import preorder
from paperless.models import ActionNote, AlertDelivery, MonthlyCount, Unit, Upload
from paperless.reads import frames

# --- Summary for machines (command and JSON URL) ------------------------------------

SUMMARY_FIELDS = (
    "code",
    "name",
    "kind",
    "current",
    "baseline",
    "rate",
    "adjusted_rate",
    "status",
    "gap",
    "coverage",
)


def _rounded(value: Any) -> Any:
    return round(value, 4) if isinstance(value, float) else value


def unit_summary(*, code: str, period: Period, visible_ids: set[int] | None) -> dict[str, Any]:
    """``{"period": {"from", "to"}, "units": [...]}`` for ``code`` and every unit below.

    Rates and coverage are fractions rounded to four places, None where undefined.
    Five queries; below the city only the counts the unit's figures need.
    """
    rules = frames.rules_for(period.fy)
    units, preds = frames.units_frame(), frames.predecessors_frame()
    months = list(period.months)
    codes = preorder(units, code)
    counts = frames.counts_below(units, preds, codes=codes, months=months, base_fy=rules.base_fy)
    summary = rollup.summarize(counts, units, preds, months=months, rules=rules)
    if visible_ids is not None:
        ids = dict(zip(units["code"], units["id"], strict=True))
        codes = [c for c in codes if ids[c] in visible_ids]
    records = to_records(summary.loc[codes])
    rows = [{k: _rounded(r[k]) for k in SUMMARY_FIELDS} for r in records]
    return {
        "period": {"from": format_month_iso(period.first), "to": format_month_iso(period.last)},
        "units": rows,
    }


# --- One department: what it sent, what it was sent, what it does ---------------------


@dataclass(frozen=True)
class DepartmentActivity:
    uploads: list[Upload]
    alerts: list[AlertDelivery]
    notes: list[ActionNote]


def department_activity(unit: Unit, *, limit: int = 20) -> DepartmentActivity:
    """The latest uploads that touched the department, alerts about it, its notes (3 queries)."""
    uploads = (
        Upload.objects.filter(pk__in=MonthlyCount.objects.filter(department=unit).values("upload"))
        | Upload.objects.filter(scope=unit)
    ).select_related("uploaded_by")
    alerts = AlertDelivery.objects.filter(units=unit).order_by("-week", "kind")
    notes = ActionNote.objects.filter(department=unit).select_related("author")
    return DepartmentActivity(
        uploads=list(uploads.distinct().order_by("-uploaded_at")[:limit]),
        alerts=list(alerts[:limit]),
        notes=list(notes),
    )


def latest_notes(dept_codes: list[str]) -> dict[str, ActionNote]:
    """The newest action note of each department (one query)."""
    notes = ActionNote.objects.filter(department__code__in=dept_codes).select_related("department")
    latest: dict[str, ActionNote] = {}
    for note in notes.order_by("department_id", "-noted_on", "-created_at"):
        latest.setdefault(note.department.code, note)
    return latest


def root_unit() -> Unit | None:
    return Unit.objects.filter(parent__isnull=True).order_by("sort_order", "code").first()

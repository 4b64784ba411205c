"""What departments sent, were sent and do: uploads, alerts, action notes, last reports.

Each function is one query (``department_activity`` three), whatever the number of
departments: the dashboard's last-report and note columns come from one aggregate
each, not a query per row.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from django.db.models import Count, Max, OuterRef, Subquery
from django.db.models.functions import TruncDate

from paperless.models import ActionNote, AlertDelivery, MonthlyCount, Unit, Upload


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


def last_reports(dept_ids: list[int] | None) -> pd.DataFrame:
    """Each department's latest month and the day (Tokyo) of its latest change, by
    department id; of the ``dept_ids`` only, when given.

    Two index probes per department (unique (department, month) and
    count_last_change), not a scan of every count; the day is read as a date, which
    the database driver loads far faster than a time-zone-aware timestamp.
    """
    counts = MonthlyCount.objects.filter(department=OuterRef("pk")).order_by()
    changed = counts.order_by("-updated_at").annotate(day=TruncDate("updated_at"))
    rows = Unit.objects.filter(kind=Unit.Kind.DEPARTMENT).order_by()
    if dept_ids is not None:
        rows = rows.filter(pk__in=dept_ids)
    rows = rows.values_list(
        "pk",
        Subquery(counts.order_by("-month").values("month")[:1]),
        Subquery(changed.values("day")[:1]),
    )
    frame = pd.DataFrame(list(rows), columns=["department_id", "last_month", "last_updated"])
    return frame.dropna(subset=["last_month"]).set_index("department_id")


def note_counts(dept_ids: list[int] | None) -> pd.DataFrame:
    """Each department's number of action notes and the day of its latest, by
    department id; of the ``dept_ids`` only, when given."""
    rows = ActionNote.objects.order_by().values("department_id")
    if dept_ids is not None:
        rows = rows.filter(department_id__in=dept_ids)
    rows = rows.annotate(note_count=Count("id"), note_latest=Max("noted_on"))
    frame = pd.DataFrame(list(rows), columns=["department_id", "note_count", "note_latest"])
    return frame.set_index("department_id")

"""The alert delivery records as pages and commands read them (the sending writes them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Count, Q, QuerySet

from paperless.models import AlertDelivery

RECENT_WEEKS = 12


@dataclass(frozen=True)
class DeliveryLog:
    """The delivery log as filtered: its rows, their number by status, the recent weeks."""

    rows: QuerySet[AlertDelivery]  # newest week first, with user and units
    totals: dict[str, int]  # status → number of rows
    weeks: list[date]  # the latest weeks with deliveries, newest first


def delivery_log(*, week: date | None, status: str, kind: str) -> DeliveryLog:
    """The deliveries of ``week`` (a Monday), ``status`` and ``kind``; "" or None: any.

    Two queries here (the totals, the weeks); the rows are read when paginated.
    """
    rows = AlertDelivery.objects.all()
    if week:
        rows = rows.filter(week=week)
    if status:
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    totals = dict(rows.values_list("status").annotate(n=Count("pk")).order_by())
    ordered = (
        rows.select_related("user").prefetch_related("units").order_by("-week", "kind", "recipient")
    )
    weeks = AlertDelivery.objects.values_list("week", flat=True).distinct().order_by("-week")
    return DeliveryLog(rows=ordered, totals=totals, weeks=list(weeks[:RECENT_WEEKS]))


def sent_to(user: AbstractBaseUser) -> QuerySet[AlertDelivery]:
    """What was sent to the user's account or to their e-mail address, newest week first."""
    who = Q(user=user)
    if user.email:
        who |= Q(recipient__iexact=user.email.strip())
    return AlertDelivery.objects.filter(who).prefetch_related("units").order_by("-week", "kind")


def week_statuses(week: date) -> dict[tuple[str, str], str]:
    """(recipient, kind) → status of every delivery recorded for ``week`` (one query)."""
    rows = AlertDelivery.objects.filter(week=week).values_list("recipient", "kind", "status")
    return {(recipient, kind): status for recipient, kind, status in rows}


def pending_in_week(week: date) -> bool:
    """Whether any delivery of ``week`` is still pending (one query)."""
    return AlertDelivery.objects.filter(week=week, status=AlertDelivery.Status.PENDING).exists()

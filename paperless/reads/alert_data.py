"""The reads behind the weekly alerts: nine queries, whatever the size of the tree.

Each function turns one concept into plain values or a frame (``values_list``, never a
query per unit or per person), so ``alerts.plan_week`` can stay free of the ORM.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from django.contrib.auth import get_user_model

from paperless.alerts.planning import DIGEST, AlertData, Person, PreviousDigest, Timing, data_months
from paperless.models import ActionNote, AlertDelivery, Membership, Unit
from paperless.reads import frames

UNIT_COLUMNS = [*frames.UNIT_COLUMNS, "head_emails"]


def units_with_emails_frame() -> pd.DataFrame:
    rows = Unit.objects.values_list(
        "code", "name", "kind", "parent__code", "active", "sort_order", "pk", "head_emails"
    ).order_by("sort_order", "code")
    return pd.DataFrame(list(rows), columns=UNIT_COLUMNS)


def people_load() -> tuple[Person, ...]:
    """Active users with an e-mail address, with their roles and member units."""
    roles: dict[int, set[str]] = {}
    emails: dict[int, str] = {}
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    for pk, email, group in users.values_list("pk", "email", "groups__name").order_by("pk"):
        emails[pk] = email
        roles.setdefault(pk, set())
        if group:
            roles[pk].add(group)
    units: dict[int, set[str]] = {}
    for user_id, code in Membership.objects.filter(user__in=users).values_list(
        "user_id", "unit__code"
    ):
        units.setdefault(user_id, set()).add(code)
    return tuple(
        Person(
            user_id=pk,
            email=email,
            roles=frozenset(roles[pk]),
            units=frozenset(units.get(pk, ())),
        )
        for pk, email in emails.items()
    )


def notes_load() -> dict[str, str]:
    """Each department's latest action note."""
    latest: dict[str, str] = {}
    rows = ActionNote.objects.order_by("department__code", "-noted_on", "-created_at")
    for code, text in rows.values_list("department__code", "text"):
        latest.setdefault(code, text)
    return latest


def previous_digest_load(week: date) -> PreviousDigest | None:
    """The lagging set recorded by the most recent digest before ``week``."""
    found = (
        AlertDelivery.objects.filter(kind=DIGEST, week__lt=week)
        .order_by("-week", "-created_at")
        .values_list("pk", "week")
        .first()
    )
    if found is None:
        return None
    through = AlertDelivery.units.through
    codes = through.objects.filter(alertdelivery_id=found[0]).values_list("unit__code", flat=True)
    return PreviousDigest(week=found[1], lagging=frozenset(codes))


def alert_data_load(timing: Timing) -> AlertData:
    rules = frames.rules_for(timing.fy)
    return AlertData(
        units=units_with_emails_frame(),
        counts=frames.counts_frame(months=data_months(timing), base_fy=rules.base_fy),
        predecessors=frames.predecessors_frame(),
        rules=rules,
        people=people_load(),
        notes=notes_load(),
        previous=previous_digest_load(timing.week),
    )

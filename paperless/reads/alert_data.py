"""The reads behind the weekly alerts, besides the frames: people, notes, the last digest.

Plain values in one query per concept (``values_list``, never a query per unit or per
person). With ``frames`` (units with their head addresses, counts, predecessors, the
policy) they are everything ``paperless.alerts.planning`` reads: nine queries, whatever
the size of the tree.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model

from paperless.models import ActionNote, AlertDelivery, Membership

# (user id, e-mail, role names, member unit codes)
PersonRow = tuple[int, str, frozenset[str], frozenset[str]]


def people() -> list[PersonRow]:
    """Active users with an e-mail address, with their roles and member units (two queries)."""
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
    return [
        (pk, email, frozenset(roles[pk]), frozenset(units.get(pk, ())))
        for pk, email in emails.items()
    ]


def latest_note_texts() -> dict[str, str]:
    """Each department's latest action note, by department code (one query)."""
    latest: dict[str, str] = {}
    rows = ActionNote.objects.order_by("department__code", "-noted_on", "-created_at")
    for code, text in rows.values_list("department__code", "text"):
        latest.setdefault(code, text)
    return latest


def previous_digest(week: date) -> tuple[date, frozenset[str]] | None:
    """The week of the most recent digest before ``week`` and the department codes it
    recorded as lagging (two queries); None before the first digest."""
    found = (
        AlertDelivery.objects.filter(kind=AlertDelivery.Kind.DIGEST, week__lt=week)
        .order_by("-week", "-created_at")
        .values_list("pk", "week")
        .first()
    )
    if found is None:
        return None
    through = AlertDelivery.units.through
    codes = through.objects.filter(alertdelivery_id=found[0]).values_list("unit__code", flat=True)
    return found[1], frozenset(codes)

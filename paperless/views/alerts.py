"""Weekly alert pages: the preview and the delivery log (administrators), and "my alerts"."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from paperless.access import permissions
from paperless.alerts import delivery
from paperless.alerts.planning import KINDS, week_start
from paperless.models import AlertDelivery
from paperless.reads import deliveries as delivery_reads
from paperless.views import params

PREVIEW_PAGE = 20
LOG_PAGE = 100
MINE_PAGE = 50


def _choice(value: str | None, allowed) -> str:
    return value if value in allowed else ""


@login_required
def preview(request: HttpRequest) -> HttpResponse:
    """This week's messages as they would go out now: subject and plain text."""
    permissions.require(permissions.can_manage_alerts(request.user))
    as_of = params.day(request.GET.get("day")) or timezone.localdate()
    kind = _choice(request.GET.get("kind"), KINDS)
    plan, _ = delivery.week_plan(as_of)
    wanted = [m for m in plan.messages if not kind or m.kind == kind]
    page = Paginator(wanted, PREVIEW_PAGE).get_page(request.GET.get("page"))
    rendered = delivery.render_messages(page.object_list)
    counts = {k: sum(1 for m in plan.messages if m.kind == k) for k in KINDS}
    return render(
        request,
        "paperless/alerts/preview.html",
        {
            "plan": plan,
            "page": page,
            "rendered": rendered,
            "kind": kind,
            "kinds": [(k, AlertDelivery.Kind(k).label, counts[k]) for k in KINDS],
            "as_of": as_of,
            "unaddressed": [(c, plan.names.get(c, "")) for c in plan.unaddressed],
        },
    )


@login_required
def deliveries(request: HttpRequest) -> HttpResponse:
    """Every delivery with its status and reason, newest week first."""
    permissions.require(permissions.can_manage_alerts(request.user))
    week = params.day(request.GET.get("week"))
    status = _choice(request.GET.get("status"), AlertDelivery.Status.values)
    kind = _choice(request.GET.get("kind"), KINDS)
    monday = week_start(week) if week else None
    log = delivery_reads.delivery_log(week=monday, status=status, kind=kind)
    page = Paginator(log.rows, LOG_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "paperless/alerts/deliveries.html",
        {
            "page": page,
            "week": monday,
            "weeks": log.weeks,
            "status": status,
            "kind": kind,
            "statuses": AlertDelivery.Status.choices,
            "kinds": AlertDelivery.Kind.choices,
            "totals": [
                (label, log.totals.get(value, 0)) for value, label in AlertDelivery.Status.choices
            ],
            "interrupted": delivery.interrupted(),
        },
    )


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """What the signed-in user was sent: to their account or to their e-mail address."""
    page = Paginator(delivery_reads.sent_to(request.user), MINE_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "paperless/alerts/mine.html",
        {"page": page, "is_admin": permissions.is_administrator(request.user)},
    )

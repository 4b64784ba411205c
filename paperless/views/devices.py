"""The devices page: counters, their departments, readings and months (administrators)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from paperless.access import permissions
from paperless.dashboard.devices import device_page


@login_required
@require_GET
def device_list(request: HttpRequest) -> HttpResponse:
    permissions.require(permissions.can_manage_devices(request.user))
    page = device_page(today=timezone.localdate(), close_day=settings.PAPERLESS_METER_CLOSE_DAY)
    return render(request, "paperless/devices/list.html", {"page": page})

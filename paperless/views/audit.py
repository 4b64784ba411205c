"""The audit trail page: every recorded change, for administrators only."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from paperless.access import audit, permissions
from paperless.views import params


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    permissions.require(permissions.can_view_audit(request.user))
    source = audit.SOURCES_BY_KEY.get(request.GET.get("source", ""), audit.SOURCES[0])
    unit_code = params.unit_code(request.GET.get("unit", "").strip()) or ""
    page = audit.entries_page(source, unit_code=unit_code, page=request.GET.get("page"))
    return render(
        request,
        "paperless/audit/log.html",
        {"sources": audit.SOURCES, "source": source, "unit_code": unit_code, "page": page},
    )

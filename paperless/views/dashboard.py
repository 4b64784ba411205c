"""The dashboard: city, ward/bureau and department pages, exports, report, JSON summary.

Thin views: ask ``permissions.page_unit`` for the unit and what the user may see, read
the period, call the reads and the page builders, render. A unit the user may not see
answers 403 with a Japanese page; so does an unknown code for a user who does not see
everything (the answer must not reveal which codes exist).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.views.decorators.http import require_GET
from django_tables2 import RequestConfig

from paperless.access import permissions
from paperless.core.period import (
    Period,
    PeriodError,
    base_year_problem,
    fiscal_year_to_date,
    parse_period,
)
from paperless.dashboard import assembly, pages, report, tables
from paperless.dashboard.filters import DepartmentFilter
from paperless.models import Unit
from paperless.reads import activity, periods, summary, units
from paperless.reads.devices import department_devices
from paperless.views import params

PER_PAGE = 50
PERIOD_PARAMS = ("fy", "from", "to", "latest")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _years(request: HttpRequest) -> tuple[int, int]:
    """The fiscal years one may choose, read once per request (the period and the form)."""
    if not hasattr(request, "paperless_years"):
        request.paperless_years = periods.years_on_record(timezone.localdate())
    return request.paperless_years


def _parse_period(request: HttpRequest) -> Period:
    """The period in the query string, within the fiscal years on record; PeriodError."""
    q = request.GET
    return parse_period(
        fy=q.get("fy"),
        start=q.get("from"),
        end=q.get("to"),
        latest=q.get("latest") == "1",
        today=timezone.localdate(),
        years=_years(request),
    )


def read_period(request: HttpRequest) -> tuple[Period, str | None]:
    """The period in the query string, or this fiscal year to date and the error message."""
    try:
        return _parse_period(request), None
    except PeriodError as error:
        return fiscal_year_to_date(timezone.localdate()), str(error)


def forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "paperless/dashboard/forbidden.html", status=403)


def _keep(request: HttpRequest, *names: str) -> list[tuple[str, str]]:
    """Query parameters a form must carry along so that submitting it keeps them."""
    return [(n, request.GET[n]) for n in names if request.GET.get(n)]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The city page for those who see everything; everyone else opens their own unit."""
    if permissions.sees_everything(request.user):
        root = units.root_unit()
        if root is not None:
            return _unit_page(request, root, None)
    else:
        unit = permissions.home_unit(request.user)
        if unit is not None:
            url = reverse("paperless:unit", args=[unit.code])
            query = request.GET.urlencode()
            return redirect(f"{url}?{query}" if query else url)
    return render(request, "paperless/dashboard/no_units.html")


@login_required
def unit_page(request: HttpRequest, code: str) -> HttpResponse:
    unit, visible = permissions.page_unit(request.user, code)
    if unit is None:
        return forbidden(request)
    if unit.is_department:
        return _department_page(request, unit, visible)
    return _unit_page(request, unit, visible)


def _table(request: HttpRequest, page: pages.UnitPage, *, paginate: bool) -> dict[str, Any]:
    """The department table narrowed by the filters and sorted as the request asks."""
    filterset = DepartmentFilter(request.GET, rows=page.rows, areas=page.area_choices)
    table = tables.DepartmentTable(filterset.filtered_rows())
    per_page: dict[str, Any] | bool = {"per_page": PER_PAGE} if paginate else False
    RequestConfig(request, paginate=per_page).configure(table)
    return {"filter": filterset, "table": table, "department_count": len(page.rows)}


def _common(request: HttpRequest, data: assembly.Dashboard, error: str | None) -> dict:
    """What every unit page shows: period form, breadcrumbs, footnotes, links."""
    period = _keep(request, *PERIOD_PARAMS)
    return {
        "data": data,
        "period": data.period,
        "period_error": error,
        "period_notice": data.no_rates,
        "period_qs": urlencode(period),
        "fy_choices": pages.fy_choices(_years(request)),
        "period_values": {k: request.GET.get(k, "") for k in PERIOD_PARAMS},
        "keep_for_period": _keep(request, "series"),
        "projection_method": pages.PROJECTION_METHOD,
        "factors": pages.factors(),
        "breadcrumbs": [
            {"name": name, "url": reverse("paperless:unit", args=[code])}
            for code, name in data.ancestors
        ]
        + [{"name": data.row["name"], "url": None}],
        "status_links": {
            s: urlencode([*period, ("status", s)])
            for s in ("achieved", "lagging", "at_risk", "no_data", "no_baseline")
        },
        "report_qs": urlencode([*data.period.params.items(), ("unit", data.unit)]),
    }


def _unit_bundle(
    request: HttpRequest, unit: Unit, visible: set[int] | None
) -> tuple[pages.UnitPage, str | None]:
    period, error = read_period(request)
    page = pages.unit_page(
        code=unit.code,
        period=period,
        visible_ids=visible,
        series_unit=_series_unit(request, unit, visible),
        today=timezone.localdate(),
    )
    return page, error


def _series_unit(request: HttpRequest, unit: Unit, visible: set[int] | None) -> str | None:
    """The unit whose months the page draws, when ``?series=`` names one of the page's
    series choices (the unit or a child the user sees); None (the unit itself) otherwise.

    Checked before it becomes part of the page's cache key: only a handful of values
    can, whatever a client sends. A malformed code answers 404.
    """
    code = params.unit_code(request.GET.get("series"))
    if code is None or code == unit.code:
        return None
    return code if code in units.child_codes(unit, visible) else None


def _unit_page(request: HttpRequest, unit: Unit, visible: set[int] | None) -> HttpResponse:
    page, error = _unit_bundle(request, unit, visible)
    context = _common(request, page.data, error)
    context.update(_table(request, page, paginate=True))
    context.update(
        {
            "unit": unit,
            "is_root": unit.parent_id is None,
            "page": page,
            "headline": page.headline,
            "figures": page.figures,
            "keep_for_series": _keep(request, *PERIOD_PARAMS),
            "keep_for_filter": _keep(request, *PERIOD_PARAMS, "series"),
            "export_qs": urlencode(
                [
                    *page.data.period.params.items(),
                    *_keep(request, "area", "status", "name", "sort"),
                    ("unit", unit.code),
                ]
            ),
        }
    )
    return render(request, "paperless/dashboard/unit.html", context)


def _department_page(request: HttpRequest, unit: Unit, visible: set[int] | None) -> HttpResponse:
    period, error = read_period(request)
    page = pages.department_page(
        code=unit.code, period=period, visible_ids=visible, today=timezone.localdate()
    )
    context = _common(request, page.data, error)
    context.update(
        {
            "unit": unit,
            "page": page,
            "headline": page.headline,
            "activity": activity.department_activity(unit),
            "devices": department_devices(unit),
            "can_write_note": permissions.can_write_note(request.user, unit),
        }
    )
    return render(request, "paperless/dashboard/department.html", context)


def _attachment(body: bytes, *, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def export_departments(request: HttpRequest, fmt: str) -> HttpResponse:
    """The department table as CSV or Excel: the filtered rows in the table's order."""
    unit, visible = permissions.page_unit(request.user, params.unit_code(request.GET.get("unit")))
    if unit is None:
        return forbidden(request)
    page, _error = _unit_bundle(request, unit, visible)
    period = page.data.period
    ordered = [row.record for row in _table(request, page, paginate=False)["table"].rows]
    name = f"所属別削減率_{unit.name}_{period.params['from']}_{period.params['to']}"
    if fmt == "csv":
        body = tables.export_csv(ordered)
        return _attachment(body, filename=f"{name}.csv", content_type="text/csv; charset=utf-8")
    header, values = tables.export_table(ordered)
    body = report.table_workbook(
        title=f"所属別の削減率 {unit.name}（{period.label}）",
        header=header,
        rows=values,
        formats=pages.export_formats(),
    )
    return _attachment(body, filename=f"{name}.xlsx", content_type=XLSX)


@login_required
@require_GET
def meeting_report(request: HttpRequest) -> HttpResponse:
    """The strategy meeting's reference material for the unit and period shown."""
    unit, visible = permissions.page_unit(request.user, params.unit_code(request.GET.get("unit")))
    if unit is None:
        return forbidden(request)
    page, _error = _unit_bundle(request, unit, visible)
    data = page.data
    notes = activity.latest_notes(pages.lagging_codes(data))
    content = pages.meeting_report(data, notes=notes, today=timezone.localdate())
    filename = f"{pages.report_title(data)}.xlsx".replace(" ", "_")
    return _attachment(report.meeting_report(content), filename=filename, content_type=XLSX)


@require_GET
def summary_json(request: HttpRequest) -> HttpResponse:
    """The machine-readable summary of ``paperless_summary``, for the city's data platform.

    Signed-in users only (401 otherwise, no redirect: clients are programs), filtered to
    the units the user may see.
    """
    if not request.user.is_authenticated:
        return JsonResponse({"error": "ログインが必要です。"}, status=401)
    try:
        unit, visible = permissions.page_unit(
            request.user, params.unit_code(request.GET.get("unit"))
        )
    except Http404:
        return JsonResponse({"error": "この所属コードはありません。"}, status=404)
    if unit is None:
        return JsonResponse({"error": "この所属を表示する権限がありません。"}, status=403)
    try:
        period = _parse_period(request)
    except PeriodError as error:
        return JsonResponse({"error": str(error)}, status=400)
    if problem := base_year_problem(period, periods.base_year_for(period.fy)):
        return JsonResponse({"error": problem}, status=400)
    body = summary.unit_summary(code=unit.code, period=period, visible_ids=visible)
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})

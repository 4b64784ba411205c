"""The dashboard pages: thin views over selectors."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .. import metrics, permissions, selectors


@login_required
def home(request: HttpRequest) -> HttpResponse:
    visible = permissions.visible_codes(request.user)
    data = selectors.overview(selectors.fiscal_year_to_date())
    rows = metrics.to_records(data.summary[data.summary.index.isin(visible)])
    city = next((r for r in rows if r["kind"] == "city"), None)
    wards = [r for r in rows if r["kind"] == "ward_office"]
    own = [r for r in rows if r["kind"] == "department"] if city is None else []
    return render(
        request,
        "paperless/home.html",
        {"overview": data, "city": city, "wards": wards, "own_departments": own},
    )

"""Filters of the department table: ward office or bureau, status, name (django-filter).

Status and area are computed figures, not columns: the page hands the filter set its
rows (``pages.UnitPage.rows``) and the filters narrow the department queryset
(``reads.units.departments``) to the codes that match. Labels are Japanese:
django-filter ships none.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet

from paperless.core import wording
from paperless.core.rates import ACHIEVED, LAGGING, NO_BASELINE, NO_DATA
from paperless.models import Unit
from paperless.reads import units

AT_RISK = "at_risk"
STATUS_CHOICES = (
    (ACHIEVED, wording.status_label(ACHIEVED)),
    (LAGGING, wording.status_label(LAGGING)),
    (AT_RISK, "要注意（年度末見込み未達）"),
    (NO_DATA, wording.status_label(NO_DATA)),
    (NO_BASELINE, wording.status_label(NO_BASELINE)),
)
FILTER_FIELDS = ("area", "status", "name")


class DepartmentFilter(django_filters.FilterSet):
    area = django_filters.ChoiceFilter(
        label="区役所・局", method="filter_area", empty_label="すべて"
    )
    status = django_filters.ChoiceFilter(
        label="判定", choices=STATUS_CHOICES, method="filter_status", empty_label="すべて"
    )
    name = django_filters.CharFilter(label="所属名（一部でも可）", lookup_expr="icontains")

    class Meta:
        model = Unit
        fields: list[str] = []

    def __init__(
        self,
        data: Any = None,
        queryset: QuerySet[Unit] | None = None,
        *,
        rows: list[dict[str, Any]],
        areas: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        if queryset is None:
            queryset = units.departments()
        super().__init__(data, queryset, **kwargs)
        self.rows = rows
        self.filters["area"].extra["choices"] = areas
        if not areas:
            del self.filters["area"]

    def filter_area(self, queryset: QuerySet[Unit], name: str, value: str) -> QuerySet[Unit]:
        return queryset.filter(code__in=[r["code"] for r in self.rows if r["area"] == value])

    def filter_status(self, queryset: QuerySet[Unit], name: str, value: str) -> QuerySet[Unit]:
        if value == AT_RISK:
            codes = [r["code"] for r in self.rows if r["at_risk"]]
        else:
            codes = [r["code"] for r in self.rows if r["status"] == value]
        return queryset.filter(code__in=codes)

    def filtered_rows(self) -> list[dict[str, Any]]:
        """The rows whose department passes every filter, in the rows' order (one query)."""
        codes = set(self.qs.values_list("code", flat=True))
        return [r for r in self.rows if r["code"] in codes]

    @property
    def active(self) -> bool:
        return self.is_bound and any(self.form.cleaned_data.get(f) for f in FILTER_FIELDS)

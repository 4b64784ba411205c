"""Planning the week costs the same number of queries for 20 or 80 departments."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from paperless.access import permissions
from paperless.alerts import delivery
from paperless.core.fiscal import fiscal_months, months_between
from paperless.models import ActionNote, Membership, MonthlyCount, Unit

pytestmark = pytest.mark.django_db

AS_OF = date(2023, 1, 16)
FYTD = months_between(date(2022, 4, 1), date(2022, 12, 1))
PLANNING_QUERIES = 9  # eight, and one more when a previous digest exists


def build_city(departments: int) -> None:
    k = Unit.Kind
    city = Unit.objects.create(code="100000", name="堺市", kind=k.CITY)
    wards = [
        Unit.objects.create(
            code=f"1{w}0000",
            name=f"第{w}区役所",
            kind=k.WARD_OFFICE,
            parent=city,
            head_emails=f"ward{w}@city.example",
        )
        for w in range(1, 5)
    ]
    depts = Unit.objects.bulk_create(
        Unit(
            code=f"9{i:05d}",
            name=f"第{i}課",
            kind=k.DEPARTMENT,
            parent=wards[i % 4],
            head_emails=f"dept{i}@city.example",
            sort_order=i,
        )
        for i in range(departments)
    )
    rows = []
    for i, dept in enumerate(depts):
        rows += [
            MonthlyCount(department=dept, month=m, print_sheets=60, copy_sheets=40)
            for m in fiscal_months(2020)
        ]
        level = 60 if i % 3 else 85  # every third department lags
        late = i % 5 == 0  # every fifth has not reported December
        rows += [
            MonthlyCount(department=dept, month=m, print_sheets=level - 30, copy_sheets=30)
            for m in FYTD
            if not (late and m == FYTD[-1])
        ]
    MonthlyCount.objects.bulk_create(rows)
    groups = {g.name: g for g in Group.objects.all()}
    for n, (role, unit) in enumerate(
        [
            (permissions.EXECUTIVE, city),
            (permissions.MANAGER, wards[0]),
            (permissions.MANAGER, wards[1]),
        ]
    ):
        user = User.objects.create(username=f"u{n}", email=f"u{n}@city.example")
        user.groups.add(groups[role])
        Membership.objects.create(user=user, unit=unit)
    author = User.objects.get(username="u1")
    ActionNote.objects.bulk_create(
        ActionNote(department=d, author=author, text="両面印刷") for d in depts[::3]
    )


def plan_and_render() -> int:
    plan, _ = delivery.week_plan(AS_OF)
    rendered = delivery.render_plan(plan)
    return len(rendered)


@pytest.mark.parametrize("departments", [20, 80])
def test_planning_queries_do_not_grow_with_departments(departments, django_assert_max_num_queries):
    build_city(departments)
    with django_assert_max_num_queries(PLANNING_QUERIES):
        messages = plan_and_render()
    # Every lagging and every late department has its own message, so the plan grew.
    assert messages > departments // 3


def measure(departments: int) -> tuple[int, int]:
    """(planning queries, claiming queries) for a city of ``departments``, rolled back."""
    with transaction.atomic():
        build_city(departments)
        with CaptureQueriesContext(connection) as planning:
            plan_and_render()
        with CaptureQueriesContext(connection) as claiming:
            prepared = delivery.alert_week_prepare(as_of=AS_OF)
        assert len(prepared.outgoing) > departments // 3
        transaction.set_rollback(True)
    return len(planning), len(claiming)


def test_same_query_count_for_20_and_80_departments_including_the_claims():
    assert measure(20) == measure(80)

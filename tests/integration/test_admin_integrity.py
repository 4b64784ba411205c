"""The admin keeps the figures honest: counts only through uploads, a valid org tree and
valid predecessor shares, a consistent device register, deliveries kept as evidence."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from paperless.models import AlertDelivery, CounterAssignment, MonthlyCount, Succession, Unit
from tests.conftest import add_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, users):
    client.force_login(users["admin"])
    return client


def unit_form(unit: Unit, links=(), **changes) -> dict[str, str]:
    """The admin's change form for ``unit`` as a browser posts it, with ``links``
    (predecessor, share) in the predecessor inline."""
    data = {
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind,
        "parent": str(unit.parent_id or ""),
        "active": "on" if unit.active else "",
        "head_emails": unit.head_emails,
        "sort_order": str(unit.sort_order),
        "predecessor_links-TOTAL_FORMS": str(len(links)),
        "predecessor_links-INITIAL_FORMS": "0",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }
    for i, (predecessor, share) in enumerate(links):
        data[f"predecessor_links-{i}-to_unit"] = str(predecessor.pk)
        data[f"predecessor_links-{i}-share"] = share
        data[f"predecessor_links-{i}-from_unit"] = str(unit.pk)
    data.update(changes)
    if not data["active"]:
        del data["active"]
    return data


def post_unit(admin_client, unit, links=(), **changes):
    url = f"/admin/paperless/unit/{unit.pk}/change/"
    return admin_client.post(url, unit_form(unit, links, **changes))


def errors(response) -> str:
    assert response.status_code == 200, "the form was saved"
    return response.content.decode()


def test_counts_are_read_only_in_the_admin_with_a_pointer_to_uploads(admin_client, tree):
    add_counts(tree["sakai_shimin"], [date(2022, 4, 1)], 100, 10)
    count = MonthlyCount.objects.get()
    listing = admin_client.get("/admin/paperless/monthlycount/")
    assert "/uploads/new/" in listing.content.decode()
    assert admin_client.get("/admin/paperless/monthlycount/add/").status_code == 403
    url = f"/admin/paperless/monthlycount/{count.pk}/change/"
    admin_client.post(url, {"print_sheets": "1", "copy_sheets": "1", "month": "2022-04-01"})
    assert MonthlyCount.objects.get().print_sheets == 100
    delete = f"/admin/paperless/monthlycount/{count.pk}/delete/"
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403


def test_alert_deliveries_cannot_be_deleted(admin_client, tree):
    row = AlertDelivery.objects.create(week=date(2023, 1, 9), kind="digest", recipient="a@b.jp")
    response = admin_client.post(
        f"/admin/paperless/alertdelivery/{row.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 403
    assert AlertDelivery.objects.filter(pk=row.pk).exists()


def test_a_unit_cannot_be_put_below_its_own_department(admin_client, tree):
    sakai = tree["sakai"]
    response = post_unit(admin_client, sakai, parent=str(tree["sakai_shimin"].pk))
    assert "循環" in errors(response)
    assert Unit.objects.get(pk=sakai.pk).parent == tree["city"]


def test_a_department_with_counts_keeps_its_kind(admin_client, tree):
    shimin = tree["sakai_shimin"]
    add_counts(shimin, [date(2022, 4, 1)], 100, 10)
    response = post_unit(admin_client, shimin, kind=Unit.Kind.DIVISION)
    assert "種別を「所属」から変えられません" in errors(response)
    assert Unit.objects.get(pk=shimin.pk).kind == Unit.Kind.DEPARTMENT


def test_a_split_without_shares_is_refused_and_with_shares_saved(admin_client, tree):
    old, heir_a, heir_b = tree["sakai_kikaku"], tree["sakai_shimin"], tree["naka_shimin"]
    old.active = False
    old.save()
    Succession.objects.create(from_unit=heir_b, to_unit=old, share=None)
    response = post_unit(admin_client, heir_a, [(old, "")])
    assert "引継割合" in errors(response)
    assert not Succession.objects.filter(from_unit=heir_a).exists()

    Succession.objects.filter(from_unit=heir_b).update(share=Decimal("0.6"))
    response = post_unit(admin_client, heir_a, [(old, "0.4")])
    assert response.status_code == 302
    assert Succession.objects.get(from_unit=heir_a).share == Decimal("0.4")
    latest = Unit.objects.get(pk=heir_a.pk).history.first()
    assert [(link.to_unit_id, link.share) for link in latest.predecessors.all()] == [
        (old.pk, Decimal("0.4"))
    ]


def test_shares_of_an_active_predecessor_may_not_pass_one(admin_client, tree):
    kept, new = tree["sakai_kikaku"], tree["sakai_shimin"]
    Succession.objects.create(from_unit=tree["naka_shimin"], to_unit=kept, share=Decimal("0.8"))
    response = post_unit(admin_client, new, [(kept, "0.3")])
    assert "100%を超えて" in errors(response)


def assignment_form(**values) -> dict[str, str]:
    return {"account": "", "end_date": "", "model_name": "", "location": "", **values}


def test_the_device_register_refuses_overlapping_counters(admin_client, tree):
    CounterAssignment.objects.create(
        device_serial="SN1", department=tree["sakai_shimin"], start_date=date(2024, 4, 1)
    )
    data = assignment_form(
        device_serial="SN1",
        account="01",
        department=str(tree["sakai_kikaku"].pk),
        start_date="2024-10-01",
    )
    response = admin_client.post("/admin/paperless/counterassignment/add/", data)
    assert "機器全体の割り当てと部門IDの割り当てが重なっています" in errors(response)
    data["device_serial"] = "SN2"
    assert admin_client.post("/admin/paperless/counterassignment/add/", data).status_code == 302
    assert CounterAssignment.objects.count() == 2


def test_the_device_register_refuses_a_row_starting_before_an_overlapping_one(admin_client, tree):
    CounterAssignment.objects.create(
        device_serial="SN1", department=tree["sakai_shimin"], start_date=date(2024, 4, 1)
    )
    data = assignment_form(
        device_serial="ＳＮ１",  # full-width: the same serial after NFKC
        department=str(tree["sakai_kikaku"].pk),
        start_date="2024-01-01",
    )
    response = admin_client.post("/admin/paperless/counterassignment/add/", data)
    assert "同じカウンターの利用期間が重なっています" in errors(response)
    assert CounterAssignment.objects.count() == 1

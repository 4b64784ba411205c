"""The audit trail: every change kept with who, when and old → new; read by administrators,
changed by nobody."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.urls import reverse
from django_celery_beat.models import CrontabSchedule

from paperless.access import audit, permissions
from paperless.models import Membership, MonthlyCount, Policy, Unit, Upload

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")
AUDIT = reverse("paperless:audit")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def count(tree, users):
    with time_machine.travel(datetime(2023, 2, 1, 9, 0, tzinfo=TOKYO), tick=False):
        made = MonthlyCount(
            department=tree["sakai_shimin"],
            month=date(2023, 1, 1),
            print_sheets=600,
            copy_sheets=400,
        )
        made._history_user = users["head"]
        made.save()
    return made


def _correct(count: MonthlyCount, user, reason: str, **values) -> None:
    with time_machine.travel(datetime(2023, 2, 3, 14, 30, tzinfo=TOKYO), tick=False):
        for name, value in values.items():
            setattr(count, name, value)
        count._history_user = user
        count._change_reason = reason
        count.save()


def test_count_change_is_recorded_with_who_when_and_old_and_new_values(count, users):
    _correct(count, users["manager"], "メーター値の読み違い", print_sheets=650)

    latest, first = count.history.all()[:2]
    assert latest.history_user == users["manager"]
    assert latest.history_date == datetime(2023, 2, 3, 14, 30, tzinfo=TOKYO)
    assert latest.history_change_reason == "メーター値の読み違い"
    delta = latest.diff_against(first)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [("print_sheets", 600, 650)]
    assert first.history_user == users["head"] and first.history_type == "+"


def test_audit_page_shows_the_count_change_to_an_administrator(client, count, users):
    _correct(count, users["manager"], "メーター値の読み違い", print_sheets=1650)
    client.force_login(users["admin"])

    response = client.get(AUDIT, {"source": "counts"})

    assert response.status_code == 200
    body = response.content.decode()
    assert "堺区 市民課（110100） 2023年1月" in body
    assert "印刷枚数：600 → 1,650" in body
    assert "2023-02-03<br>14:30:00" in body
    assert "manager" in body and "メーター値の読み違い" in body
    first, second = response.context["page"].object_list[:2]
    assert (first.action, second.action) == ("変更", "追加")
    assert [c.label for c in first.changes] == ["印刷枚数"]  # only what changed


@pytest.mark.parametrize("role", ["head", "manager", "executive", "nobody"])
def test_audit_page_is_refused_to_everyone_but_administrators(client, users, role):
    client.force_login(users[role])
    assert client.get(AUDIT).status_code == 403


def test_audit_page_sends_anonymous_visitors_to_login(client, db):
    response = client.get(AUDIT)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_audit_names_the_upload_a_count_came_from(client, tree, users):
    upload = Upload.objects.create(
        original_name="堺区市民課_2023年1月.xlsx", sha256="0" * 64, uploaded_by=users["head"]
    )
    MonthlyCount.objects.create(
        department=tree["sakai_shimin"],
        month=date(2023, 1, 1),
        print_sheets=1,
        copy_sheets=2,
        upload=upload,
    )
    client.force_login(users["admin"])
    body = client.get(AUDIT, {"source": "counts"}).content.decode()
    assert f"取込：堺区市民課_2023年1月.xlsx（#{upload.pk}）" in body


def test_audit_filters_by_unit_code(client, tree, users, count):
    MonthlyCount.objects.create(
        department=tree["naka_shimin"], month=date(2023, 1, 1), print_sheets=1, copy_sheets=2
    )
    client.force_login(users["admin"])
    page = client.get(AUDIT, {"source": "counts", "unit": "120100"}).context["page"]
    assert [e.subject for e in page.object_list] == ["中区 市民課（120100） 2023年1月"]


def test_org_master_policy_and_membership_changes_are_listed(tree, users):
    successor = Unit.objects.create(
        code="130100", name="新 市民課", kind=Unit.Kind.DEPARTMENT, parent=tree["naka"]
    )
    successor.predecessors.add(tree["naka_shimin"])
    Policy.objects.create(fiscal_year=2023, city_goal="0.500")
    Membership.objects.create(user=users["nobody"], unit=tree["zeimu"])

    units = audit.entries_page(audit.SOURCES_BY_KEY["units"]).object_list
    merge = next(e for e in units if e.subject == "新 市民課（130100）" and e.action == "変更")
    assert [(c.label, c.new) for c in merge.changes] == [
        ("前身の所属（4月1日の組織改正）", "中区 市民課（120100）")
    ]
    policy = audit.entries_page(audit.SOURCES_BY_KEY["policy"]).object_list[0]
    assert policy.subject == "2023年度から"
    assert ("全市目標（削減率）", "—", "0.500") in [(c.label, c.old, c.new) for c in policy.changes]
    membership = audit.entries_page(audit.SOURCES_BY_KEY["memberships"]).object_list[0]
    assert membership.subject == "nobody → 市民税課（201100）"


def test_deletion_is_listed_with_the_values_it_removed(count, users):
    count._history_user = users["admin"]
    count.delete()
    entry = audit.entries_page(audit.SOURCES_BY_KEY["counts"]).object_list[0]
    assert entry.action == "削除" and entry.who == "admin"
    assert ("印刷枚数", "600", "—") in [(c.label, c.old, c.new) for c in entry.changes]


def test_audit_page_query_count_does_not_grow_with_changes(
    client, tree, users, django_assert_max_num_queries
):
    departments = [
        Unit.objects.create(
            code=f"3{i:05d}", name=f"所属{i}", kind=Unit.Kind.DEPARTMENT, parent=tree["naka"]
        )
        for i in range(40)
    ]
    for unit in departments:
        made = MonthlyCount.objects.create(
            department=unit, month=date(2023, 1, 1), print_sheets=10, copy_sheets=10
        )
        made.print_sheets = 20
        made.save()
    client.force_login(users["admin"])
    for source in ("counts", "units"):
        with django_assert_max_num_queries(14):
            response = client.get(AUDIT, {"source": source})
        assert len(response.context["page"].object_list) >= 40


# --- Roles and the alert schedule: changed in the admin, read from its log -------------------


def _user_change_form(user, **changes) -> dict:
    data = {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": user.email,
        "is_active": "on",
        "date_joined_0": user.date_joined.astimezone(TOKYO).strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.astimezone(TOKYO).strftime("%H:%M:%S"),
        "last_login_0": "",
        "last_login_1": "",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "_save": "保存",
    }
    data.update(changes)
    return data


def test_role_and_unit_assignment_in_the_user_admin_are_recorded(client, users, tree):
    nobody = users["nobody"]
    head_group = Group.objects.get(name=permissions.DEPARTMENT_HEAD)
    client.force_login(users["admin"])
    url = reverse("admin:auth_user_change", args=[nobody.pk])
    assert "担当所属" in client.get(url).content.decode()  # the inline is on the user page

    data = _user_change_form(
        nobody,
        groups=[str(head_group.pk)],
        **{"memberships-TOTAL_FORMS": "1", "memberships-0-unit": str(tree["zeimu"].pk)},
    )
    response = client.post(url, data)

    assert response.status_code == 302, response.context["errors"] if response.context else ""
    assert permissions.role_names(type(nobody).objects.get(pk=nobody.pk)) == {
        permissions.DEPARTMENT_HEAD
    }
    assert Membership.objects.get(user=nobody).unit == tree["zeimu"]
    assert Membership.history.get(user_id=nobody.pk).history_user == users["admin"]
    entry = LogEntry.objects.get(object_id=str(nobody.pk))
    assert entry.user == users["admin"]
    body = client.get(AUDIT, {"source": "admin"}).content.decode()
    assert "ユーザー：nobody" in body
    assert "Groups" in body  # the changed field (Django logs it untranslated): the roles
    assert "担当所属 “nobody → 市民税課（201100）” を追加しました" in body


def test_alert_schedule_change_in_the_admin_is_listed(client, users):
    client.force_login(users["admin"])
    response = client.post(
        reverse("admin:django_celery_beat_crontabschedule_add"),
        {
            "minute": "45",
            "hour": "7",
            "day_of_week": "1",
            "day_of_month": "*",
            "month_of_year": "*",
            "timezone": "Asia/Tokyo",
            "periodictask_set-TOTAL_FORMS": "0",
            "periodictask_set-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    schedule = CrontabSchedule.objects.get(hour="7", minute="45")
    entry = audit.entries_page(audit.SOURCES_BY_KEY["admin"]).object_list[0]
    assert entry.action == "追加" and entry.who == "admin"
    assert entry.subject.endswith(str(schedule))


# --- Nobody edits the record ------------------------------------------------------------------


def test_history_and_admin_log_have_no_admin_pages():
    for model in (MonthlyCount, Unit, Membership, Policy):
        assert not admin.site.is_registered(model.history.model)
    assert not admin.site.is_registered(LogEntry)


def test_reverting_from_the_admin_history_is_refused(client, count, users):
    _correct(count, users["manager"], "", print_sheets=650)
    first = count.history.earliest()
    url = reverse("admin:paperless_monthlycount_simple_history", args=[count.pk, first.history_id])
    client.force_login(users["admin"])

    page = client.get(url)
    assert page.status_code == 200
    assert page.context["revert_disabled"] is True

    response = client.post(
        url,
        {
            "department": count.department_id,
            "month": "2023-01-01",
            "print_sheets": 600,
            "copy_sheets": 400,
            "note": "",
        },
    )
    assert response.status_code == 403
    count.refresh_from_db()
    assert count.print_sheets == 650
    assert count.history.count() == 2

"""Alert pages: administrators preview the week and read the log; users see their own."""

from __future__ import annotations

import pytest
import time_machine
from django.core import mail

from paperless.alerts import delivery
from paperless.models import AlertDelivery
from tests.alert_helpers import AS_OF, WEEK, add_alert_counts

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def week(tree, users):
    add_alert_counts(tree)
    return tree


@pytest.fixture
def sent(week):
    delivery.alert_week_send_inline(as_of=AS_OF)
    return AlertDelivery.objects.filter(week=WEEK)


@pytest.mark.parametrize("page", ["/alerts/preview/", "/alerts/deliveries/"])
@pytest.mark.parametrize("who", ["head", "manager", "executive", "nobody"])
def test_preview_and_log_are_for_administrators_only(client, users, page, who):
    client.force_login(users[who])
    assert client.get(page).status_code == 403


def test_pages_need_a_login(client, db):
    for page in ("/alerts/preview/", "/alerts/deliveries/", "/alerts/mine/"):
        assert client.get(page).status_code == 302


def test_preview_shows_this_weeks_subjects_and_text_without_sending(client, users, week, settings):
    settings.SITE_URL = "https://paperless.city.sakai.example"
    client.force_login(users["admin"])
    with time_machine.travel(AS_OF):
        response = client.get("/alerts/preview/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "2023年1月16日の週" in body
    assert "【ペーパーレス】2022年12月 削減率20.0%（目標30%未達）" in body
    assert "https://paperless.city.sakai.example/units/110100/" in body
    assert "shimin.naka@city.sakai.example" in body
    assert AlertDelivery.objects.count() == 0
    assert mail.outbox == []


def test_preview_filters_by_kind_and_takes_another_day(client, users, week):
    client.force_login(users["admin"])
    response = client.get("/alerts/preview/", {"day": "2023-01-09", "kind": "missing"})
    assert response.context["page"].paginator.count == 0  # before the deadline
    response = client.get("/alerts/preview/", {"day": "2023-01-16", "kind": "digest"})
    assert [m.recipient for m, _ in response.context["rendered"]] == [
        "executive@city.sakai.example"
    ]


def test_delivery_log_shows_status_and_reason(client, users, sent):
    sent.filter(recipient="shiminzei@city.sakai.example").update(
        status="failed", reason="1回目: 宛先を受け付けられませんでした（550 User unknown）"
    )
    client.force_login(users["admin"])
    response = client.get("/alerts/deliveries/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "送信済み" in body and "失敗" in body
    assert "宛先を受け付けられませんでした（550 User unknown）" in body
    failed = client.get("/alerts/deliveries/", {"status": "failed", "week": "2023-01-18"})
    assert [d.recipient for d in failed.context["page"]] == ["shiminzei@city.sakai.example"]


def test_delivery_log_queries_do_not_grow_with_rows(
    client, users, sent, django_assert_max_num_queries
):
    client.force_login(users["admin"])
    with django_assert_max_num_queries(12):
        client.get("/alerts/deliveries/")


def test_my_alerts_lists_what_was_sent_to_my_account_or_address(client, users, sent):
    client.force_login(users["head"])
    response = client.get("/alerts/mine/")
    rows = list(response.context["page"])
    assert [(r.recipient, r.kind) for r in rows] == [("head@city.sakai.example", "lagging")]
    body = response.content.decode()
    assert "【ペーパーレス】2022年12月 削減率20.0%（目標30%未達）" in body
    assert 'href="/units/110100/"' in body
    assert "今週のアラートを確認する" not in body


def test_my_alerts_matches_the_address_whatever_its_case(client, users, sent):
    users["nobody"].email = "Shimin.Naka@City.Sakai.Example"
    users["nobody"].save()
    client.force_login(users["nobody"])
    rows = list(client.get("/alerts/mine/").context["page"])
    assert [r.kind for r in rows] == ["missing"]


def test_navigation_links_to_my_alerts(client, users):
    client.force_login(users["nobody"])
    assert 'href="/alerts/mine/"' in client.get("/alerts/mine/").content.decode()

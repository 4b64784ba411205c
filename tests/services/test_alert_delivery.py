"""Weekly alerts with the real parts: an SMTP server on loopback, Redis and a Celery worker."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from celery.contrib.testing.worker import start_worker

from paperless.alerts import delivery, tasks
from paperless.models import AlertDelivery
from sakai_dx.celery import app
from tests.alert_helpers import AS_OF, WEEK, add_alert_counts, expected_messages
from tests.services.alert_support import (
    celery_on_redis,
    smtp_server,
    use_smtp,
    wait_for,
    watching,
)

pytestmark = pytest.mark.services
SITE = "https://paperless.city.sakai.example"


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def smtp(settings):
    with smtp_server() as (mailbox, port):
        use_smtp(settings, port)
        settings.SITE_URL = SITE
        yield mailbox


@pytest.fixture
def week(tree, users):
    add_alert_counts(tree)
    return tree


def worker():
    return start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=30)


def run_weekly(watcher, runs: int = 1) -> None:
    for _ in range(runs):
        tasks.send_weekly_alerts.delay(as_of=AS_OF.isoformat())


def once_each(mailbox) -> Counter:
    return Counter(mailbox.received())


@pytest.mark.django_db
def test_smtp_server_receives_japanese_utf8_messages_with_working_links(smtp, week, settings):
    delivery.alert_week_send_inline(as_of=AS_OF)
    assert once_each(smtp) == Counter(expected_messages())
    by_kind = {(str(m["To"]), str(m["X-Paperless-Alert"]).split(";")[0]): m for m in smtp.messages}
    lagging = by_kind[("shimin.sakai@city.sakai.example", "lagging")]
    assert lagging["Subject"] == "【ペーパーレス】2022年12月 削減率20.0%（目標30%未達）"
    assert b"=?utf-8?" in lagging.as_bytes().split(b"\n\n")[0]  # encoded on the wire
    assert lagging["From"] == settings.DEFAULT_FROM_EMAIL
    assert lagging["Auto-Submitted"] == "auto-generated"
    assert lagging["Message-ID"] and lagging["Date"]
    assert lagging["X-Paperless-Alert"] == f"lagging; week={WEEK.isoformat()}"
    assert lagging.get_content_type() == "multipart/alternative"
    text_part = lagging.get_body(("plain",))
    assert text_part.get_content_charset() == "utf-8"
    text = text_part.get_content()
    assert "堺区役所 堺区 市民課（所属コード 110100）" in text
    assert "削減率 20.0%　取組基準30%まで あと 90枚" in text
    links = set(re.findall(rf"{re.escape(SITE)}/\S*", text))
    assert links == {f"{SITE}/units/110100/", f"{SITE}/", f"{SITE}/alerts/mine/"}
    html = lagging.get_body(("html",)).get_content()
    assert f'href="{SITE}/units/110100/"' in html
    assert '<html lang="ja">' in html

    missing = by_kind[("shimin.naka@city.sakai.example", "missing")]
    assert missing["Subject"] == "【ペーパーレス】2022年12月分の枚数が未報告です（締切 1月10日）"
    body = missing.get_body(("plain",)).get_content()
    assert f"{SITE}/uploads/template.xlsx?unit=120100&month=2022-12" in body
    assert f"{SITE}/uploads/new/" in body
    digest = by_kind[("executive@city.sakai.example", "digest")]
    assert digest["Subject"].startswith("【ペーパーレス】2022年12月 全市削減率")
    assert "■ 区役所別（今年度累計）" in digest.get_body(("plain",)).get_content()


@pytest.mark.django_db(transaction=True)
def test_weekly_task_through_redis_and_a_worker_delivers_every_message_once(smtp, week):
    with celery_on_redis(), watching() as watcher, worker():
        run_weekly(watcher)
        wait_for(lambda: watcher.settled(1), "the weekly run to finish")
    assert once_each(smtp) == Counter(expected_messages())
    rows = AlertDelivery.objects.filter(week=WEEK)
    assert set(rows.values_list("status", "attempts")) == {("sent", 1)}
    assert rows.count() == len(expected_messages())


@pytest.mark.django_db(transaction=True)
def test_running_twice_and_restarting_the_worker_sends_no_duplicate(smtp, week):
    with celery_on_redis() as broker, watching() as watcher:
        with worker():
            run_weekly(watcher, runs=2)  # a second beat tick while the first is queued
            wait_for(lambda: watcher.settled(2), "both weekly runs to finish")
        assert broker.llen("celery") == 0
        with worker():  # the worker restarts; the week runs once more
            run_weekly(watcher)
            wait_for(lambda: watcher.settled(3), "the third weekly run to finish")
    assert once_each(smtp) == Counter(expected_messages())
    assert watcher.finished(".send_weekly_alerts")[-1] == {"planned": 6, "queued": 0}
    assert set(AlertDelivery.objects.values_list("status", "attempts")) == {("sent", 1)}


@pytest.mark.django_db(transaction=True)
def test_transient_smtp_failures_are_retried_and_delivered_exactly_once(smtp, week, monkeypatch):
    monkeypatch.setattr(tasks, "RETRY_BASE_SECONDS", 0.2)
    smtp.fail_data = ["451 4.3.0 Try again later"] * 3
    with celery_on_redis(), watching() as watcher, worker():
        run_weekly(watcher)
        wait_for(lambda: watcher.settled(1), "the retries to finish")
    assert once_each(smtp) == Counter(expected_messages())
    rows = AlertDelivery.objects.filter(week=WEEK)
    assert set(rows.values_list("status", flat=True)) == {"sent"}
    assert sum(rows.values_list("attempts", flat=True)) == len(expected_messages()) + 3
    retried = [r for n, s, r in watcher.runs if s == "RETRY"]
    assert len(retried) == 3


@pytest.mark.django_db(transaction=True)
def test_a_refused_address_fails_alone_and_the_rest_arrive(smtp, week):
    refused = "shimin.naka@city.sakai.example"
    smtp.refuse[refused] = "550 5.1.1 <shimin.naka@city.sakai.example>: User unknown"
    with celery_on_redis(), watching() as watcher, worker():
        run_weekly(watcher)
        wait_for(lambda: watcher.settled(1), "the weekly run to finish")
    delivered = expected_messages() - {(refused, "missing")}
    assert once_each(smtp) == Counter(delivered)
    row = AlertDelivery.objects.get(recipient=refused)
    assert (row.status, row.attempts, row.sent_at) == ("failed", 1, None)
    assert "550 5.1.1" in row.reason and "User unknown" in row.reason
    others = AlertDelivery.objects.exclude(recipient=refused)
    assert set(others.values_list("status", flat=True)) == {"sent"}

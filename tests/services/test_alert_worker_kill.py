"""A worker killed in the middle of a message: nothing is sent twice, nothing is lost.

The workers are real ``celery worker`` processes on Redis, sharing the test database
(PostgreSQL) with this test, so SIGKILL drops their database connection and SMTP
session exactly as it would in production. The message in flight when the worker
died had been claimed (committed as sending) before the SMTP call: whether it arrived
cannot be known, so it is never sent again by itself and is reported for a person to
resolve; every other message is delivered once by the next worker.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.utils import timezone

from paperless.alerts import delivery, tasks
from paperless.core.fiscal import latest_complete_month
from paperless.models import AlertDelivery
from tests.alert_helpers import add_counts_until
from tests.conftest import service_unavailable
from tests.services.alert_support import REDIS_URL, celery_on_redis, smtp_server, wait_for

pytestmark = pytest.mark.services
BASE_DIR = Path(__file__).resolve().parents[2]
SITE = "https://paperless.city.sakai.example"


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def shared_database_url() -> str:
    if connection.vendor != "postgresql":
        service_unavailable("a worker process shares the test database: needs PostgreSQL")
    s = connection.settings_dict
    auth = quote(s["USER"] or "postgres")
    if s["PASSWORD"]:
        auth += ":" + quote(s["PASSWORD"])
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def start_worker_process(name: str, env: dict[str, str], log: Path) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "celery", "-A", "sakai_dx", "worker", "--pool=solo",
        "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat",
        "-n", f"{name}@%h",
    ]  # fmt: skip
    with log.open("ab") as out:
        return subprocess.Popen(
            command, cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip


def stop(process: subprocess.Popen, sig: int) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
    try:
        process.wait(60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


@pytest.mark.django_db(transaction=True)
def test_killing_the_worker_mid_send_then_restarting_sends_the_rest_once_and_flags_one(
    tree, users, tmp_path
):
    database = shared_database_url()
    today = timezone.localdate()
    add_counts_until(tree, latest_complete_month(today))
    plan, _ = delivery.week_plan(today)
    expected = Counter((m.recipient, m.kind) for m in plan.messages)
    assert len(expected) >= 5

    with smtp_server() as (mailbox, port), celery_on_redis() as broker:
        env = {
            **os.environ,
            "DATABASE_URL": database,
            "CELERY_BROKER_URL": REDIS_URL,
            "EMAIL_URL": f"smtp://127.0.0.1:{port}",
            "SITE_URL": SITE,
        }
        mailbox.hold_mail_at = 3  # the third message hangs at MAIL FROM
        tasks.send_weekly_alerts.delay()  # what beat sends: as of today
        log = tmp_path / "workers.log"
        first = start_worker_process("first", env, log)
        try:
            wait_for(mailbox.held.is_set, "the first worker to reach the third message", 180)
        finally:
            stop(first, signal.SIGKILL)
        mailbox.release.set()
        assert len(mailbox.messages) == 2
        rows = AlertDelivery.objects.filter(week=plan.timing.week)
        # Nothing is marked sent that did not arrive; the message in flight stays
        # claimed (sending), and nothing else is lost.
        assert rows.filter(status="sent").count() == 2
        assert rows.filter(status="sending").count() == 1
        assert rows.filter(status="pending").count() == len(expected) - 3
        cut_short = rows.get(status="sending")

        second = start_worker_process("second", env, log)
        try:
            wait_for(
                lambda: not rows.filter(status="pending").exists(),
                "every pending delivery to be sent after the restart",
                180,
            )
            wait_for(lambda: broker.llen("celery") == 0, "the queue to drain", 60)
        finally:
            stop(second, signal.SIGTERM)  # warm shutdown: finishes what it started
    delivered = expected - Counter({(cut_short.recipient, cut_short.kind): 1})
    assert Counter(mailbox.received()) == delivered, log.read_text(errors="replace")[-3000:]
    assert rows.count() == len(expected)
    assert rows.filter(status="sent").count() == len(expected) - 1
    # The one cut short is not sent again: it is reported for a person to resolve.
    assert rows.get(pk=cut_short.pk).status == "sending"
    assert [r.delivery_id for r in delivery.interrupted()] == [cut_short.pk]

"""The weekly run in process (Celery eager, locmem mail): once per recipient, kind and week."""

from __future__ import annotations

import io
import smtplib
from datetime import date

import pytest
import time_machine
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import call_command
from django.db import OperationalError, transaction
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from paperless.alerts import delivery, tasks
from paperless.alerts.delivery import REASON_INVALID, REASON_NOT_PLANNED, REASON_OLD_WEEK
from paperless.models import AlertDelivery, Unit
from tests.alert_helpers import AS_OF, WEEK, add_alert_counts, expected_messages

pytestmark = pytest.mark.django_db
Status = AlertDelivery.Status


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    # The users fixture hashes five passwords; only the speed changes.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def week(tree, users):
    add_alert_counts(tree)
    return tree


def run(as_of: date = AS_OF) -> dict[str, int]:
    return tasks.send_weekly_alerts.delay(as_of=as_of.isoformat()).get()


def sent_keys() -> set[tuple[str, str]]:
    return {(m.to[0], m.extra_headers["X-Paperless-Alert"].split(";")[0]) for m in mail.outbox}


class Failing(LocmemBackend):
    """A mail backend that raises ``errors[address]`` (one per attempt) before sending."""

    errors: dict[str, list[Exception]] = {}

    def send_messages(self, messages):
        for message in messages:
            queue = self.errors.get(message.to[0])
            if queue:
                raise queue.pop(0)
        return super().send_messages(messages)


@pytest.fixture
def failing(settings):
    settings.EMAIL_BACKEND = "tests.integration.test_alerts_delivery_rules.Failing"
    Failing.errors = {}
    return Failing.errors


def test_default_schedule_is_monday_0830_tokyo():
    task = PeriodicTask.objects.get(name="週次アラート")
    assert task.task == "paperless.tasks.send_weekly_alerts"
    assert task.enabled
    cron = task.crontab
    assert (cron.minute, cron.hour, cron.day_of_week) == ("30", "8", "1")
    assert (cron.day_of_month, cron.month_of_year) == ("*", "*")
    assert str(cron.timezone) == "Asia/Tokyo"


def test_weekly_run_sends_each_planned_message_and_records_it(week):
    assert run() == {"planned": 6, "queued": 6}
    assert sent_keys() == expected_messages()
    rows = AlertDelivery.objects.filter(week=WEEK)
    assert rows.count() == 6
    assert set(rows.values_list("status", flat=True)) == {Status.SENT}
    assert all(r.sent_at and r.attempts == 1 for r in rows)
    lagging = rows.get(recipient="shimin.sakai@city.sakai.example")
    assert list(lagging.units.values_list("code", flat=True)) == ["110100"]
    assert lagging.subject == "【ペーパーレス】2022年12月 削減率20.0%（目標30%未達）"
    assert rows.get(recipient="head@city.sakai.example").user.username == "head"


def test_running_the_week_again_sends_nothing(week):
    run()
    run()
    delivery.alert_week_send_inline(as_of=AS_OF)
    assert len(mail.outbox) == 6
    assert AlertDelivery.objects.count() == 6


def test_a_later_day_of_the_same_week_is_the_same_week(week):
    run()
    assert run(date(2023, 1, 20)) == {"planned": 6, "queued": 0}
    assert len(mail.outbox) == 6


def test_a_duplicate_send_message_finds_its_row_sent(week):
    prepared = delivery.alert_week_prepare(as_of=AS_OF)
    payload = prepared.outgoing[0].as_payload()
    assert tasks.send_alert_delivery.delay(payload).get() == Status.SENT
    assert tasks.send_alert_delivery.delay(payload).get() == Status.SENT
    assert len(mail.outbox) == 1
    assert AlertDelivery.objects.get(pk=payload["delivery_id"]).attempts == 1


def test_in_process_a_transient_failure_stays_pending_until_the_next_run(week, failing):
    failing["shiminzei@city.sakai.example"] = [
        smtplib.SMTPDataError(451, b"4.3.0 Try again later"),
    ]
    run()
    row = AlertDelivery.objects.get(recipient="shiminzei@city.sakai.example")
    assert (row.status, row.attempts) == (Status.PENDING, 1)
    assert row.reason == "1回目: メールサーバーの応答: 451 4.3.0 Try again later"
    assert len(mail.outbox) == 5
    assert run() == {"planned": 6, "queued": 1}
    row.refresh_from_db()
    assert (row.status, row.attempts, row.reason) == (Status.SENT, 2, "")
    assert [m.to[0] for m in mail.outbox].count("shiminzei@city.sakai.example") == 1


def test_the_command_reports_transient_failures_for_a_rerun(week, failing):
    failing["shiminzei@city.sakai.example"] = [ConnectionRefusedError(111, "refused")]
    result = delivery.alert_week_send_inline(as_of=AS_OF)
    assert (result.outcomes["sent"], result.outcomes["retry"]) == (5, 1)


def test_refused_address_is_recorded_failed_and_the_others_arrive(week, failing):
    failing["shimin.naka@city.sakai.example"] = [
        smtplib.SMTPRecipientsRefused(
            {"shimin.naka@city.sakai.example": (550, b"5.1.1 User unknown")}
        )
    ]
    run()
    row = AlertDelivery.objects.get(recipient="shimin.naka@city.sakai.example")
    assert row.status == Status.FAILED
    assert row.attempts == 1
    assert "550 5.1.1 User unknown" in row.reason
    assert len(mail.outbox) == 5


def test_a_mailbox_busy_refusal_is_transient(week, failing):
    failing["shimin.naka@city.sakai.example"] = [
        smtplib.SMTPRecipientsRefused({"shimin.naka@city.sakai.example": (450, b"busy")})
    ]
    run()
    assert AlertDelivery.objects.get(recipient="shimin.naka@city.sakai.example").status == "pending"


def test_the_last_allowed_attempt_records_failed_with_the_reason(week, failing):
    prepared = delivery.alert_week_prepare(as_of=AS_OF)
    payload = prepared.outgoing[0].as_payload()
    failing[str(payload["recipient"])] = [ConnectionRefusedError(111, "refused")]
    result = tasks.send_alert_delivery.apply(args=[payload], retries=tasks.SEND_MAX_RETRIES)
    assert result.get() == Status.FAILED
    row = AlertDelivery.objects.get(pk=payload["delivery_id"])
    assert row.status == Status.FAILED
    assert "メールサーバーに接続できませんでした" in row.reason
    assert mail.outbox == []


def test_an_invalid_address_is_skipped_with_the_reason(week):
    Unit.objects.filter(code="201100").update(head_emails="shiminzei@@city")
    run()
    row = AlertDelivery.objects.get(recipient="shiminzei@@city")
    assert (row.status, row.reason, row.attempts) == (Status.SKIPPED, REASON_INVALID, 0)
    assert len(mail.outbox) == 5


def test_rows_left_pending_from_an_earlier_week_are_closed_as_skipped(week):
    old = AlertDelivery.objects.create(
        week=date(2023, 1, 9), kind="lagging", recipient="x@city.sakai.example"
    )
    run()
    old.refresh_from_db()
    assert (old.status, old.reason) == (Status.SKIPPED, REASON_OLD_WEEK)


def test_next_weeks_digest_compares_with_the_lagging_set_recorded_this_week(week, tree):
    run()
    digest = AlertDelivery.objects.get(kind="digest")
    assert set(digest.units.values_list("code", flat=True)) == {"110100", "201100"}
    # 市民税課 catches up; next week's digest names it.
    tree["zeimu"].counts.filter(month__gte=date(2022, 4, 1)).update(print_sheets=20)
    plan, _ = delivery.week_plan(date(2023, 1, 23))
    previous = plan.by_kind("digest")[0].context["previous"]
    assert previous["week"] == WEEK
    assert previous["change"] == -1
    assert [d["code"] for d in previous["newly_achieved"]] == ["201100"]


def test_resume_sends_pending_rows_and_skips_those_no_longer_planned(week):
    delivery.alert_week_prepare(as_of=AS_OF)
    gone = AlertDelivery.objects.create(week=WEEK, kind="missing", recipient="old@city.example")
    assert run_resume() == {"planned": 6, "queued": 6}
    gone.refresh_from_db()
    assert (gone.status, gone.reason) == (Status.SKIPPED, REASON_NOT_PLANNED)
    assert len(mail.outbox) == 6
    assert AlertDelivery.objects.filter(status=Status.SENT).count() == 6


def run_resume() -> dict[str, int]:
    return tasks.send_weekly_alerts.delay(as_of=AS_OF.isoformat(), resume=True).get()


def test_worker_start_resumes_a_run_cut_short_this_week(week):
    delivery.alert_week_prepare(as_of=AS_OF)
    with time_machine.travel(date(2023, 1, 17)):
        tasks.resume_cut_short_run()
    assert len(mail.outbox) == 6
    with time_machine.travel(date(2023, 1, 18)):
        tasks.resume_cut_short_run()
    assert len(mail.outbox) == 6


def test_retry_delays_grow_and_stay_far_below_the_visibility_timeout():
    delays = [tasks.retry_delay(n) for n in range(tasks.SEND_MAX_RETRIES + 1)]
    assert 15 <= delays[0] <= 30
    assert all(d <= tasks.RETRY_MAX_SECONDS < 3600 / 4 for d in delays)
    assert tasks.send_alert_delivery.acks_late and tasks.send_weekly_alerts.acks_late


# --- Claim, send, record: a crash in between is never sent again, and is reported ---------


class Crash(BaseException):
    """The process dying (killed, out of memory) right after the server accepted."""


def _crash(delivery_id: int) -> None:
    raise Crash


def _database_gone(delivery_id: int) -> None:
    raise OperationalError("server closed the connection unexpectedly")


@pytest.mark.parametrize("failure", [_crash, _database_gone], ids=["crash", "database gone"])
def test_a_crash_between_send_and_record_is_not_sent_again_and_is_reported(
    week, monkeypatch, caplog, client, users, failure
):
    prepared = delivery.alert_week_prepare(as_of=AS_OF)
    message = prepared.outgoing[0]
    monkeypatch.setattr(delivery, "mark_sent", failure)
    with pytest.raises((Crash, OperationalError)):
        delivery.alert_delivery_send(outgoing=message)
    monkeypatch.undo()
    assert len(mail.outbox) == 1  # the server has it
    row = AlertDelivery.objects.get(pk=message.delivery_id)
    assert (row.status, row.attempts, row.sent_at) == (Status.SENDING, 1, None)
    assert row.claimed_at is not None

    assert run() == {"planned": 6, "queued": 5}
    assert sent_keys() == expected_messages()
    assert [m.to[0] for m in mail.outbox].count(message.recipient) == 1
    # Neither a duplicate task nor the worker's resume sends it.
    assert tasks.send_alert_delivery.delay(message.as_payload()).get() == Status.SENDING
    # The worker-start hook closes its connections before the pool forks; here the test's
    # own transaction holds the connection (on PostgreSQL closing it would end the test).
    monkeypatch.setattr(tasks.db.connections, "close_all", lambda: None)
    with time_machine.travel(date(2023, 1, 17)):
        tasks.resume_cut_short_run()
    assert len(mail.outbox) == 6
    row.refresh_from_db()
    assert row.status == Status.SENDING

    # Reported: by the next run (and its log), the command and the delivery log page.
    again = delivery.alert_week_prepare(as_of=AS_OF)
    assert [r.delivery_id for r in again.interrupted] == [row.pk]
    assert again.settled[Status.SENDING] == 1
    warnings = [r for r in caplog.records if r.levelname == "WARNING" and "cut short" in r.message]
    assert warnings and message.recipient in warnings[-1].message
    out = io.StringIO()
    call_command("send_weekly_alerts", "--week", AS_OF.isoformat(), stdout=out)
    assert "送信中のまま止まっている記録 1通" in out.getvalue()
    assert message.recipient in out.getvalue()
    client.force_login(users["admin"])
    page = client.get(reverse("paperless:alert_deliveries")).content.decode()
    assert "送信中のまま止まっている記録（1通）" in page and message.recipient in page
    assert len(mail.outbox) == 6


@pytest.mark.django_db(transaction=True)
def test_the_claim_is_committed_and_no_transaction_is_open_during_the_smtp_call(
    tree, users, settings
):
    add_alert_counts(tree)
    settings.EMAIL_BACKEND = "tests.integration.test_alerts_delivery_rules.Observing"
    Observing.seen = []
    delivery.alert_week_send_inline(as_of=AS_OF)
    assert len(Observing.seen) == 6
    assert set(Observing.seen) == {(False, Status.SENDING)}
    assert set(AlertDelivery.objects.values_list("status", flat=True)) == {Status.SENT}


class Observing(LocmemBackend):
    """Notes, at the SMTP call, whether a transaction is open and the row's status."""

    seen: list[tuple[bool, str]] = []

    def send_messages(self, messages):
        for message in messages:
            kind = message.extra_headers["X-Paperless-Alert"].split(";")[0]
            row = AlertDelivery.objects.get(recipient=message.to[0], kind=kind)
            in_transaction = transaction.get_connection().in_atomic_block
            Observing.seen.append((in_transaction, row.status))
        return super().send_messages(messages)


def _left_sending(monkeypatch) -> delivery.Outgoing:
    """One message of the week sent, its record cut short: the row stays sending."""
    message = delivery.alert_week_prepare(as_of=AS_OF).outgoing[0]
    monkeypatch.setattr(delivery, "mark_sent", _crash)
    with pytest.raises(Crash):
        delivery.alert_delivery_send(outgoing=message)
    monkeypatch.undo()
    return message


@pytest.mark.parametrize("arrived", [True, False], ids=["arrived", "did not arrive"])
def test_an_administrator_resolves_a_row_left_sending_in_the_admin(
    week, monkeypatch, client, users, arrived
):
    message = _left_sending(monkeypatch)
    other = AlertDelivery.objects.exclude(pk=message.delivery_id).first()
    client.force_login(users["admin"])
    action = "resolve_arrived" if arrived else "resolve_not_arrived"
    response = client.post(
        reverse("admin:paperless_alertdelivery_changelist"),
        {"action": action, "_selected_action": [message.delivery_id, other.pk], "index": 0},
    )
    assert response.status_code == 302
    row = AlertDelivery.objects.get(pk=message.delivery_id)
    other_status = other.status
    other.refresh_from_db()
    assert other.status == other_status  # only rows left sending are resolved
    if arrived:
        assert (row.status, row.sent_at) == (Status.SENT, row.claimed_at)
        run()
        assert [m.to[0] for m in mail.outbox].count(message.recipient) == 1
    else:
        assert row.status == Status.PENDING
        run()
        assert [m.to[0] for m in mail.outbox].count(message.recipient) == 2
        row.refresh_from_db()
        assert (row.status, row.attempts) == (Status.SENT, 2)
    assert delivery.interrupted() == []
    assert LogEntry.objects.filter(object_id=str(row.pk)).exists()

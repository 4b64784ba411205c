"""Sending the weekly alerts at most once: claim a row, send, record what happened.

Two claims make "once" hold whatever the broker or the workers do:

1. ``alert_week_prepare`` inserts one ``AlertDelivery`` row per (recipient, kind,
   week) before anything is sent; the unique constraint turns a second beat tick, a
   re-run or a redelivered planning task into a no-op for rows that exist.
2. ``alert_delivery_send`` claims its row with a conditional UPDATE (``pending`` →
   ``sending``, with the time) in a transaction of its own that is committed before
   the SMTP call; a duplicate task finds the row no longer pending. The outcome is
   recorded after the call, in another transaction. No transaction is open while
   the mail server is talking.

A process that dies between the claim and the record (killed, out of memory, the
database gone after the server accepted the message) leaves the row ``sending``.
Whether that message arrived cannot be known, so it is never sent again by itself:
the next run reports it (``Prepared.interrupted``, the command's output, a warning in
the log, the delivery log page) and a person resolves it in the admin, as arrived
(sent) or not (back to pending, sent by the next run of its week).

Transient errors (connection refused, disconnects, 4xx) put the row back to pending
with the reason and raise ``TransientDeliveryError`` so the task retries with backoff;
permanent ones (5xx, refused recipient) mark that row failed and the others go on.

Longer than most modules because claiming, sending and recording belong together: the
guarantee (at most once per recipient, kind and week) is only readable in one place.
"""

from __future__ import annotations

import logging
import smtplib
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from paperless.alerts import emails
from paperless.alerts.data import alert_data_load
from paperless.alerts.planning import Planned, WeekPlan, plan_week, week_start, week_timing
from paperless.models import AlertDelivery
from paperless.reads.deliveries import pending_in_week

logger = logging.getLogger(__name__)
Status = AlertDelivery.Status

SUBJECT_MAX = AlertDelivery._meta.get_field("subject").max_length
RECIPIENT_MAX = AlertDelivery._meta.get_field("recipient").max_length
REASON_OLD_WEEK = "週が替わったため送信しませんでした（次の週の実行で新しい内容をお送りします）。"
REASON_INVALID = "メールアドレスの形式が正しくないため送信しませんでした。"
REASON_NOT_PLANNED = "再開した時点で送信の対象外になっていたため送信しませんでした。"
REASON_CONFIRMED_SENT = (
    "送信中のまま止まっていた記録を、届いていたことを確かめて送信済みにしました。"
)
REASON_RESEND = "送信中のまま止まっていた記録を、届いていなかったため送信待ちに戻しました。"


class TransientDeliveryError(Exception):
    """Sending failed for a reason that may pass (server down, 4xx): retry later."""


@dataclass(frozen=True)
class Outgoing:
    """One claimed message with its content: what a send task carries."""

    delivery_id: int
    kind: str
    recipient: str
    week: date
    subject: str
    text: str
    html: str

    def as_payload(self) -> dict[str, object]:
        return {**asdict(self), "week": self.week.isoformat()}

    @classmethod
    def from_payload(cls, payload: dict[str, object]) -> Outgoing:
        return cls(**{**payload, "week": date.fromisoformat(str(payload["week"]))})


@dataclass(frozen=True)
class Interrupted:
    """A row left ``sending``: its message may or may not have arrived."""

    delivery_id: int
    week: date
    kind: str
    recipient: str
    claimed_at: datetime | None

    @property
    def kind_label(self) -> str:
        return AlertDelivery.Kind(self.kind).label


@dataclass
class Prepared:
    plan: WeekPlan
    outgoing: list[Outgoing]
    # Rows of this week that already had an outcome, by status (sent, failed, skipped,
    # and sending: cut short, not sent again).
    settled: Counter[str] = field(default_factory=Counter)
    # Rows of any week left sending, for a person to resolve.
    interrupted: list[Interrupted] = field(default_factory=list)


def week_plan(as_of: date) -> tuple[WeekPlan, dict[str, int]]:
    """The week's plan for the data as it stands, and unit ids by code (no writes)."""
    timing = week_timing(as_of, deadline_day=settings.PAPERLESS_UPLOAD_DEADLINE_DAY)
    data = alert_data_load(timing)
    plan = plan_week(
        data,
        as_of=as_of,
        deadline_day=settings.PAPERLESS_UPLOAD_DEADLINE_DAY,
        site_url=settings.SITE_URL,
    )
    return plan, dict(zip(data.units["code"], data.units["id"], strict=True))


def render_messages(messages: Iterable[Planned]) -> list[tuple[Planned, emails.Rendered]]:
    return [(m, emails.render(m.kind, m.context)) for m in messages]


def render_plan(plan: WeekPlan) -> list[tuple[Planned, emails.Rendered]]:
    return render_messages(plan.messages)


def _valid(address: str) -> bool:
    try:
        validate_email(address)
    except ValidationError:
        return False
    return len(address) <= RECIPIENT_MAX


def _new_rows(messages: list[tuple[Planned, emails.Rendered]], week: date) -> list[AlertDelivery]:
    return [
        AlertDelivery(
            week=week,
            kind=m.kind,
            recipient=m.recipient[:RECIPIENT_MAX],
            user_id=m.user_id,
            subject=r.subject[:SUBJECT_MAX],
            status=Status.PENDING if _valid(m.recipient) else Status.SKIPPED,
            reason="" if _valid(m.recipient) else REASON_INVALID,
        )
        for m, r in messages
    ]


def alert_week_prepare(*, as_of: date, resume_only: bool = False) -> Prepared:
    """Plan the week, claim a row per message, and return the messages still to send.

    ``resume_only`` finishes a run that was cut short: it creates no rows, sends the
    pending ones the plan still contains and skips the others.
    """
    plan, unit_ids = week_plan(as_of)
    week = plan.timing.week
    rendered = render_plan(plan)
    key = {(m.recipient, m.kind): (m, r) for m, r in rendered}
    with transaction.atomic():
        # A row still pending from an earlier week would tell old news: close it.
        AlertDelivery.objects.filter(status=Status.PENDING, week__lt=week).update(
            status=Status.SKIPPED, reason=REASON_OLD_WEEK, updated_at=timezone.now()
        )
        this_week = AlertDelivery.objects.filter(week=week)
        existing = {(r, k): pk for pk, r, k in this_week.values_list("pk", "recipient", "kind")}
        if resume_only:
            gone = [pk for k, pk in existing.items() if k not in key]
            this_week.filter(pk__in=gone, status=Status.PENDING).update(
                status=Status.SKIPPED, reason=REASON_NOT_PLANNED, updated_at=timezone.now()
            )
        else:
            new = [pair for k, pair in key.items() if k not in existing]
            AlertDelivery.objects.bulk_create(_new_rows(new, week), ignore_conflicts=True)
        columns = ("pk", "recipient", "kind", "status")
        rows = {(r, k): (pk, s) for pk, r, k, s in this_week.values_list(*columns)}
        if not resume_only:
            through = AlertDelivery.units.through
            through.objects.bulk_create(
                [
                    through(alertdelivery_id=rows[k][0], unit_id=unit_ids[code])
                    for k, (m, _) in key.items()
                    if k not in existing and k in rows
                    for code in m.units
                    if code in unit_ids
                ],
                ignore_conflicts=True,
            )
    outgoing, settled = [], Counter()
    for k, (m, r) in key.items():
        if k not in rows:
            continue
        pk, status = rows[k]
        if status != Status.PENDING:
            settled[status] += 1
            continue
        outgoing.append(
            Outgoing(
                delivery_id=pk,
                kind=m.kind,
                recipient=m.recipient,
                week=week,
                subject=r.subject,
                text=r.text,
                html=r.html,
            )
        )
    left = interrupted()
    for row in left:
        logger.warning(
            "alert %s (%s, week of %s) to %s was cut short while sending (claimed %s): "
            "not sent again; check whether it arrived and resolve it in the admin",
            row.delivery_id,
            row.kind,
            row.week,
            row.recipient,
            row.claimed_at,
        )
    return Prepared(plan=plan, outgoing=outgoing, settled=settled, interrupted=left)


def interrupted() -> list[Interrupted]:
    """Every row left sending (of any week), oldest claim first."""
    rows = AlertDelivery.objects.filter(status=Status.SENDING).order_by("claimed_at", "pk")
    return [
        Interrupted(pk, week, kind, recipient, claimed_at)
        for pk, week, kind, recipient, claimed_at in rows.values_list(
            "pk", "week", "kind", "recipient", "claimed_at"
        )
    ]


def resolve_interrupted(delivery_ids: Iterable[int], *, arrived: bool) -> int:
    """A person's answer for rows left sending: the message arrived (sent), or it did
    not (pending: the next run of its week sends it; a later run skips it as old).
    Rows no longer sending are left alone. Returns how many rows changed."""
    rows = AlertDelivery.objects.filter(pk__in=list(delivery_ids), status=Status.SENDING)
    if arrived:
        return rows.update(
            status=Status.SENT,
            sent_at=F("claimed_at"),
            reason=REASON_CONFIRMED_SENT,
            updated_at=timezone.now(),
        )
    return rows.update(status=Status.PENDING, reason=REASON_RESEND, updated_at=timezone.now())


def classify(exc: BaseException) -> tuple[bool, str]:
    """(transient?, reason in Japanese) for an exception raised while sending."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        details = "; ".join(
            f"{address}: {code} {_text(message)}"
            for address, (code, message) in exc.recipients.items()
        )
        transient = bool(codes) and all(400 <= code < 500 for code in codes)
        return transient, f"宛先を受け付けられませんでした（{details}）"
    if isinstance(exc, smtplib.SMTPResponseException):
        code = exc.smtp_code
        transient = isinstance(exc, smtplib.SMTPConnectError) or not 500 <= code < 600
        return transient, f"メールサーバーの応答: {code} {_text(exc.smtp_error)}"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True, f"メールサーバーとの接続が切れました（{exc}）"
    if isinstance(exc, smtplib.SMTPException):
        return False, f"送信できませんでした（{type(exc).__name__}: {exc}）"
    if isinstance(exc, OSError):
        return True, f"メールサーバーに接続できませんでした（{type(exc).__name__}: {exc}）"
    return False, f"送信中にエラーが起きました（{type(exc).__name__}: {exc}）"


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def alert_delivery_send(*, outgoing: Outgoing, final_attempt: bool = False) -> str:
    """Send one message unless its row is no longer pending; return the row's status.

    Raises ``TransientDeliveryError`` after recording the reason when a retry may
    succeed, unless ``final_attempt``: then the row is marked failed.
    """
    if not claim(outgoing.delivery_id):
        found = AlertDelivery.objects.filter(pk=outgoing.delivery_id)
        return found.values_list("status", flat=True).first() or "missing"
    rendered = emails.Rendered(outgoing.subject, outgoing.text, outgoing.html)
    headers = {"X-Paperless-Alert": f"{outgoing.kind}; week={outgoing.week.isoformat()}"}
    try:
        emails.build(to=outgoing.recipient, rendered=rendered, headers=headers).send()
    except Exception as exc:  # noqa: BLE001 - every outcome is recorded on the row
        transient, reason = classify(exc)
        retry = transient and not final_attempt
        recorded = record_failure(outgoing.delivery_id, reason, retry=retry)
        if retry:
            raise TransientDeliveryError(recorded) from exc
        if not transient:
            logger.warning(
                "alert %s to %s failed: %s", outgoing.delivery_id, outgoing.recipient, reason
            )
        return Status.FAILED
    mark_sent(outgoing.delivery_id)
    return Status.SENT


def claim(delivery_id: int) -> bool:
    """Mark the row sending and commit, before any byte goes to the mail server.

    Durable: called inside someone else's transaction, the claim would not be
    committed before the send, and a crash could not be told from a message never
    sent. Returns False when the row is no longer pending (a duplicate task)."""
    now = timezone.now()
    with transaction.atomic(durable=True):
        claimed = AlertDelivery.objects.filter(pk=delivery_id, status=Status.PENDING).update(
            status=Status.SENDING, attempts=F("attempts") + 1, claimed_at=now, updated_at=now
        )
    return claimed == 1


def mark_sent(delivery_id: int) -> None:
    """The server accepted the message: record it, in a transaction of its own."""
    now = timezone.now()
    with transaction.atomic(durable=True):
        AlertDelivery.objects.filter(pk=delivery_id, status=Status.SENDING).update(
            status=Status.SENT, sent_at=now, reason="", updated_at=now
        )


def record_failure(delivery_id: int, reason: str, *, retry: bool) -> str:
    """The server did not take the message: pending again (to retry) or failed.

    Returns the reason as recorded (with the attempt's number)."""
    with transaction.atomic(durable=True):
        row = AlertDelivery.objects.select_for_update().get(pk=delivery_id)
        row.reason = f"{row.attempts}回目: {reason}"
        row.status = Status.PENDING if retry else Status.FAILED
        row.save(update_fields=["status", "reason", "updated_at"])
    return row.reason


@dataclass
class InlineResult:
    prepared: Prepared
    outcomes: Counter[str]


def alert_week_send_inline(*, as_of: date) -> InlineResult:
    """The whole week in this process, for the command: same claims, no broker."""
    prepared = alert_week_prepare(as_of=as_of)
    outcomes: Counter[str] = Counter()
    for message in prepared.outgoing:
        try:
            outcomes[alert_delivery_send(outgoing=message)] += 1
        except TransientDeliveryError:
            outcomes["retry"] += 1
    return InlineResult(prepared=prepared, outcomes=outcomes)


def pending_this_week(today: date) -> bool:
    """Whether a run of this week was cut short (rows claimed but not sent)."""
    return pending_in_week(week_start(today))

"""Sending the weekly alerts exactly once: claim a row, send, record what happened.

Two claims make "once" hold whatever the broker or the workers do:

1. ``alert_week_prepare`` inserts one ``AlertDelivery`` row per (recipient, kind,
   week) before anything is sent; the unique constraint turns a second beat tick, a
   re-run or a redelivered planning task into a no-op for rows that exist.
2. ``alert_delivery_send`` claims its row with a conditional UPDATE (``status =
   pending``) as the first statement of a transaction that also sends and records
   the outcome. The claim's lock lasts until that commit: a duplicate task waits,
   then finds the row no longer pending. A worker killed while sending drops its
   database connection, the transaction rolls back and the row is pending again for
   the redelivered task (``acks_late``) or the resume at worker start.

Transient errors (connection refused, disconnects, 4xx) leave the row pending with
the reason and raise ``TransientDeliveryError`` so the task retries with backoff;
permanent ones (5xx, refused recipient) mark that row failed and the others go on.
"""

from __future__ import annotations

import logging
import smtplib
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date

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


@dataclass
class Prepared:
    plan: WeekPlan
    outgoing: list[Outgoing]
    # Rows of this week that already had an outcome, by status (sent, failed, skipped).
    settled: Counter[str] = field(default_factory=Counter)


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
    return Prepared(plan=plan, outgoing=outgoing, settled=settled)


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
    cause: Exception | None = None
    with transaction.atomic():
        claimed = AlertDelivery.objects.filter(
            pk=outgoing.delivery_id, status=Status.PENDING
        ).update(attempts=F("attempts") + 1, updated_at=timezone.now())
        if not claimed:
            found = AlertDelivery.objects.filter(pk=outgoing.delivery_id).values_list(
                "status", flat=True
            )
            return found.first() or "missing"
        row = AlertDelivery.objects.get(pk=outgoing.delivery_id)
        rendered = emails.Rendered(outgoing.subject, outgoing.text, outgoing.html)
        try:
            headers = {"X-Paperless-Alert": f"{outgoing.kind}; week={outgoing.week.isoformat()}"}
            emails.build(to=outgoing.recipient, rendered=rendered, headers=headers).send()
        except Exception as exc:  # noqa: BLE001 - every outcome is recorded on the row
            transient, reason = classify(exc)
            row.reason = f"{row.attempts}回目: {reason}"
            if transient and not final_attempt:
                cause = exc
            else:
                if not transient:
                    logger.warning("alert %s to %s failed: %s", row.pk, row.recipient, reason)
                row.status = Status.FAILED
        else:
            row.status, row.sent_at, row.reason = Status.SENT, timezone.now(), ""
        row.save(update_fields=["status", "sent_at", "reason", "updated_at"])
    if cause is not None:
        raise TransientDeliveryError(row.reason) from cause
    return row.status


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

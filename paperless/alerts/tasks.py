"""Celery tasks: thin wrappers over the alert services that add retries.

``send_weekly_alerts`` (run by beat, default Monday 08:30 Asia/Tokyo) plans the
week, claims one row per message and queues one ``send_alert_delivery`` per message
still pending. Both acknowledge late (settings: ``acks_late`` and
``reject_on_worker_lost``), so a message in progress when a worker dies is
delivered again; the row claims make that harmless. Retry delays stay far below the
Redis visibility timeout (3600 s) so a waiting retry is never redelivered as well.
"""

from __future__ import annotations

import logging
import random
from datetime import date

from celery import shared_task
from celery.signals import worker_ready
from django import db
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from paperless.alerts import delivery
from paperless.alerts.delivery import Outgoing, TransientDeliveryError
from paperless.models import AlertDelivery

logger = logging.getLogger(__name__)

RETRY_BASE_SECONDS = 30.0
RETRY_MAX_SECONDS = 600.0
# Task names as the beat schedule (migration 0003) and queued messages know them.
TASK_PREFIX = "paperless.tasks"
SEND_MAX_RETRIES = 8  # about 45 minutes of trying before a delivery is marked failed


def retry_delay(retries: int) -> float:
    """Exponential backoff with jitter: 15–30 s, 30–60 s, … capped at 5–10 minutes."""
    delay = min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2**retries)
    return random.uniform(delay / 2, delay)  # noqa: S311 - jitter, not security


@shared_task(
    name=f"{TASK_PREFIX}.send_weekly_alerts",
    bind=True,
    acks_late=True,
    autoretry_for=(BrokerError, db.OperationalError, db.InterfaceError),
    retry_backoff=RETRY_BASE_SECONDS,
    retry_backoff_max=RETRY_MAX_SECONDS,
    retry_jitter=True,
    max_retries=5,
)
def send_weekly_alerts(self, as_of: str | None = None, resume: bool = False) -> dict[str, int]:
    """Plan this week's alerts (as of ``as_of``, default today in Tokyo) and queue them."""
    day = date.fromisoformat(as_of) if as_of else timezone.localdate()
    prepared = delivery.alert_week_prepare(as_of=day, resume_only=resume)
    for message in prepared.outgoing:
        send_alert_delivery.apply_async(args=[message.as_payload()], retry=True)
    return {"planned": len(prepared.plan.messages), "queued": len(prepared.outgoing)}


@shared_task(
    name=f"{TASK_PREFIX}.send_alert_delivery",
    bind=True,
    acks_late=True,
    max_retries=SEND_MAX_RETRIES,
)
def send_alert_delivery(self, payload: dict[str, object]) -> str:
    """Send one claimed message; retry transient failures, record the rest."""
    final = self.request.retries >= self.max_retries
    try:
        return delivery.alert_delivery_send(
            outgoing=Outgoing.from_payload(payload), final_attempt=final
        )
    except TransientDeliveryError as exc:
        if self.request.is_eager:
            # In process (no broker) there is no queue to wait in: the row stays
            # pending with its reason and the next run of the week sends it.
            return AlertDelivery.Status.PENDING
        raise self.retry(exc=exc, countdown=retry_delay(self.request.retries)) from exc


@worker_ready.connect
def resume_cut_short_run(sender=None, **kwargs) -> None:
    """At worker start, finish this week's run if a killed worker left it pending.

    The killed worker's own message comes back only after the visibility timeout;
    this brings the rest of the week's messages out at once. Duplicates it may
    queue find their rows already sent.
    """
    try:
        if delivery.pending_this_week(timezone.localdate()):
            logger.info("resuming this week's alerts left pending by a stopped worker")
            send_weekly_alerts.delay(resume=True)
    except Exception:
        logger.exception("could not check for pending alerts at worker start")
    finally:
        db.connections.close_all()

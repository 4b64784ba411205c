"""Celery tasks: the upload check and commit, off the web process.

Thin wrappers over ``counts.service``: ``check_upload`` parses and validates a received
upload and stores its preview, ``commit_upload`` commits an upload a confirm has claimed.
The views queue them with ``transaction.on_commit`` (``enqueue_check`` /
``enqueue_commit``), so a worker never looks for a row not committed yet; without a
broker they run in process (eager), as in ``make run`` and the tests.

Both acknowledge late and are rejected when their worker dies (settings), so a message
in progress comes back; each starts from the state it expects (checking, committing)
and does nothing otherwise, so a second delivery is harmless. Only transient database
and broker errors of a check are retried, and a check that fails for good rejects its
upload with a message. A commit is not retried: one that fails writes nothing and leaves
its upload ready, and the page asks the user to confirm again.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django import db
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerError

from paperless.importing.counts import service

logger = logging.getLogger(__name__)

TASK_PREFIX = "paperless.importing"
TRANSIENT = (BrokerError, db.OperationalError, db.InterfaceError)
RETRY = {
    "autoretry_for": TRANSIENT,
    "retry_backoff": 5,
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(name=f"{TASK_PREFIX}.check_upload", bind=True, acks_late=True, **RETRY)
def check_upload(self, upload_id: int) -> str | None:
    """Check one received upload; the status it ends in."""
    try:
        return service.check_upload_by_id(upload_id)
    except TRANSIENT:
        raise
    except Exception:
        logger.exception("checking upload %s failed", upload_id)
        service.mark_check_failed(upload_id)
        return None


@shared_task(name=f"{TASK_PREFIX}.commit_upload", bind=True, acks_late=True)
def commit_upload(self, upload_id: int, user_id: int | None) -> str | None:
    """Commit one claimed upload as the user who confirmed it; the status it ends in."""
    return service.commit_upload_by_id(upload_id, user_id)


def enqueue_check(upload_id: int) -> None:
    transaction.on_commit(lambda: check_upload.delay(upload_id))


def enqueue_commit(upload_id: int, user_id: int | None) -> None:
    transaction.on_commit(lambda: commit_upload.delay(upload_id, user_id))

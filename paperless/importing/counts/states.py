"""The states of an upload and the moves between them, each one conditional UPDATE.

checking → ready (preview stored) or rejected, by the check task; ready → committing by
a confirm (the claim: of two confirms at once only one finds the upload ready), then
committing → committed / no_change / rejected by the commit task; ready → cancelled;
ready (or a check that never finished) → expired once ``UPLOAD_EXPIRE_HOURS`` have
passed since the upload, evaluated when the upload is read. Every move names the state
it starts from, so a late task or a second click never undoes another's move.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from paperless.models import Upload

S = Upload.Status


def expiry_cutoff(now: datetime | None = None) -> datetime:
    """Uploads received before this moment have expired unless they went further."""
    return (now or timezone.now()) - timedelta(hours=settings.UPLOAD_EXPIRE_HOURS)


def expire_if_stale(upload: Upload) -> Upload:
    """Expire ``upload`` when it waited too long (ready, or still checking); reload it."""
    expired = Upload.objects.filter(
        pk=upload.pk, status__in=[S.READY, S.CHECKING], uploaded_at__lt=expiry_cutoff()
    ).update(status=S.EXPIRED)
    if expired:
        upload.refresh_from_db()
    return upload


def expire_stale() -> int:
    """Expire every upload that waited too long (for a periodic cleanup)."""
    return Upload.objects.filter(
        status__in=[S.READY, S.CHECKING], uploaded_at__lt=expiry_cutoff()
    ).update(status=S.EXPIRED)


def checking_count(user) -> int:
    """The user's uploads still being checked (those past expiry do not count)."""
    return Upload.objects.filter(
        uploaded_by=user, status=S.CHECKING, uploaded_at__gte=expiry_cutoff()
    ).count()


def may_start_check(user) -> bool:
    return checking_count(user) < settings.UPLOAD_MAX_CHECKING_PER_USER


def over_check_limit(upload: Upload) -> bool:
    """True when ``upload`` came after its user's limit of checks at once was reached.

    Asked after the row is stored: of two uploads that passed ``may_start_check`` at the
    same moment, the later one (higher id) sees the earlier and gives way.
    """
    earlier = Upload.objects.filter(
        uploaded_by=upload.uploaded_by_id,
        status=S.CHECKING,
        uploaded_at__gte=expiry_cutoff(),
        pk__lte=upload.pk,
    ).count()
    return earlier > settings.UPLOAD_MAX_CHECKING_PER_USER


def record_progress(upload: Upload, **progress: Any) -> None:
    """Store what the task has done so far; the upload page shows it."""
    upload.progress = {**(upload.progress or {}), **progress}
    Upload.objects.filter(pk=upload.pk).update(progress=upload.progress)


def finish_check(upload: Upload, status: str) -> bool:
    """checking → ready / no_change / rejected with the preview; False when the upload
    left "checking" meanwhile (expired), and then nothing is stored."""
    done = Upload.objects.filter(pk=upload.pk, status=S.CHECKING).update(
        status=status, summary=upload.summary, scope=upload.scope, progress=upload.progress
    )
    if done:
        upload.status = status
    return bool(done)


def claim_for_commit(upload: Upload) -> bool:
    """ready → committing, only with a stored preview and before expiry: the one claim
    that lets a commit run. A second confirm, an expired or unchecked upload get False."""
    claimed = (
        Upload.objects.filter(pk=upload.pk, status=S.READY, uploaded_at__gte=expiry_cutoff())
        .exclude(summary={})
        .update(status=S.COMMITTING, progress={"step": "committing"})
    )
    if claimed:
        upload.status, upload.progress = S.COMMITTING, {"step": "committing"}
    return bool(claimed)


def release_claim(upload: Upload) -> None:
    """committing → ready after a commit that failed and wrote nothing: it may be retried."""
    Upload.objects.filter(pk=upload.pk, status=S.COMMITTING).update(
        status=S.READY, progress={"step": "failed"}
    )
    upload.refresh_from_db()


def cancel(upload: Upload) -> bool:
    """ready → cancelled; False when it was no longer ready (a cancel racing a confirm
    never undoes a commit)."""
    return bool(Upload.objects.filter(pk=upload.pk, status=S.READY).update(status=S.CANCELLED))

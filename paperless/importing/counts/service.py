"""The counts import as the web pages, the upload tasks and the command line use it.

Web: ``template_departments`` lists the departments of a user's template,
``receive_upload`` keeps the file as sent (an ``Upload`` row, checking, with its
SHA-256); the check task (``paperless.importing.tasks``) runs ``check_upload``, which
parses and validates it, stores the preview in ``Upload.summary`` and makes it ready
(progress in ``Upload.progress``); a confirm claims it (``states.claim_for_commit``) and
the commit task runs ``commit_claimed``, which parses the stored original again and
hands it to ``commit.commit_upload``; ``cancel_upload`` drops a ready one.
``confirm_upload`` is claim and commit in one call. Command line: ``import_file`` does
the same in one go, synchronously (``import_content`` for bytes already read).
The same parse, validation and write serve both, and the tests. The only rows written
here are the ``Upload`` rows; units come from ``paperless.reads.units``. A meter-reading
file (``meters.service.is_reading_file``) takes the same steps: its records are derived
from the readings first (``meters.service.prepare``) and its commit stores the new
readings too (``meters.service.commit_readings``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone

from paperless.access import permissions
from paperless.importing.counts import states
from paperless.importing.counts.commit import CommitResult, commit_upload
from paperless.importing.counts.context import load_context
from paperless.importing.counts.parse import ParsedFile, parse_bytes, refused
from paperless.importing.counts.summary import build_summary, merged_issues, totals
from paperless.importing.counts.template import Department
from paperless.importing.counts.validate import CHANGED, NEW, Validation, validate_file
from paperless.importing.files.limits import Limits, TableError
from paperless.importing.files.reader import load_bytes
from paperless.importing.issues import Issue
from paperless.importing.meters.service import (
    MeterPlan,
    commit_readings,
    is_reading_file,
    prepare,
)
from paperless.models import Unit, Upload
from paperless.reads import units


@dataclass
class FileOutcome:
    """One file's result: what the command prints and what decides its exit status."""

    name: str
    parsed: ParsedFile
    validation: Validation = field(default_factory=Validation)
    commit: CommitResult | None = None
    upload: Upload | None = None
    meters: MeterPlan | None = None  # a meter-reading file's readings

    @property
    def errors(self) -> list[Issue]:
        """The first errors in sheet order (``MAX_ISSUES``); ``more_errors`` counts the rest."""
        return self._issues()[0]

    @property
    def more_errors(self) -> dict[str, int]:
        return self._issues()[1]

    @property
    def warnings(self) -> list[Issue]:
        return self._warnings()[0]

    @property
    def more_warnings(self) -> dict[str, int]:
        return self._warnings()[1]

    @property
    def error_count(self) -> int:
        return len(self.errors) + sum(self.more_errors.values())

    def _issues(self) -> tuple[list[Issue], dict[str, int]]:
        parsed, validation = self.parsed, self.validation
        return merged_issues(
            parsed.errors, validation.errors, parsed.more_errors, validation.more_errors
        )

    def _warnings(self) -> tuple[list[Issue], dict[str, int]]:
        parsed, validation = self.parsed, self.validation
        return merged_issues(
            parsed.warnings, validation.warnings, parsed.more_warnings, validation.more_warnings
        )

    @property
    def ok(self) -> bool:
        return not self.parsed.refused and not self.errors

    @property
    def exit_status(self) -> int:
        return 2 if self.parsed.refused else 0 if self.ok else 1

    def as_json(self) -> dict[str, Any]:
        """The command's JSON line, keys in the documented order; a reading file adds
        how many readings and devices it holds. ``more_errors`` and ``more_warnings``
        (counts per code of the issues not listed) come only when a list was cut at
        ``MAX_ISSUES``."""
        readings = {}
        if self.meters is not None:
            readings = {"readings": self.meters.readings, "devices": self.meters.devices}
        line = {"file": self.name, "ok": self.ok, **totals(self.parsed), **readings} | {
            "errors": [e.as_json() for e in self.errors],
            "warnings": [w.as_json() for w in self.warnings],
        }
        if more_errors := self.more_errors:
            line["more_errors"] = more_errors
        if more_warnings := self.more_warnings:
            line["more_warnings"] = more_warnings
        return line


def scope_unit(unit_ids: Iterable[int]) -> Unit | None:
    """The smallest unit whose subtree holds every department of the upload."""
    ids = set(unit_ids)
    if not ids:
        return None
    parent = units.parent_ids()

    def chain(pk: int | None) -> list[int]:
        found = []
        while pk is not None and pk not in found:
            found.append(pk)
            pk = parent.get(pk)
        return found

    chains = [chain(pk) for pk in ids]
    shared = set(chains[0]).intersection(*chains[1:])
    lowest = next((pk for pk in chains[0] if pk in shared), None)
    return units.unit_by_pk(lowest) if lowest else None


# --- web flow -------------------------------------------------------------------------------


def template_departments(user, code: str | None) -> list[Department]:
    """Active departments the user may upload for, within unit ``code`` when given."""
    ids = permissions.uploadable_unit_ids(user)
    if code:
        ids &= units.subtree_of(code)
    return [Department(unit_code, name) for unit_code, name in units.active_departments(ids)]


def receive_upload(
    *,
    content: bytes,
    filename: str,
    user,
    source: str = Upload.Source.WEB,
    status: str = Upload.Status.CHECKING,
) -> Upload:
    """Keep the file as sent, before anything reads it (to be checked, by default)."""
    upload = Upload(
        original_name=Path(filename).name[:255] or "upload",
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        uploaded_by=user if getattr(user, "is_authenticated", False) else None,
        source=source,
        status=status,
    )
    upload.file.save(upload.original_name, ContentFile(content), save=False)
    upload.save()
    return upload


def discard_upload(upload: Upload) -> None:
    """Forget an upload refused before its check (the per-user limit): file and row."""
    upload.file.delete(save=False)
    upload.delete()


def _stored_bytes(upload: Upload, limits: Limits) -> bytes:
    with upload.file.open("rb") as handle:
        return load_bytes(handle, filename=upload.original_name, max_bytes=limits.max_bytes)


def _parse_stored(upload: Upload, limits: Limits) -> ParsedFile:
    try:
        data = _stored_bytes(upload, limits)
    except TableError as error:
        return refused(upload.original_name, error)
    return parse_bytes(data, filename=upload.original_name, limits=limits)


def _rows(parsed: ParsedFile) -> int:
    """Rows read from the file: a reading file's readings, otherwise its records."""
    return len(parsed.readings) or len(parsed.records)


def check_upload(
    *, upload: Upload, user, today: date | None = None, limits: Limits | None = None
) -> Upload:
    """Parse and validate a received upload; store the preview and what it means.

    The upload goes from checking to ready, no_change or rejected; its progress says
    how far the check went (rows read, rows checked) for the page that waits on it.
    """
    limits = limits or Limits.from_settings()
    today = today or timezone.localdate()
    states.record_progress(upload, step="reading")
    parsed = _parse_stored(upload, limits)
    states.record_progress(upload, step="checking", rows_read=_rows(parsed))
    plan = None
    if is_reading_file(parsed):
        parsed, plan = prepare(parsed, user=user, today=today)
    context = None
    validation = Validation()
    if not parsed.refused:
        context = load_context(parsed.records, user=user, today=today)
        validation = validate_file(parsed, context)
    upload.summary = build_summary(parsed, validation, context)
    if plan is not None:
        upload.summary |= plan.as_summary()
    counts = validation.counts()
    status = Upload.Status.READY
    if parsed.refused or parsed.errors or validation.errors:
        status = Upload.Status.REJECTED
    elif counts[NEW] + counts[CHANGED] == 0 and not (plan and plan.new):
        status = Upload.Status.NO_CHANGE
    upload.scope = scope_unit(c.unit.id for c in validation.changes)
    upload.progress = {**upload.progress, "step": "checked", "rows_checked": _rows(parsed)}
    states.finish_check(upload, status)
    return upload


def confirm_upload(
    *, upload: Upload, user, today: date | None = None, limits: Limits | None = None
) -> CommitResult:
    """Claim a ready upload and commit it from its stored original, in this process."""
    if not states.claim_for_commit(upload):
        upload.refresh_from_db()
        return CommitResult(upload.status, already=True)
    return commit_claimed(upload=upload, user=user, today=today, limits=limits)


def commit_claimed(
    *, upload: Upload, user, today: date | None = None, limits: Limits | None = None
) -> CommitResult:
    """Commit an upload claimed for commit (committing) from its stored original.

    A failure leaves nothing written and the upload ready again, so it can be retried.
    """
    limits = limits or Limits.from_settings()
    if upload.status != Upload.Status.COMMITTING:
        return CommitResult(upload.status, already=True)
    try:
        return _commit_stored(upload, user, today, limits)
    except BaseException:
        states.release_claim(upload)
        raise


def _commit_stored(upload: Upload, user, today: date | None, limits: Limits) -> CommitResult:
    parsed = _parse_stored(upload, limits)
    states.record_progress(upload, rows_read=_rows(parsed))
    if parsed.refused or parsed.errors:
        # The stored file no longer reads as it did (limits changed): refuse it.
        upload.summary = build_summary(parsed, Validation(), None)
        upload.status = Upload.Status.REJECTED
        upload.save(update_fields=["summary", "status"])
        return CommitResult(upload.status)
    if is_reading_file(parsed):
        return commit_readings(upload=upload, user=user, parsed=parsed, today=today)[0]
    return commit_upload(upload=upload, user=user, parsed=parsed, today=today)


def cancel_upload(upload: Upload) -> bool:
    """Cancel a ready upload: nothing of it is written. False when it was no longer
    ready (confirmed or cancelled meanwhile)."""
    return states.cancel(upload)


# --- the upload tasks ----------------------------------------------------------------------


def check_upload_by_id(upload_id: int) -> str | None:
    """The check task's work: check the upload if it is still waiting for it."""
    upload = Upload.objects.select_related("uploaded_by").filter(pk=upload_id).first()
    if upload is None or upload.status != Upload.Status.CHECKING:
        return None  # gone, or checked already (a message delivered twice)
    return check_upload(upload=upload, user=upload.uploaded_by).status


def commit_upload_by_id(upload_id: int, user_id: int | None) -> str | None:
    """The commit task's work: commit the claimed upload as the user who confirmed it."""
    upload = Upload.objects.filter(pk=upload_id).first()
    if upload is None or upload.status != Upload.Status.COMMITTING:
        return None  # gone, or committed already (a message delivered twice)
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    return commit_claimed(upload=upload, user=user).status


def mark_check_failed(upload_id: int) -> None:
    """A check that failed for good: the upload is rejected with a message saying so."""
    upload = Upload(pk=upload_id, progress={"step": "failed"})
    upload.summary = {
        "refused": True,
        "errors": [{"message": "確認の途中で問題が起きました。もう一度アップロードしてください。"}],
        "error_count": 1,
    }
    upload.scope = None
    states.finish_check(upload, Upload.Status.REJECTED)


# --- command line --------------------------------------------------------------------------


def import_file(
    path: str | Path,
    *,
    user,
    dry_run: bool = False,
    name: str | None = None,
    today: date | None = None,
    limits: Limits | None = None,
) -> FileOutcome:
    """Check one file and, when it is valid and not a dry run, commit it on its own."""
    limits = limits or Limits.from_settings()
    name = name or str(path)
    filename = Path(path).name
    try:
        data = load_bytes(path, filename=filename, max_bytes=limits.max_bytes)
    except TableError as error:
        return FileOutcome(name, refused(filename, error))
    return import_content(
        data, filename=filename, user=user, dry_run=dry_run, name=name, today=today, limits=limits
    )


def import_content(
    data: bytes,
    *,
    filename: str,
    user,
    dry_run: bool = False,
    name: str | None = None,
    today: date | None = None,
    limits: Limits | None = None,
) -> FileOutcome:
    """``import_file`` for a file's bytes (the demo data builds its files in memory)."""
    limits = limits or Limits.from_settings()
    today = today or timezone.localdate()
    parsed = parse_bytes(data, filename=filename, limits=limits)
    outcome = FileOutcome(name or filename, parsed)
    if parsed.refused:
        return outcome
    reading_file = is_reading_file(parsed)
    if dry_run or parsed.errors:
        if reading_file:
            outcome.parsed, outcome.meters = prepare(parsed, user=user, today=today)
        context = load_context(outcome.parsed.records, user=user, today=today)
        outcome.validation = validate_file(outcome.parsed, context)
        if not dry_run:
            outcome.upload = receive_upload(
                content=data,
                filename=filename,
                user=user,
                source=Upload.Source.COMMAND,
                status=Upload.Status.REJECTED,
            )
            outcome.upload.summary = build_summary(outcome.parsed, outcome.validation, context)
            outcome.upload.save(update_fields=["summary"])
        return outcome
    # The command commits at once: the upload starts claimed for commit.
    outcome.upload = receive_upload(
        content=data,
        filename=filename,
        user=user,
        source=Upload.Source.COMMAND,
        status=Upload.Status.COMMITTING,
    )
    if reading_file:
        outcome.commit, outcome.parsed, outcome.meters = commit_readings(
            upload=outcome.upload, user=user, parsed=parsed, today=today
        )
    else:
        outcome.commit = commit_upload(upload=outcome.upload, user=user, parsed=parsed, today=today)
    outcome.validation = outcome.commit.validation
    return outcome

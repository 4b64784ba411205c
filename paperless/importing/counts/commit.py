"""Write an upload's counts: validated again under lock, all in one transaction.

``commit_upload`` is the one write path for counts that come from files (web upload
and the ``import_counts`` command). In one transaction it

1. claims the upload (a conditional UPDATE from "committing", the state a confirm
   claimed it in: a message delivered twice finds nothing to claim, and on SQLite this
   first write takes the database lock before anything is read);
2. on PostgreSQL takes a transaction-level advisory lock shared by every count import,
   so two uploads for the same department and month are applied one after the other,
   never mixed; the existing rows are also locked (SELECT … FOR UPDATE) against other
   writers;
3. validates the records against the database as it is now (the preview may be old);
4. writes new and changed counts set-based — COPY or executemany for new rows, one
   UPDATE for changed ones — and their history rows with INSERT … SELECT into
   django-simple-history's table, with ``history_user`` the uploader,
   ``history_change_reason`` ``upload:<id>`` and ``upload_id`` set, exactly as
   ``bulk_create_with_history`` would write them. (That helper builds a model object
   per row and took over 20 s for 120,000 rows here; this takes a few seconds.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.utils import timezone

from paperless.data_version import bump
from paperless.importing.counts.context import load_context
from paperless.importing.counts.parse import ParsedFile
from paperless.importing.counts.summary import build_summary
from paperless.importing.counts.validate import CHANGED, NEW, Change, Validation, validate_file
from paperless.importing.files.sandbox import gc_paused
from paperless.models import MonthlyCount, Upload

# pg_advisory_xact_lock key shared by every count import ("PPLS").
COUNTS_LOCK_KEY = 0x50504C53
_IN_CHUNK = 500


@dataclass
class CommitResult:
    status: str  # an Upload.Status value
    validation: Validation = field(default_factory=Validation)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    already: bool = False  # the upload was no longer pending: nothing was done

    @property
    def written(self) -> bool:
        return self.created + self.updated > 0


def commit_upload(
    *, upload: Upload, user, parsed: ParsedFile, today: date | None = None
) -> CommitResult:
    """Validate ``parsed`` again against the current data and write it, or nothing.

    The caller has checked the file itself (``parsed.errors`` is empty). The upload's
    status, summary and time are saved in the same transaction as the counts.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    with transaction.atomic(), gc_paused():
        claimed = Upload.objects.filter(pk=upload.pk, status=Upload.Status.COMMITTING).update(
            committed_at=now
        )
        if not claimed:
            upload.refresh_from_db()
            return CommitResult(upload.status, already=True)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [COUNTS_LOCK_KEY])
        context = load_context(parsed.records, user=user, today=today, for_update=True)
        validation = validate_file(parsed, context)
        result = CommitResult(Upload.Status.REJECTED, validation)
        if not validation.errors and not parsed.errors:
            new = [c for c in validation.changes if c.status == NEW]
            changed = [c for c in validation.changes if c.status == CHANGED]
            user_id = getattr(user, "pk", None)
            _insert(new, upload_id=upload.pk, user_id=user_id, now=now)
            _update(changed, upload_id=upload.pk, user_id=user_id, now=now)
            if new or changed:  # written with SQL of its own: no signal raises the version
                bump()
            result.created, result.updated = len(new), len(changed)
            result.unchanged = len(validation.changes) - len(new) - len(changed)
            result.status = Upload.Status.COMMITTED if result.written else Upload.Status.NO_CHANGE
        upload.status = result.status
        upload.committed_at = now if result.status == Upload.Status.COMMITTED else None
        upload.summary = build_summary(parsed, validation, context) | {
            "created": result.created,
            "updated": result.updated,
        }
        upload.save(update_fields=["status", "committed_at", "summary"])
    return result


# --- set-based writes ---------------------------------------------------------------------


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _column(model, name: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(name).column)


_COUNT_FIELDS = (
    "department",
    "month",
    "print_sheets",
    "copy_sheets",
    "excluded_sheets",
    "note",
    "upload",
    "created_at",
    "updated_at",
)


def _insert(changes: Sequence[Change], *, upload_id: int, user_id: int | None, now: datetime):
    if not changes:
        return
    ops = connection.ops
    stamp = ops.adapt_datetimefield_value(now)
    columns = ", ".join(_column(MonthlyCount, f) for f in _COUNT_FIELDS)
    rows = (
        (
            c.unit.id,
            ops.adapt_datefield_value(c.record.month),
            c.record.print_sheets,
            c.record.copy_sheets,
            c.record.excluded_sheets,
            c.record.note,
            upload_id,
            stamp,
            stamp,
        )
        for c in changes
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and hasattr(cursor.cursor, "copy"):
            # psycopg 3's COPY: the fastest way to add many rows, with proper escaping.
            sql = f"COPY {_table(MonthlyCount)} ({columns}) FROM STDIN"
            with cursor.cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(_COUNT_FIELDS))
            sql = f"INSERT INTO {_table(MonthlyCount)} ({columns}) VALUES ({marks})"
            cursor.executemany(sql, list(rows))
    # The only count rows that carry this upload yet are the ones just added.
    _history("+", f"{_column(MonthlyCount, 'upload')} = %s", [upload_id], user_id, upload_id, now)


def _update(changes: Sequence[Change], *, upload_id: int, user_id: int | None, now: datetime):
    if not changes:
        return
    ops = connection.ops
    stamp = ops.adapt_datetimefield_value(now)
    table = _table(MonthlyCount)
    names = ("print_sheets", "copy_sheets", "excluded_sheets", "note")
    ids = [c.old.id for c in changes]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sets = ", ".join(f"{_column(MonthlyCount, n)} = v.{n}" for n in names)
            cursor.execute(
                f"UPDATE {table} AS t SET {sets}, {_column(MonthlyCount, 'upload')} = %s, "
                f"{_column(MonthlyCount, 'updated_at')} = %s "
                "FROM (SELECT unnest(%s::bigint[]) AS id, unnest(%s::bigint[]) AS print_sheets,"
                " unnest(%s::bigint[]) AS copy_sheets, unnest(%s::bigint[]) AS excluded_sheets,"
                " unnest(%s::text[]) AS note) AS v WHERE t.id = v.id",
                [
                    upload_id,
                    stamp,
                    ids,
                    [c.record.print_sheets for c in changes],
                    [c.record.copy_sheets for c in changes],
                    [c.record.excluded_sheets for c in changes],
                    [c.record.note for c in changes],
                ],
            )
        else:
            sets = ", ".join(f"{_column(MonthlyCount, n)} = %s" for n in names)
            cursor.executemany(
                f"UPDATE {table} SET {sets}, {_column(MonthlyCount, 'upload')} = %s, "
                f"{_column(MonthlyCount, 'updated_at')} = %s WHERE id = %s",
                [
                    (
                        c.record.print_sheets,
                        c.record.copy_sheets,
                        c.record.excluded_sheets,
                        c.record.note,
                        upload_id,
                        stamp,
                        c.old.id,
                    )
                    for c in changes
                ],
            )
    if connection.vendor == "postgresql":
        _history("~", "id = ANY(%s)", [ids], user_id, upload_id, now)
        return
    for start in range(0, len(ids), _IN_CHUNK):
        chunk = ids[start : start + _IN_CHUNK]
        where = f"id IN ({', '.join(['%s'] * len(chunk))})"
        _history("~", where, chunk, user_id, upload_id, now)


def _history(
    kind: str, where: str, params: list[Any], user_id: int | None, upload_id: int, now: datetime
) -> None:
    """Copy the rows matching ``where`` into the history table, as simple-history would."""
    history = MonthlyCount.history.model
    own = {f.attname: f.column for f in MonthlyCount._meta.concrete_fields}
    extra = {
        "history_date": connection.ops.adapt_datetimefield_value(now),
        "history_change_reason": f"upload:{upload_id}",
        "history_type": kind,
        "history_user_id": user_id,
    }
    columns, values, bound = [], [], []
    for history_field in history._meta.concrete_fields:
        name = history_field.attname
        if name == "history_id":
            continue
        columns.append(connection.ops.quote_name(history_field.column))
        if name in own:
            values.append(connection.ops.quote_name(own[name]))
        elif name in extra:
            values.append("%s")
            bound.append(extra[name])
        else:
            raise ImproperlyConfigured(f"history field {name!r} is not written by the import")
    sql = (
        f"INSERT INTO {_table(history)} ({', '.join(columns)}) "
        f"SELECT {', '.join(values)} FROM {_table(MonthlyCount)} WHERE {where}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, bound + list(params))

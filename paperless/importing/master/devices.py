"""The device register import (機器台帳): read → parse → validate → commit, all or nothing.

One row per counter assignment: 機器番号, 部門ID (blank: the whole device), 所属コード,
利用開始日 and, optionally, 利用終了日, 機種, 設置場所 (English headers accepted too).
Rows are matched by (機器番号, 部門ID, 利用開始日) and created or updated, never deleted,
so the same file twice changes nothing. An optional column left out of the file leaves
the stored values as they are. ``table`` finds the rows; parsing and validation
(against ``reads.org`` and ``reads.devices``) are pure and collect every error; the
register's own rules are the core's (``register.register_problems_for``); the commit runs
only when there is no error, in one transaction, through the model so
django-simple-history records it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import BinaryIO

from django.db import transaction

from paperless.core import meters, register
from paperless.data_version import one_bump
from paperless.importing.master.result import ImportResult, Summary, history_reason
from paperless.importing.master.table import (
    Column,
    RowError,
    Table,
    parse_code,
    parse_date,
    parse_text,
    read_table,
)
from paperless.models import CounterAssignment, Unit
from paperless.reads.devices import RegisterRow, register_rows
from paperless.reads.org import ExistingUnit, existing_units

_FIELD = CounterAssignment._meta.get_field
MAX_LENGTHS = {
    "serial": _FIELD("device_serial").max_length,
    "account": _FIELD("account").max_length,
    "model_name": _FIELD("model_name").max_length,
    "location": _FIELD("location").max_length,
}
COLUMNS: tuple[Column, ...] = (
    Column("serial", "機器番号", ("device_serial",), required=True),
    Column("account", "部門ID", ("department_id",)),
    Column("department_code", "所属コード", ("department_code",), required=True),
    Column("start", "利用開始日", ("start_date",), required=True),
    Column("end", "利用終了日", ("end_date",)),
    Column("model_name", "機種", ("model",)),
    Column("location", "設置場所", ("location",)),
)
OPTIONAL = ("end", "model_name", "location")

Key = tuple[str, str, date]


@dataclass(frozen=True)
class DeviceRow:
    """One assignment as the file states it; ``given`` names the optional columns the
    file has (an absent one leaves the stored value alone)."""

    number: int
    serial: str | None
    account: str
    department_code: str | None
    start: date | None
    end: date | None = None
    model_name: str = ""
    location: str = ""
    given: frozenset[str] = frozenset()

    @property
    def key(self) -> Key | None:
        if self.serial is None or self.start is None:
            return None
        return (self.serial, self.account, self.start)


# --- parse -----------------------------------------------------------------------


def parse_devices(table: Table) -> list[DeviceRow]:
    """Every row the table states; what is wrong in them goes to ``table.errors``."""
    given = frozenset(key for key in OPTIONAL if key in table.headers)
    return [_parse_row(table, number, cells, given) for number, cells in table]


def _parse_row(
    table: Table, number: int, cells: dict[str, object], given: frozenset[str]
) -> DeviceRow:
    def text(key: str, parse=parse_code, required: bool = False):
        return table.cell(
            number, cells, key, parse, required=required, max_length=MAX_LENGTHS.get(key)
        )

    return DeviceRow(
        number=number,
        serial=text("serial", required=True),
        account=text("account") or "",
        department_code=text("department_code", required=True),
        start=table.cell(number, cells, "start", parse_date, required=True),
        end=table.cell(number, cells, "end", parse_date),
        model_name=text("model_name", parse_text) or "",
        location=text("location", parse_text) or "",
        given=given,
    )


# --- validate ----------------------------------------------------------------------


def final_rows(rows: list[DeviceRow], stored: Mapping[Key, RegisterRow]) -> list[DeviceRow]:
    """The rows as they will be stored: an optional column the file leaves out keeps
    the stored value."""
    found = []
    for row in rows:
        old = stored.get(row.key) if row.key else None
        if old is not None:
            kept = {k: getattr(old, k) for k in OPTIONAL if k not in row.given}
            row = replace(row, **kept)
        found.append(row)
    return found


def validate_devices(
    table: Table,
    rows: list[DeviceRow],
    units: Mapping[str, ExistingUnit],
    stored: Mapping[Key, RegisterRow],
) -> list[RowError]:
    """Errors across rows and the database: repeated rows, department codes, and the
    register's rules (end before start, overlapping periods) against the stored rows."""
    errors: list[RowError] = []
    first: dict[Key, DeviceRow] = {}
    checked: list[tuple[meters.Assignment, DeviceRow]] = []
    unreadable = {error.row for error in table.errors}  # a bad date would only mislead
    for row in rows:
        if row.key is not None and (seen := first.setdefault(row.key, row)) is not row:
            message = (
                f"機器番号・部門ID・利用開始日が同じ行が行{seen.number}にもあります。"
                "どちらか一方にしてください。"
            )
            errors.append(table.error_at(row.number, "start", message))
            continue
        code = row.department_code
        unit = units.get(code) if code else None
        if code is not None and unit is None:
            message = f"所属コード「{code}」は組織マスタに登録されていません。"
            errors.append(table.error_at(row.number, "department_code", message, code))
        elif unit is not None and unit.kind != Unit.Kind.DEPARTMENT:
            kind = Unit.Kind(unit.kind).label
            message = (
                f"所属コード「{code}」は{kind}です。機器は枚数を報告する所属（種別「所属」）に"
                "割り当ててください。"
            )
            errors.append(table.error_at(row.number, "department_code", message, code))
        if row.key is not None and code is not None and row.number not in unreadable:
            start = row.start
            checked.append((meters.Assignment(row.serial, row.account, code, start, row.end), row))
    others = [old.assignment() for key, old in stored.items() if key not in first]
    number = {id(assignment): row.number for assignment, row in checked}
    for assignment, message in register.register_problems_for([a for a, _ in checked], others):
        key = "end" if assignment.end is not None and assignment.end < assignment.start else "start"
        errors.append(table.error_at(number[id(assignment)], key, message))
    return errors


# --- commit ------------------------------------------------------------------------


def commit_devices(
    rows: list[DeviceRow], units: Mapping[str, ExistingUnit], *, reason: str
) -> Summary:
    """Create or update the assignment of every valid row (matched by its key)."""
    summary = Summary()
    serials = sorted({row.serial for row in rows if row.serial})
    stored = {
        (a.device_serial, a.account, a.start_date): a
        for a in CounterAssignment.objects.filter(device_serial__in=serials)
    }
    for row in rows:
        values = {
            "department_id": units[row.department_code].id,
            "end_date": row.end,
            "model_name": row.model_name,
            "location": row.location,
        }
        assignment = stored.get(row.key)
        if assignment is None:
            assignment = CounterAssignment(
                device_serial=row.serial, account=row.account, start_date=row.start, **values
            )
            summary.created.append(row.key)
        else:
            values = {k: v for k, v in values.items() if getattr(assignment, k) != v}
            if not values:
                summary.unchanged.append(row.key)
                continue
            for name, value in values.items():
                setattr(assignment, name, value)
            summary.updated.append(row.key)
        assignment._change_reason = reason
        assignment.save()
    return summary


# --- the whole import --------------------------------------------------------------


def import_devices(
    source: str | Path | BinaryIO, *, filename: str, dry_run: bool = False
) -> ImportResult:
    """Read, check and (when there is no error) write the device register.

    Raises ``TableError`` when the file cannot be read at all. With errors nothing is
    written; with ``dry_run`` the changes are made and rolled back.
    """
    table = read_table(source, COLUMNS, filename=filename)
    parsed = parse_devices(table)
    summary = Summary()
    reason = history_reason("機器台帳", filename)
    with transaction.atomic():
        units = existing_units()
        stored = {row.key: row for row in register_rows()}
        rows = final_rows(parsed, stored)
        errors = sorted(
            table.errors + validate_devices(table, rows, units, stored), key=lambda e: e.row or 0
        )
        if not errors:
            with one_bump():  # one raise of the data version for the whole register
                summary = commit_devices(rows, units, reason=reason)
            if dry_run:
                transaction.set_rollback(True)
    return ImportResult("機器台帳", filename, table.sheet, errors, summary, dry_run)

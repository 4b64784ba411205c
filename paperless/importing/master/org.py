"""The org master import: read → parse → validate → commit, all or nothing.

One row per unit: 所属コード, 所属名, 種別, 上位所属コード and, optionally,
所属長メールアドレス, 有効, 表示順 and 前身所属コード (English headers accepted too).
Units are matched by code and created or updated, never deleted. ``table`` finds the
rows; parsing and validation (against ``reads.org``'s plain values) are pure and collect
every error; the commit runs only when there is none, in one transaction, through the
model so django-simple-history records it.

Longer than most modules: the org master's columns, parsing, cross-row validation and
commit are read together (the shared table reader and the shares are elsewhere).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from paperless.data_version import one_bump
from paperless.importing.cells import is_blank, normalize_code, normalize_key, normalize_text
from paperless.importing.master.org_links import Links, link_problems, parse_links, write_links
from paperless.importing.master.result import ImportResult, Summary, history_reason
from paperless.importing.master.table import (
    CellError,
    Column,
    RowError,
    Table,
    parse_code,
    parse_text,
    read_table,
)
from paperless.models import Unit, split_emails
from paperless.reads.org import ExistingUnit, existing_units

MAX_CODE_LENGTH = Unit._meta.get_field("code").max_length
MAX_NAME_LENGTH = Unit._meta.get_field("name").max_length
MAX_SORT_ORDER = 2_147_483_647  # PositiveIntegerField on every supported database
KIND_CHOICES_TEXT = "・".join(Unit.Kind.labels)

COLUMNS: tuple[Column, ...] = (
    Column("code", "所属コード", ("code",), required=True),
    Column("name", "所属名", ("name",), required=True),
    Column("kind", "種別", ("kind",), required=True),
    Column("parent_code", "上位所属コード", ("parent_code",), required=True),
    Column("head_emails", "所属長メールアドレス", ("head_email",)),
    Column("active", "有効", ("active",)),
    Column("sort_order", "表示順", ("sort_order",)),
    Column("predecessors", "前身所属コード", ("predecessor_codes",)),
)
_TRUE = frozenset({"○", "〇", "◯", "1", "true", "有効"})
_FALSE = frozenset({"×", "✕", "x", "0", "false", "廃止", "無効"})
_CODE_LIST_SPLIT = re.compile(r"[\s,、;]+")
_KIND_BY_KEY = {normalize_key(k): k.value for k in Unit.Kind} | {
    normalize_key(k.label): k.value for k in Unit.Kind
}


@dataclass(frozen=True)
class OrgRow:
    """One unit as the file states it. None in an optional field: leave it as it is."""

    number: int
    code: str | None
    name: str
    kind: str | None
    parent_code: str | None
    head_emails: tuple[str, ...] | None = None
    active: bool | None = None
    sort_order: int | None = None
    predecessors: Links | None = None


# --- parse -----------------------------------------------------------------------


def parse_org(table: Table) -> list[OrgRow]:
    """Every unit the table states; what is wrong in them goes to ``table.errors``."""
    return [_parse_row(table, number, cells) for number, cells in table]


def _parse_row(table: Table, number: int, cells: dict[str, object]) -> OrgRow:
    code = table.cell(number, cells, "code", parse_code, required=True, max_length=MAX_CODE_LENGTH)
    name = table.cell(number, cells, "name", parse_text, required=True, max_length=MAX_NAME_LENGTH)
    kind = table.cell(number, cells, "kind", _parse_kind)
    values: dict[str, object] = {}
    if "head_emails" in cells:
        values["head_emails"] = tuple(split_emails(normalize_text(cells["head_emails"])))
        for address in values["head_emails"]:
            try:
                validate_email(address)
            except ValidationError:
                message = f"メールアドレス「{address}」の形式が正しくありません。"
                table.report(number, "head_emails", message, address)
    for key, parse in _OPTIONAL_PARSERS.items():
        if key in cells and (value := table.cell(number, cells, key, parse)) is not None:
            values[key] = value
    return OrgRow(number, code, name or "", kind, normalize_code(cells["parent_code"]), **values)


def _parse_kind(value: object) -> str:
    kind = _KIND_BY_KEY.get(normalize_key(value))
    if kind is None:
        raw = normalize_text(value)
        shown = f"「{raw}」は種別として使えません" if raw else "種別が空です"
        raise CellError(f"{shown}（{KIND_CHOICES_TEXT} のいずれか）。")
    return kind


def _parse_flag(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if is_blank(value):
        return None
    key = normalize_key(normalize_code(value))
    if key in _TRUE or key in _FALSE:
        return key in _TRUE
    raise CellError(
        f"「{normalize_text(value)}」を読めません（○／×、1／0、true／false、有効／廃止）。"
    )


def _parse_sort_order(value: object) -> int | None:
    if is_blank(value):
        return None
    text = normalize_code(value) or ""
    if text.isascii() and text.isdigit() and int(text) <= MAX_SORT_ORDER:
        return int(text)
    raise CellError(f"表示順「{text}」は0以上の整数で入力してください。")


_OPTIONAL_PARSERS = {
    "active": _parse_flag,
    "sort_order": _parse_sort_order,
    "predecessors": parse_links,
}


# --- validate ----------------------------------------------------------------------


def validate_org(
    table: Table, rows: list[OrgRow], existing: Mapping[str, ExistingUnit]
) -> list[RowError]:
    """Errors across rows and the database: duplicates, unknown codes, cycles, and a
    unit placed under a department (所属 is the leaf where counts are recorded)."""
    errors: list[RowError] = []

    def error(row: OrgRow, key: str, message: str, raw: object = None) -> None:
        errors.append(table.error_at(row.number, key, message, raw))

    by_code: dict[str, OrgRow] = {}
    for row in rows:
        if row.code is not None and (first := by_code.setdefault(row.code, row)) is not row:
            message = f"所属コード「{row.code}」が重複しています（行{first.number}にもあり）。"
            error(row, "code", message, row.code)
    known = by_code.keys() | existing.keys()
    nowhere = "ファイルにもデータベースにもありません"
    parent_of = {code: unit.parent_code for code, unit in existing.items()}
    kind_of = {code: unit.kind for code, unit in existing.items()}
    for code, row in by_code.items():
        valid_parent = row.parent_code != code and row.parent_code in known
        parent_of[code] = row.parent_code if valid_parent else None
        kind_of[code] = row.kind or kind_of.get(code)
    for row in by_code.values():
        parent = row.parent_code
        if parent == row.code:
            error(row, "parent_code", f"上位所属コード「{parent}」が自分自身です。", parent)
        elif parent is not None and parent not in known:
            error(row, "parent_code", f"上位所属コード「{parent}」は{nowhere}。", parent)
        for code, _share in row.predecessors or ():
            if code == row.code or code not in known:
                why = "自分自身です" if code == row.code else nowhere
                error(row, "predecessors", f"前身所属コード「{code}」は{why}。", code)
    for row, message in link_problems(by_code.values(), existing):
        error(row, "predecessors", message)
    for cycle in _cycles(by_code, parent_of):
        if not by_code.keys() & set(cycle):
            continue  # a cycle already in the database, which no row of the file changes
        row = min((by_code[c] for c in cycle if c in by_code), key=lambda r: r.number)
        start = cycle.index(row.code)
        chain = " → ".join(cycle[start:] + cycle[:start] + [row.code])
        error(row, "parent_code", f"上位所属をたどると循環しています（{chain}）。")
    db_children: dict[str, list[str]] = {}
    for child, parent in parent_of.items():
        if parent is None or kind_of.get(parent) != Unit.Kind.DEPARTMENT:
            continue
        if child in by_code:
            message = f"上位所属「{parent}」は種別が「所属」なので、その下に所属を置けません。"
            error(by_code[child], "parent_code", message, parent)
        elif parent in by_code:
            db_children.setdefault(parent, []).append(child)
    for parent, children in db_children.items():
        listed = "、".join(sorted(children)[:5])
        message = f"種別を「所属」にできません。下位の所属（{listed}）がデータベースにあります。"
        error(by_code[parent], "kind", message)
    return errors


def _cycles(
    by_code: Mapping[str, OrgRow], parent_of: Mapping[str, str | None]
) -> Iterator[list[str]]:
    """Each cycle reachable from a unit of the file, once, as a list of codes."""
    done: set[str] = set()
    for start in by_code:
        path: list[str] = []
        position: dict[str, int] = {}
        code: str | None = start
        while code is not None and code not in done and code not in position:
            position[code] = len(path)
            path.append(code)
            code = parent_of.get(code)
        if code is not None and code in position:
            yield path[position[code] :]
        done.update(path)


# --- commit ------------------------------------------------------------------------


def commit_org(rows: list[OrgRow], existing: Mapping[str, ExistingUnit], *, reason: str) -> Summary:
    """Create or update every unit of valid rows; parents are written before children."""
    by_code = {row.code: row for row in rows}
    units = Unit.objects.in_bulk(list(by_code), field_name="code")
    ids = {code: unit.id for code, unit in existing.items()}
    changed: set[str] = set()
    created: set[str] = set()
    for row in sorted(by_code.values(), key=lambda r: _depth(r.code, by_code)):
        values = {
            "name": row.name,
            "kind": row.kind,
            "parent_id": ids[row.parent_code] if row.parent_code else None,
        }
        for name in ("active", "sort_order"):
            if getattr(row, name) is not None:
                values[name] = getattr(row, name)
        unit = units.get(row.code)
        if row.head_emails is not None and (unit is None or unit.emails != list(row.head_emails)):
            values["head_emails"] = ", ".join(row.head_emails)
        if unit is None:
            unit = units[row.code] = Unit(code=row.code, **values)
            created.add(row.code)
        else:
            values = {k: v for k, v in values.items() if getattr(unit, k) != v}
            if not values:
                ids[row.code] = unit.id
                continue
            changed.add(row.code)
            for name, value in values.items():
                setattr(unit, name, value)
        unit._change_reason = reason
        unit.save()
        ids[row.code] = unit.id
    for row in by_code.values():
        old = existing[row.code].predecessors if row.code in existing else ()
        if row.predecessors is not None and tuple(sorted(row.predecessors)) != old:
            unit = units[row.code]
            write_links(unit, row.predecessors, ids)
            unit._change_reason = reason
            unit.save()  # after the links, so that the history records them
            changed.add(row.code)
    return Summary(
        created=[c for c in by_code if c in created],
        updated=[c for c in by_code if c in changed - created],
        unchanged=[c for c in by_code if c not in changed | created],
    )


def _depth(code: str, by_code: Mapping[str, OrgRow]) -> int:
    """How many ancestors of the unit are in the file (the tree is acyclic by now)."""
    depth = 0
    while (parent := by_code[code].parent_code) in by_code:
        depth, code = depth + 1, parent
        if depth > len(by_code):  # validation missed a cycle: fail, never loop forever
            raise RuntimeError(f"所属コード「{code}」の上位所属が循環しています。")
    return depth


# --- the whole import --------------------------------------------------------------


def import_org(
    source: str | Path | BinaryIO, *, filename: str, dry_run: bool = False
) -> ImportResult:
    """Read, check and (when there is no error) write the org master.

    Raises ``TableError`` when the file cannot be read at all. With errors nothing is
    written; with ``dry_run`` the changes are made and rolled back.
    """
    table = read_table(source, COLUMNS, filename=filename)
    rows = parse_org(table)
    summary = Summary()
    reason = history_reason("組織マスタ", filename)
    with transaction.atomic():
        existing = existing_units()
        # Header errors leave no rows, so this adds nothing after them.
        errors = sorted(
            table.errors + validate_org(table, rows, existing), key=lambda e: e.row or 0
        )
        if not errors:
            with one_bump():  # one raise of the data version for every unit and link
                summary = commit_org(rows, existing, reason=reason)
            if dry_run:
                transaction.set_rollback(True)
    return ImportResult("組織マスタ", filename, table.sheet, errors, summary, dry_run)

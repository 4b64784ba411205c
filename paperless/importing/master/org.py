"""The org master import: read → parse → validate → commit, all or nothing.

One row per unit: 所属コード, 所属名, 種別, 上位所属コード and, optionally,
所属長メールアドレス, 有効, 表示順 and 前身所属コード (English headers accepted too).
Units are matched by code and created or updated, never deleted. Parsing and
validation are pure and collect every error; the commit runs only when there is
none, in one transaction, through the model so django-simple-history records it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from paperless.importing.cells import (
    column_letter,
    is_blank,
    normalize_code,
    normalize_key,
    normalize_text,
)
from paperless.importing.master.tabular import Row, Sheet, read_rows
from paperless.models import Unit, split_emails

HEADER_SEARCH_ROWS = 20
MAX_CODE_LENGTH = Unit._meta.get_field("code").max_length
MAX_NAME_LENGTH = Unit._meta.get_field("name").max_length
MAX_SORT_ORDER = 2_147_483_647  # PositiveIntegerField on every supported database
KIND_CHOICES_TEXT = "・".join(Unit.Kind.labels)


@dataclass(frozen=True)
class Column:
    field: str
    label: str  # the Japanese header, named in messages about a missing column
    aliases: tuple[str, ...]
    required: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("code", "所属コード", ("所属コード", "code"), required=True),
    Column("name", "所属名", ("所属名", "name"), required=True),
    Column("kind", "種別", ("種別", "kind"), required=True),
    Column("parent_code", "上位所属コード", ("上位所属コード", "parent_code"), required=True),
    Column("head_emails", "所属長メールアドレス", ("所属長メールアドレス", "head_email")),
    Column("active", "有効", ("有効", "active")),
    Column("sort_order", "表示順", ("表示順", "sort_order")),
    Column("predecessor_codes", "前身所属コード", ("前身所属コード", "predecessor_codes")),
)
_TRUE = frozenset({"○", "〇", "◯", "1", "true", "有効"})
_FALSE = frozenset({"×", "✕", "x", "0", "false", "廃止", "無効"})
_CODE_LIST_SPLIT = re.compile(r"[\s,、;]+")


_COLUMN_BY_KEY = {normalize_key(alias): column for column in COLUMNS for alias in column.aliases}
_KIND_BY_KEY = {normalize_key(k): k.value for k in Unit.Kind} | {
    normalize_key(k.label): k.value for k in Unit.Kind
}


@dataclass(frozen=True)
class OrgError:
    sheet: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.sheet
        if self.row is not None:
            where += f" 行{self.row}"
        if self.column:
            where += f" 列「{self.column}」"
        return f"{where}: {self.message}"


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
    predecessor_codes: tuple[str, ...] | None = None


@dataclass
class ParsedOrg:
    sheet: str
    headers: dict[str, str] = field(default_factory=dict)  # field → header as written
    rows: list[OrgRow] = field(default_factory=list)
    errors: list[OrgError] = field(default_factory=list)

    def error(self, row: int | None, column: str | None, message: str) -> None:
        header = self.headers.get(column, column) if column else None
        self.errors.append(OrgError(self.sheet, row, header, message))


@dataclass(frozen=True)
class ExistingUnit:
    id: int
    kind: str
    parent_code: str | None
    predecessor_codes: frozenset[str] = frozenset()


# --- parse -----------------------------------------------------------------------


def _find_header(sheet: Sheet) -> tuple[Row, dict[str, list[int]]] | None:
    """The first of the first 20 rows naming at least two known columns."""
    for row in sheet.rows:
        if row.number > HEADER_SEARCH_ROWS:
            break
        found: dict[str, list[int]] = {}
        for index, cell in enumerate(row.cells):
            column = _COLUMN_BY_KEY.get(normalize_key(cell))
            if column:
                found.setdefault(column.field, []).append(index)
        if len(found) >= 2:
            return row, found
    return None


def parse_org(sheets: list[Sheet], *, filename: str) -> ParsedOrg:
    """The rows of the first sheet that has a header row, and every error in them."""
    for sheet in sheets:
        header = _find_header(sheet)
        if header:
            return _parse_sheet(sheet, *header)
    parsed = ParsedOrg(sheets[0].name if sheets else filename)
    required = "」「".join(c.label for c in COLUMNS if c.required)
    parsed.error(
        None,
        None,
        f"見出し行が見つかりません。先頭{HEADER_SEARCH_ROWS}行のどこかに"
        f"「{required}」の列見出しを置いてください。",
    )
    return parsed


def _parse_sheet(sheet: Sheet, header: Row, found: dict[str, list[int]]) -> ParsedOrg:
    parsed = ParsedOrg(sheet.name)
    parsed.headers = {f: normalize_text(header.cells[i[0]]) for f, i in found.items()}
    for column in COLUMNS:
        indexes = found.get(column.field, [])
        if len(indexes) > 1:
            letters = "、".join(column_letter(i) for i in indexes)
            parsed.error(header.number, column.field, f"同じ列が複数あります（{letters}列）。")
        elif column.required and not indexes:
            english = column.aliases[1]
            parsed.error(
                header.number,
                None,
                f"必須の列「{column.label}」（または「{english}」）が見出し行にありません。",
            )
    if parsed.errors:
        return parsed
    index = {f: i[0] for f, i in found.items()}
    for row in sheet.rows:
        if row.number <= header.number:
            continue
        cells = {f: row.cells[i] if i < len(row.cells) else None for f, i in index.items()}
        if all(is_blank(v) for v in cells.values()):
            continue  # a note in an ignored column is not a unit
        parsed.rows.append(_parse_row(parsed, row.number, cells))
    return parsed


def _parse_row(parsed: ParsedOrg, number: int, cells: dict[str, object]) -> OrgRow:
    def error(column: str, message: str) -> None:
        parsed.error(number, column, message)

    code = normalize_code(cells["code"])
    if code is None:
        error("code", "所属コードが空です。")
    elif len(code) > MAX_CODE_LENGTH:
        error("code", f"所属コード「{code}」が長すぎます（{MAX_CODE_LENGTH}文字まで）。")
    name = normalize_text(cells["name"])
    if not name:
        error("name", "所属名が空です。")
    elif len(name) > MAX_NAME_LENGTH:
        error("name", f"所属名「{name}」が長すぎます（{MAX_NAME_LENGTH}文字まで）。")
    kind = _KIND_BY_KEY.get(normalize_key(cells["kind"]))
    if kind is None:
        raw = normalize_text(cells["kind"])
        shown = f"「{raw}」は種別として使えません" if raw else "種別が空です"
        error("kind", f"{shown}（{KIND_CHOICES_TEXT} のいずれか）。")
    values: dict[str, object] = {}
    if "head_emails" in cells:
        values["head_emails"] = tuple(split_emails(normalize_text(cells["head_emails"])))
        for address in values["head_emails"]:
            try:
                validate_email(address)
            except ValidationError:
                error("head_emails", f"メールアドレス「{address}」の形式が正しくありません。")
    if not is_blank(cells.get("active")):
        values["active"] = _parse_flag(cells["active"])
        if values["active"] is None:
            raw = normalize_text(cells["active"])
            error("active", f"「{raw}」を読めません（○／×、1／0、true／false、有効／廃止）。")
    if not is_blank(cells.get("sort_order")):
        text = normalize_code(cells["sort_order"]) or ""
        if text.isascii() and text.isdigit() and int(text) <= MAX_SORT_ORDER:
            values["sort_order"] = int(text)
        else:
            error("sort_order", f"表示順「{text}」は0以上の整数で入力してください。")
    if not is_blank(cells.get("predecessor_codes")):
        text = normalize_code(cells["predecessor_codes"]) or ""
        values["predecessor_codes"] = tuple(c for c in _CODE_LIST_SPLIT.split(text) if c)
    return OrgRow(number, code, name, kind, normalize_code(cells["parent_code"]), **values)


def _parse_flag(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    key = normalize_key(normalize_code(value))
    return True if key in _TRUE else False if key in _FALSE else None


# --- validate ----------------------------------------------------------------------


def validate_org(parsed: ParsedOrg, existing: Mapping[str, ExistingUnit]) -> list[OrgError]:
    """Errors across rows and the database: duplicates, unknown codes, cycles, and a
    unit placed under a department (所属 is the leaf where counts are recorded)."""
    errors: list[OrgError] = []

    def error(row: OrgRow, column: str, message: str) -> None:
        errors.append(OrgError(parsed.sheet, row.number, parsed.headers[column], message))

    by_code: dict[str, OrgRow] = {}
    for row in parsed.rows:
        if row.code is None:
            continue
        first = by_code.setdefault(row.code, row)
        if first is not row:
            error(
                row,
                "code",
                f"所属コード「{row.code}」が重複しています（行{first.number}にもあり）。",
            )
    known = by_code.keys() | existing.keys()
    parent_of = {code: unit.parent_code for code, unit in existing.items()}
    kind_of = {code: unit.kind for code, unit in existing.items()}
    for code, row in by_code.items():
        valid_parent = row.parent_code != code and row.parent_code in known
        parent_of[code] = row.parent_code if valid_parent else None
        kind_of[code] = row.kind or kind_of.get(code)
    for row in by_code.values():
        if row.parent_code == row.code:
            error(row, "parent_code", f"上位所属コード「{row.parent_code}」が自分自身です。")
        elif row.parent_code is not None and row.parent_code not in known:
            error(
                row,
                "parent_code",
                f"上位所属コード「{row.parent_code}」はファイルにもデータベースにもありません。",
            )
        for code in row.predecessor_codes or ():
            if code == row.code or code not in known:
                why = (
                    "自分自身です" if code == row.code else "ファイルにもデータベースにもありません"
                )
                error(row, "predecessor_codes", f"前身所属コード「{code}」は{why}。")
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
            error(
                by_code[child],
                "parent_code",
                f"上位所属「{parent}」は種別が「所属」なので、その下に所属を置けません。",
            )
        elif parent in by_code:
            db_children.setdefault(parent, []).append(child)
    for parent, children in db_children.items():
        listed = "、".join(sorted(children)[:5])
        error(
            by_code[parent],
            "kind",
            f"種別を「所属」にできません。下位の所属（{listed}）がデータベースにあります。",
        )
    return errors


def _cycles(by_code: Mapping[str, OrgRow], parent_of: Mapping[str, str | None]):
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


def load_existing() -> dict[str, ExistingUnit]:
    """Every unit by code, in two queries."""
    units = list(Unit.objects.values_list("id", "code", "kind", "parent"))
    codes = {pk: code for pk, code, _kind, _parent in units}
    predecessors: dict[int, set[str]] = {}
    for unit_id, predecessor_id in Unit.predecessors.through.objects.values_list(
        "from_unit_id", "to_unit_id"
    ):
        predecessors.setdefault(unit_id, set()).add(codes[predecessor_id])
    return {
        code: ExistingUnit(
            id=pk,
            kind=kind,
            parent_code=codes.get(parent_id),
            predecessor_codes=frozenset(predecessors.get(pk, ())),
        )
        for pk, code, kind, parent_id in units
    }


@dataclass
class OrgSummary:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def commit_org(
    rows: list[OrgRow], existing: Mapping[str, ExistingUnit], *, reason: str
) -> OrgSummary:
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
        old = existing[row.code].predecessor_codes if row.code in existing else frozenset()
        if row.predecessor_codes is not None and set(row.predecessor_codes) != old:
            unit = units[row.code]
            unit._change_reason = reason
            unit.predecessors.set([ids[code] for code in row.predecessor_codes])
            changed.add(row.code)
    return OrgSummary(
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


def _row_number(error: OrgError) -> int:
    return error.row or 0


# --- the whole import --------------------------------------------------------------


@dataclass
class OrgImportResult:
    filename: str
    sheet: str
    errors: list[OrgError]
    summary: OrgSummary
    dry_run: bool = False

    def message(self) -> str:
        s = self.summary
        note = "（試行のみ。保存していません）" if self.dry_run else ""
        where = "" if self.sheet == self.filename else f"シート「{self.sheet}」"
        return (
            f"組織マスタ「{self.filename}」{where}を取り込みました{note}: "
            f"新規 {len(s.created)}件、更新 {len(s.updated)}件、変更なし {len(s.unchanged)}件"
        )


def import_org(
    source: str | Path | BinaryIO, *, filename: str, dry_run: bool = False
) -> OrgImportResult:
    """Read, check and (when there is no error) write the org master.

    Raises ``TableError`` when the file cannot be read at all. With errors nothing is
    written; with ``dry_run`` the changes are made and rolled back.
    """
    parsed = parse_org(read_rows(source, filename=filename), filename=filename)
    summary = OrgSummary()
    # Django's history reason column holds 100 characters.
    reason = f"組織マスタ取込: {filename}"[:100]
    with transaction.atomic():
        existing = load_existing()
        # Header errors leave no rows, so this adds nothing after them.
        errors = sorted(parsed.errors + validate_org(parsed, existing), key=_row_number)
        if not errors:
            summary = commit_org(parsed.rows, existing, reason=reason)
            if dry_run:
                transaction.set_rollback(True)
    return OrgImportResult(filename, parsed.sheet, errors, summary, dry_run)

"""Check parsed records against what the database knows, and say what would change.

Pure: the database is read elsewhere (``context.load_context``) into a ``Context`` of
plain dictionaries, so the same checks run for the preview, again under lock at
commit time, and in tests without a database. Every record is checked and every
problem reported; a record with an error is left out of the changes.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from paperless.core.fiscal import fy_end_month, fy_start, month_label
from paperless.core.fiscal import month_start as first_of_month
from paperless.importing.counts.parse import ParsedFile, Record
from paperless.importing.files.sandbox import gc_paused
from paperless.importing.issues import MAX_ISSUES, Collected, Issue

NEW, CHANGED, UNCHANGED = "new", "changed", "unchanged"
OUTLIER_HIGH = 3.0  # above 3x the baseline month
OUTLIER_LOW = 0.1  # below a tenth of it


@dataclass(frozen=True, slots=True)
class UnitInfo:
    id: int
    code: str
    name: str
    kind: str


@dataclass(frozen=True, slots=True)
class Existing:
    """A count on file: its row id and values."""

    id: int
    print_sheets: int
    copy_sheets: int
    excluded_sheets: int | None
    note: str

    @property
    def total(self) -> int:
        return self.print_sheets + self.copy_sheets


@dataclass
class Context:
    """What validation needs from the database, already loaded."""

    units: Mapping[str, UnitInfo]  # by code
    today: date
    base_fy: int
    threshold: float = 0.3
    scope: frozenset[int] | None = None  # departments the user may upload for; None: all
    existing: Mapping[tuple[int, date], Existing] = field(default_factory=dict)
    # (department id, calendar month 1-12) → baseline total sheets of that month
    baseline: Mapping[tuple[int, int], int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Change:
    record: Record
    unit: UnitInfo
    status: str  # NEW, CHANGED or UNCHANGED
    old: Existing | None
    baseline: int | None


@dataclass
class Validation:
    changes: list[Change] = field(default_factory=list)
    # The first ``MAX_ISSUES`` of each in sheet order; the rest counted per code.
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    more_errors: dict[str, int] = field(default_factory=dict)
    more_warnings: dict[str, int] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        found = {NEW: 0, CHANGED: 0, UNCHANGED: 0}
        for change in self.changes:
            found[change.status] += 1
        return found


def name_key(name: str) -> str:
    """Names compare after NFKC, case folding and without spaces ("堺区　市民課")."""
    return "".join(unicodedata.normalize("NFKC", name).casefold().split())


class UnitLookup:
    """Code lookup that also finds "11000" for the code "011000" (Excel drops zeros)."""

    def __init__(self, units: Mapping[str, UnitInfo]) -> None:
        self.units = units
        stripped: dict[str, UnitInfo | None] = {}
        for code, unit in units.items():
            if code.isdigit() and code.startswith("0"):
                key = code.lstrip("0")
                stripped[key] = None if key in stripped else unit
        self.stripped = stripped

    def get(self, code: str) -> UnitInfo | None:
        found = self.units.get(code)
        if found is None and code.isdigit():
            found = self.stripped.get(code.lstrip("0"))
        return found


def validate(
    records: Iterable[Record],
    context: Context,
    *,
    sheet: str | None = None,
    other_codes: Iterable[tuple[str, int, str | None]] = (),
    other_repeats: Mapping[str, int] | None = None,
) -> Validation:
    """Every record checked; the changes of those without error, with old values.

    ``other_codes`` (code, row, column) are the codes of rows the parser left out for a
    bad cell (``ParsedFile.other_codes``): an unknown code there is reported at once;
    ``other_repeats`` counts further left-out rows per code, reported as counts only.
    Errors and warnings are kept to the first ``MAX_ISSUES`` each, the rest counted.
    """
    with gc_paused():
        return _validate(records, context, sheet, other_codes, other_repeats or {})


def validate_file(parsed: ParsedFile, context: Context) -> Validation:
    """``validate`` for a parsed file: its records, sheet and rows left out."""
    return validate(
        parsed.records,
        context,
        sheet=parsed.sheet,
        other_codes=parsed.other_codes,
        other_repeats=parsed.other_repeats,
    )


def _code_problem(
    code: str, unit: UnitInfo | None, scope: frozenset[int] | None
) -> tuple[str, str] | None:
    """Why counts cannot be registered under ``code`` (issue code, message), or None."""
    if unit is None:
        return (
            "unknown_department",
            f"所属コード「{code}」は登録されていません。コードを確かめるか、"
            "テンプレートをダウンロードし直してください。",
        )
    if unit.kind != "department":
        return (
            "not_a_department",
            f"所属コード「{code}」（{unit.name}）は枚数を報告する所属ではありません"
            "（区役所・局などの合計は、所属ごとの枚数から計算します）。",
        )
    if scope is not None and unit.id not in scope:
        return (
            "out_of_scope",
            f"「{unit.name}」（{unit.code}）の枚数を登録する権限がありません。"
            "担当する所属の行だけを残してください。",
        )
    return None


def _validate(
    records: Iterable[Record],
    context: Context,
    sheet: str | None,
    other_codes: Iterable[tuple[str, int, str | None]],
    other_repeats: Mapping[str, int],
) -> Validation:
    result = Validation()
    errors, warnings = Collected(MAX_ISSUES), Collected(MAX_ISSUES)
    units = UnitLookup(context.units)
    current = first_of_month(context.today)
    base_first, base_last = fy_start(context.base_fy), fy_end_month(context.base_fy)
    name_keys: dict[str, str] = {}

    def issue(target: Collected, code: str, message: str, record: Record, column: str | None):
        where = record.columns.get(column) if column else None
        target.append(Issue(code, message, sheet, record.row, where, _raw(record, column)))

    checked: set[str] = set()
    for record in records:
        unit = units.get(record.code)
        checked.add(record.code)
        ok = True
        problem = _code_problem(record.code, unit, context.scope)
        if problem is not None:
            ok = False
            issue(errors, *problem, record, "code")
        if unit is not None and unit.kind == "department" and record.name:
            expected = name_keys.get(unit.code) or name_keys.setdefault(
                unit.code, name_key(unit.name)
            )
            if name_key(record.name) != expected:
                ok = False
                issue(
                    errors,
                    "name_mismatch",
                    f"所属名「{record.name}」が所属コード「{record.code}」の所属名"
                    f"「{unit.name}」と一致しません。コードか所属名を直してください。",
                    record,
                    "name",
                )
        if record.month > current:
            ok = False
            issue(
                errors,
                "future_month",
                f"{month_label(record.month)}はまだ来ていない月です。年月を確かめてください。",
                record,
                "month",
            )
        elif record.month == current:
            issue(
                warnings,
                "current_month",
                f"{month_label(record.month)}は今月です。月の途中の枚数なら、月が終わってから"
                "登録し直してください。",
                record,
                "month",
            )
        if record.month < base_first:
            issue(
                warnings,
                "before_base_year",
                f"{month_label(record.month)}は基準年度（{context.base_fy}年度）より前の月です。"
                "削減率の計算には使われません。",
                record,
                "month",
            )
        if not ok or unit is None:
            continue
        old = context.existing.get((unit.id, record.month))
        baseline = None
        if record.month > base_last:
            baseline = context.baseline.get((unit.id, record.month.month))
            _outlier(warnings, record, baseline, issue)
        if old is None:
            status = NEW
        elif _same(old, record):
            status = UNCHANGED
        else:
            status = CHANGED
            issue(
                warnings,
                "replaces_existing",
                f"{unit.name}の{month_label(record.month)}は登録済みです。"
                f"{_old_new(old, record)} に置き換えます。",
                record,
                "print",
            )
        result.changes.append(Change(record, unit, status, old, baseline))
    # Rows left out for a bad cell: their code is checked too, so that one round of
    # corrections fixes the file.
    for code, row, column in other_codes:
        if code not in checked:
            problem = _code_problem(code, units.get(code), context.scope)
            if problem is not None:
                errors.append(Issue(*problem, sheet, row, column, code))
    for code, count in other_repeats.items():
        if code not in checked and (problem := _code_problem(code, units.get(code), context.scope)):
            errors.more[problem[0]] += count
    result.errors, result.more_errors = errors.result()
    result.warnings, result.more_warnings = warnings.result()
    return result


def _raw(record: Record, column: str | None) -> str | None:
    value = {
        "code": record.code,
        "name": record.name,
        "month": month_label(record.month),
        "print": record.print_sheets,
    }.get(column or "")
    return None if value is None else str(value)


def _same(old: Existing, record: Record) -> bool:
    # A note alone does not make a change: the counts are what the history keeps.
    return (old.print_sheets, old.copy_sheets, old.excluded_sheets) == (
        record.print_sheets,
        record.copy_sheets,
        record.excluded_sheets,
    )


def _old_new(old: Existing, record: Record) -> str:
    parts = [
        f"印刷 {old.print_sheets:,} → {record.print_sheets:,}",
        f"コピー {old.copy_sheets:,} → {record.copy_sheets:,}",
    ]
    if old.excluded_sheets is not None or record.excluded_sheets is not None:
        before = "—" if old.excluded_sheets is None else f"{old.excluded_sheets:,}"
        after = "—" if record.excluded_sheets is None else f"{record.excluded_sheets:,}"
        parts.append(f"除外 {before} → {after}")
    return "、".join(parts)


def _outlier(warnings: Collected, record: Record, baseline: int | None, issue) -> None:
    if not baseline:
        return
    total = record.total
    if total > OUTLIER_HIGH * baseline:
        issue(
            warnings,
            "outlier_high",
            f"合計 {total:,}枚は基準年度同月（{baseline:,}枚）の3倍を超えています。"
            "桁の誤りがないか確かめてください。",
            record,
            "print",
        )
    elif total < OUTLIER_LOW * baseline:
        issue(
            warnings,
            "outlier_low",
            f"合計 {total:,}枚は基準年度同月（{baseline:,}枚）の10分の1未満です。"
            "桁の誤りや入力漏れがないか確かめてください。",
            record,
            "print",
        )

"""Records parsed from a count file, and the builder that collects them with issues.

A ``Record`` is one department's counts for one month as the file states them; the
builder keeps the first record of each (code, month), reports a later one that
differs, and collects every error and warning with its sheet, row and column. Pure.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from paperless.core.fiscal import month_label
from paperless.core.meters import Reading
from paperless.importing.cells import normalize_key
from paperless.importing.counts.layout import Table
from paperless.importing.issues import MAX_ISSUES, Issue, first_issues, raw_text, sort_key

_TOTALS = frozenset({"合計", "計", "総計", "小計", "累計", "total", "subtotal", "grandtotal"})
_TOTAL_AFFIXES = ("合計", "総計", "小計")
NONE = (None, None)
KIND_BY_KEY = {
    normalize_key(k): v
    for v, keys in {
        "print": ("印刷", "印刷枚数", "プリント", "print", "print_sheets"),
        "copy": ("コピー", "コピー枚数", "複写", "copy", "copy_sheets"),
        "excluded": ("除外", "除外枚数", "excluded", "excluded_sheets"),
    }.items()
    for k in keys
}
KIND_LABELS = {"print": "印刷枚数", "copy": "コピー枚数", "excluded": "除外枚数"}


class Record(NamedTuple):
    """One department's counts for one month, as the file states them."""

    code: str
    month: date
    print_sheets: int
    copy_sheets: int
    excluded_sheets: int | None
    note: str
    name: str | None  # the name written beside the code, None without a name column
    row: int
    columns: Mapping[str, str]  # field → column letter, for messages about the record

    @property
    def total(self) -> int:
        return self.print_sheets + self.copy_sheets

    def same_values(self, other: Record) -> bool:
        return (self.print_sheets, self.copy_sheets, self.excluded_sheets) == (
            other.print_sheets,
            other.copy_sheets,
            other.excluded_sheets,
        )


@dataclass
class ParsedFile:
    filename: str
    sheet: str | None = None
    layout: str | None = None
    records: list[Record] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    refused: bool = False  # the file could not be read at all
    # (code, row, column) of rows left out for a bad cell: validation checks the codes
    other_codes: list[tuple[str, int, str | None]] = field(default_factory=list)
    # A meter-reading file's readings (importing.meters); its records are derived.
    readings: list[Reading] = field(default_factory=list)
    # Bounded files (``bound``): issues beyond those listed, and rows left out beyond
    # those in ``other_codes``, counted per code.
    more_errors: dict[str, int] = field(default_factory=dict)
    more_warnings: dict[str, int] = field(default_factory=dict)
    other_repeats: dict[str, int] = field(default_factory=dict)

    def sort(self) -> None:
        self.errors.sort(key=sort_key)
        self.warnings.sort(key=sort_key)

    def bound(self, limit: int = MAX_ISSUES) -> None:
        """Keep the first ``limit`` errors and warnings and count the rest per code; keep
        the first ``limit`` left-out rows, and of later ones the first row of each code
        not seen yet, counting the others. What is sent between processes and kept in
        memory then grows with the file's departments, not with its mistakes; validation
        reports the same number of issues as from the whole lists.
        """
        self.errors, self.more_errors = first_issues(self.errors, self.more_errors, limit)
        self.warnings, self.more_warnings = first_issues(self.warnings, self.more_warnings, limit)
        if len(self.other_codes) <= limit:
            return
        kept = self.other_codes[:limit]
        seen = {code for code, _row, _column in kept}
        repeats: Counter[str] = Counter(self.other_repeats)
        for entry in self.other_codes[limit:]:
            if entry[0] in seen:
                repeats[entry[0]] += 1
            else:
                seen.add(entry[0])
                kept.append(entry)
        self.other_codes, self.other_repeats = kept, dict(repeats)


def count_message(code: str, label: str, raw: str) -> str:
    return {
        "not_a_number": f"{label}「{raw}」を数値として読めません。0以上の整数を入力してください。",
        "negative_count": f"{label}「{raw}」がマイナスです。0以上の枚数を入力してください。",
        "fractional_count": f"{label}「{raw}」が整数ではありません。枚数は整数で入力してください。",
        "count_too_large": f"{label}「{raw}」が大きすぎます（1兆枚以上）。入力を確かめてください。",
        "missing_count": f"{label}が空です。0枚の月は 0 と入力してください。",
    }[code]


def is_total(*values: object) -> bool:
    return any(type(value) is str and total_text(value) for value in values)


@lru_cache(maxsize=65_536)
def total_text(value: str) -> bool:
    folded = value.casefold()
    if "計" not in value and "tal" not in folded and "ｔａｌ" not in folded:
        return False
    key = normalize_key(value)
    return key in _TOTALS or key.startswith(_TOTAL_AFFIXES) or key.endswith(_TOTAL_AFFIXES)


class Builder:
    """Collects records and issues for one table, merging repeated (code, month)."""

    def __init__(self, table: Table, parsed: ParsedFile) -> None:
        self.table = table
        self.parsed = parsed
        self.sheet = table.sheet_name
        self.found: dict[tuple[str, date], Record] = {}
        self.blank_rows = 0

    def error(self, code: str, message: str, row: int, column: str | None, raw: object = None):
        text = raw_text(raw) or None
        self.parsed.errors.append(Issue(code, message, self.sheet, row, column, text))

    def left_out(self, code: str, row: int, column: str | None) -> None:
        """A row with a bad cell, not a record: its code is still checked (validate)."""
        self.parsed.other_codes.append((code, row, column))

    def warn(self, code: str, message: str, row: int | None, column: str | None = None):
        self.parsed.warnings.append(Issue(code, message, self.sheet, row, column))

    def total_row(self, row: int) -> None:
        self.warn(
            "totals_row_skipped",
            "合計の行は取り込みません（各所属の行だけを取り込みます）。",
            row,
        )

    def add(self, record: Record) -> None:
        """Keep the first record of a (code, month); a later one must say the same."""
        first = self.found.setdefault((record.code, record.month), record)
        if first is record or first.same_values(record):
            return
        self.error(
            "duplicate_conflict",
            f"所属コード「{record.code}」の{month_label(record.month)}が{first.row}行目にもあり、"
            f"枚数が違います（{_values(first)} と {_values(record)}）。"
            "どちらか一方を消してください。",
            record.row,
            record.columns.get("code"),
            record.code,
        )

    def finish(self) -> None:
        self.parsed.records = list(self.found.values())
        if not self.parsed.records and not self.parsed.errors:
            blank = "枚数が空欄の行しかありません。" if self.blank_rows else ""
            self.error(
                "no_data_rows",
                f"取り込むデータの行がありません。{blank}見出し行の下に、所属ごとの枚数を"
                "入力してください。",
                self.table.header.number,
                None,
            )
        elif self.blank_rows:
            self.warn(
                "blank_rows_skipped",
                f"枚数が空欄の行（{self.blank_rows:,}行）は取り込みません。",
                None,
            )


def _values(record: Record) -> str:
    text = f"印刷 {record.print_sheets:,} / コピー {record.copy_sheets:,}"
    if record.excluded_sheets is not None:
        text += f" / 除外 {record.excluded_sheets:,}"
    return text


def excluded_ok(record: Record, builder: Builder, column: str | None, row: int | None = None):
    if record.excluded_sheets is None or record.excluded_sheets <= record.total:
        return True
    builder.error(
        "excluded_exceeds_total",
        f"除外枚数 {record.excluded_sheets:,} が印刷＋コピーの合計 {record.total:,} を"
        "超えています。除外枚数は印刷枚数とコピー枚数の内数で入力してください。",
        row or record.row,
        column,
        str(record.excluded_sheets),
    )
    return False

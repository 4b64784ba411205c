"""Errors and warnings about an uploaded count or meter-reading file, as users and
scripts see them.

Each issue names where it is (sheet, Excel row, column letter), a stable snake_case
``code`` for scripts and tests, the raw value as written, and a Japanese message that
says what to fix. Errors block the file; warnings are shown and do not.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# Issues of each kind (errors, warnings) kept for one file, in sheet order: the rest are
# only counted, per code. The reading process sends no more than this to the web
# process, and the upload's stored preview holds no more.
MAX_ISSUES = 1_000

ERROR_CODES = frozenset(
    {
        "unknown_department",
        "not_a_department",
        "name_mismatch",
        "negative_count",
        "fractional_count",
        "not_a_number",
        "count_too_large",
        "missing_count",
        "excluded_exceeds_total",
        "bad_month",
        "future_month",
        "duplicate_conflict",
        "missing_column",
        "duplicate_column",
        "unknown_kind",
        "no_data_rows",
        "out_of_scope",
        # meter-reading files
        "missing_value",
        "value_too_long",
        "bad_date",
        "counter_went_backwards",
        "counter_unassigned",
        "conflicting_readings",
        "reading_in_future",
        "readings_not_allowed",
        # the file itself
        "file_too_large",
        "not_a_spreadsheet",
        "corrupt_file",
        "encrypted_file",
        "too_many_rows",
        "too_many_columns",
        "too_many_cells",
        "zip_bomb",
        "xml_bomb",
        "timeout",
    }
)
# What each code means, in a few words: how the preview names the issues it does not list.
LABELS = {
    "unknown_department": "登録されていない所属コード",
    "not_a_department": "枚数を報告しない所属のコード",
    "name_mismatch": "所属コードと合わない所属名",
    "negative_count": "マイナスの枚数",
    "fractional_count": "整数でない枚数",
    "not_a_number": "数値として読めない値",
    "count_too_large": "大きすぎる枚数",
    "missing_count": "空欄の枚数",
    "excluded_exceeds_total": "合計を超える除外枚数",
    "bad_month": "読めない年月",
    "future_month": "まだ来ていない月",
    "duplicate_conflict": "枚数の違う重複行",
    "missing_column": "見つからない列",
    "duplicate_column": "重複した列",
    "unknown_kind": "読めない区分",
    "no_data_rows": "データのない表",
    "out_of_scope": "担当外の所属",
    "current_month": "今月の枚数",
    "before_base_year": "基準年度より前の月",
    "outlier_high": "基準年度同月の3倍を超える枚数",
    "outlier_low": "基準年度同月の10分の1未満の枚数",
    "replaces_existing": "登録済みの値の置き換え",
    "totals_row_skipped": "取り込まない合計の行",
    "blank_rows_skipped": "取り込まない空欄の行",
}
WARNING_CODES = frozenset(
    {
        "current_month",
        "before_base_year",
        "outlier_high",
        "outlier_low",
        "replaces_existing",
        "totals_row_skipped",
        "blank_rows_skipped",
        "usage_spread_over_months",
        "usage_implausible",
    }
)


@dataclass(frozen=True, slots=True)
class Issue:
    code: str
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The shape of the command's JSON output (and of the stored upload summary)."""
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "code": self.code,
            "message": self.message,
        }

    def as_summary(self) -> dict[str, Any]:
        return self.as_json() | {"value": self.value}

    @property
    def where(self) -> str:
        parts = []
        if self.sheet:
            parts.append(f"シート「{self.sheet}」")
        if self.row is not None:
            parts.append(f"{self.row}行目")
        if self.column:
            parts.append(f"{self.column}列")
        return " ".join(parts)

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


def sort_key(issue: Issue) -> tuple[int, int, int, str]:
    """File-wide issues first, then by row and column as a reader scans the sheet."""
    column = issue.column or ""
    return (issue.row is not None, issue.row or 0, len(column), column)


def raw_text(value: object) -> str:
    """A cell as quoted in a message: what the user typed, shortened."""
    if value is None:
        return ""
    integral = isinstance(value, float) and value.is_integer()
    text = (str(int(value)) if integral else str(value)).strip()
    return text if len(text) <= 40 else text[:39] + "…"


class Collected:
    """Issues as they are found, holding at most the first ``limit`` in sheet order.

    Appending past twice the limit sorts and drops the later ones, counting them per
    code, so memory stays bounded however many issues a file has; the kept ones are the
    same first ``limit`` that sorting the whole list would give.
    """

    def __init__(self, limit: int = MAX_ISSUES) -> None:
        self.limit = limit
        self.items: list[Issue] = []
        self.more: Counter[str] = Counter()

    def append(self, issue: Issue) -> None:
        self.items.append(issue)
        if len(self.items) >= 2 * self.limit:
            self._trim()

    def _trim(self) -> None:
        self.items.sort(key=sort_key)
        for dropped in self.items[self.limit :]:
            self.more[dropped.code] += 1
        del self.items[self.limit :]

    def result(self) -> tuple[list[Issue], dict[str, int]]:
        """The kept issues in sheet order, and how many more of each code there were."""
        self._trim()
        return self.items, dict(self.more)


def first_issues(
    issues: Iterable[Issue], more: Mapping[str, int] | None = None, limit: int = MAX_ISSUES
) -> tuple[list[Issue], dict[str, int]]:
    """The first ``limit`` of ``issues`` in sheet order, and the counts per code of the
    rest added to ``more`` (issues already left out)."""
    collected = Collected(limit)
    collected.more.update(more or {})
    for issue in issues:
        collected.append(issue)
    return collected.result()


def more_lines(more: Mapping[str, int]) -> list[dict[str, Any]]:
    """Issues not listed, per code, most frequent first: code, label and count."""
    return [
        {"code": code, "label": LABELS.get(code, code), "count": count}
        for code, count in sorted(more.items(), key=lambda item: (-item[1], item[0]))
        if count
    ]

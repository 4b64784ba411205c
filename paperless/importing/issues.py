"""Errors and warnings about an uploaded count or meter-reading file, as users and
scripts see them.

Each issue names where it is (sheet, Excel row, column letter), a stable snake_case
``code`` for scripts and tests, the raw value as written, and a Japanese message that
says what to fix. Errors block the file; warnings are shown and do not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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

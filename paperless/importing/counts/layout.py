"""Find the count table in a workbook: which sheet, which header row, which columns.

Two layouts are recognised, with Japanese or English headers in any order and extra
columns ignored:

* long: a row per department and month — 年月, 所属コード, 所属名, 印刷枚数, コピー枚数,
  除外枚数 (optional), 備考 (optional). Without a 年月 column the month may stand in a
  title above the header ("令和4年12月分") or in the sheet name.
* wide: a row per department and 区分 (印刷 / コピー / 除外), one column per month; the
  month in each header in any form ``fiscal.parse_month`` reads, or "4月" with the
  fiscal year in a title above ("令和4年度").

The header may sit anywhere in the first 20 rows of a sheet; the first sheet with a
complete header is taken. Pure: no Django.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from paperless.core.fiscal import parse_month
from paperless.importing.cells import MAX_LABEL_CHARS, column_letter, normalize_text
from paperless.importing.counts.headers import ENGLISH, LABELS, field_of
from paperless.importing.counts.values import parse_fiscal_year, parse_month_value
from paperless.importing.files.reader import Row, Sheet
from paperless.importing.issues import Issue

HEADER_SEARCH_ROWS = 20

LONG_REQUIRED = ("month", "code", "print", "copy")
WIDE_REQUIRED = ("code", "kind")
# A second column of these is ignored; of any other field it is an error.
LENIENT_DUPLICATES = frozenset({"name", "note", "kind"})
_BARE_MONTH = re.compile(r"(\d{1,2})月分?", re.ASCII)
# A month inside a title ("令和4年12月分 印刷枚数", "R 4 年 12 月", "2022/12 実績"). Every
# match starts at an era or a digit, and each run of spaces or digits is taken once and
# never given back (possessive), so a scan of any text is linear in its length.
_MONTH_IN_TEXT = re.compile(
    r"(?:(?:令和|平成|昭和|[RHS])\s*+)?(?:元|\d{1,4}+)\s*+年\s*+\d{1,2}+\s*+月"
    r"|\d{4}+\s*+[-/.]\s*+\d{1,2}"
)


@dataclass
class Table:
    """Where the counts are: the sheet, its header row and the column of each field."""

    sheet: Sheet
    header: Row
    header_index: int  # position of the header in ``sheet.rows``
    layout: str  # "long" or "wide"
    columns: dict[str, int]  # field → 0-based column index
    month_columns: dict[int, date] = field(default_factory=dict)  # wide: column → month
    title_month: date | None = None  # long without a 年月 column
    title_fy: int | None = None  # the 年度 a title names, for months written "4月"

    @property
    def sheet_name(self) -> str | None:
        return None if self.sheet.is_csv else self.sheet.name

    def letter(self, name: str) -> str | None:
        index = self.columns.get(name)
        return None if index is None else column_letter(index)


@dataclass
class _Candidate:
    sheet: Sheet
    row: Row
    index: int
    fields: dict[str, list[int]]
    months: dict[int, date]
    bare_months: dict[int, int]

    @property
    def layout(self) -> str:
        wide = "kind" in self.fields and (self.months or self.bare_months)
        return "wide" if wide or ("kind" in self.fields and "print" not in self.fields) else "long"


def _header_month(value: object) -> date | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        # Only 202204 as a number: a day serial in a header is more likely a count.
        return parse_month(value) if 190_001 <= value <= 220_012 else None
    if isinstance(value, str) and not value.strip():
        return None
    return parse_month_value(value)


def month_in_title(text: str) -> date | None:
    """The month a title cell names, or None: a month cell ("2022年12月"), a month
    inside a title ("令和4年12月分 印刷枚数"); never a fiscal year ("令和4年度"). Text
    longer than ``MAX_LABEL_CHARS`` is no title and is not searched."""
    text = unicodedata.normalize("NFKC", text)
    if "年度" in text or len(text.strip()) > MAX_LABEL_CHARS:
        return None
    return parse_month_value(text) or next(
        (m for m in map(parse_month, _MONTH_IN_TEXT.findall(text)) if m), None
    )


def _candidate(sheet: Sheet, row: Row, position: int) -> _Candidate | None:
    fields: dict[str, list[int]] = {}
    months: dict[int, date] = {}
    bare: dict[int, int] = {}
    for index, cell in enumerate(row.cells):
        name = field_of(cell)
        if name:
            fields.setdefault(name, []).append(index)
            continue
        month = _header_month(cell)
        if month:
            months[index] = month
        elif isinstance(cell, str) and len(text := cell.strip()) <= MAX_LABEL_CHARS:
            match = _BARE_MONTH.fullmatch(unicodedata.normalize("NFKC", text).strip())
            if match and 1 <= int(match[1]) <= 12:
                bare[index] = int(match[1])
    if len(fields) + (1 if months or bare else 0) < 2:
        return None
    return _Candidate(sheet, row, position, fields, months, bare)


def _two_row_header(sheet: Sheet, index: int) -> _Candidate | None:
    """A header written on two rows ("枚数" over "印刷" and "コピー"), read as one."""
    if index + 1 >= len(sheet.rows):
        return None
    top = sheet.rows[index][1]
    number, bottom = sheet.rows[index + 1]
    width = max(len(top), len(bottom))
    cells = tuple(
        bottom[i]
        if i < len(bottom) and str(bottom[i]).strip()
        else top[i]
        if i < len(top)
        else None
        for i in range(width)
    )
    return _candidate(sheet, Row(number, cells), index + 1)


def _title_cells(sheet: Sheet, header: Row) -> list[object]:
    cells: list[object] = [sheet.name] if not sheet.is_csv else []
    for number, row in sheet.rows:
        if number >= header.number:
            break
        cells.extend(c for c in row if isinstance(c, str | date))
    return cells


def _title_month(cells: Iterable[object]) -> date | None:
    """The one month a title names ("令和4年12月分 印刷枚数"), None if none or several."""
    found: set[date] = set()
    for cell in cells:
        month = month_in_title(cell) if isinstance(cell, str) else parse_month_value(cell)
        if month:
            found.add(month)
    return found.pop() if len(found) == 1 else None


def _title_fiscal_year(cells: Iterable[object]) -> int | None:
    years = {fy for fy in map(parse_fiscal_year, cells) if fy}
    return years.pop() if len(years) == 1 else None


def _missing(candidate: _Candidate, required: Iterable[str]) -> list[str]:
    return [f for f in required if f not in candidate.fields]


def _complete(candidate: _Candidate) -> tuple[Table | None, list[Issue]]:
    """The table of a header row, or the issues that keep it from being one."""
    sheet_name = None if candidate.sheet.is_csv else candidate.sheet.name
    number = candidate.row.number
    issues: list[Issue] = []
    for name, indexes in candidate.fields.items():
        if len(indexes) > 1 and name not in LENIENT_DUPLICATES:
            letters = "、".join(column_letter(i) for i in indexes)
            issues.append(
                Issue(
                    "duplicate_column",
                    f"「{LABELS[name]}」の列が複数あります（{letters}列）。1列にまとめてください。",
                    sheet_name,
                    number,
                    column_letter(indexes[1]),
                )
            )
    columns = {name: indexes[0] for name, indexes in candidate.fields.items()}
    titles = _title_cells(candidate.sheet, candidate.row)
    layout = candidate.layout
    table = Table(candidate.sheet, candidate.row, candidate.index, layout, columns)
    if layout == "wide":
        table.month_columns = dict(candidate.months)
        if candidate.bare_months:
            fy = _title_fiscal_year(titles)
            for index, month in candidate.bare_months.items():
                if fy is not None:
                    table.month_columns[index] = date(fy + (month < 4), month, 1)
        missing = _missing(candidate, WIDE_REQUIRED)
        if not table.month_columns:
            issues.append(_no_month_columns(candidate, sheet_name))
    else:
        missing = _missing(candidate, LONG_REQUIRED)
        if "month" in missing and (month := _title_month(titles)):
            table.title_month = month
            missing.remove("month")
        table.title_fy = _title_fiscal_year(titles)
    issues.extend(_missing_issue(name, sheet_name, number) for name in missing)
    return (None if issues else table), issues


def _no_month_columns(candidate: _Candidate, sheet_name: str | None) -> Issue:
    detail = (
        "「4月」のように年のない見出しは、見出しより上に「令和4年度」のような年度を書いてください"
        if candidate.bare_months
        else "月の列の見出しを「2022年4月」「令和4年4月」「2022-04」のように書いてください"
    )
    return Issue(
        "missing_column",
        f"月ごとの列が見つかりません。{detail}。",
        sheet_name,
        candidate.row.number,
    )


def _missing_issue(name: str, sheet_name: str | None, number: int) -> Issue:
    return Issue(
        "missing_column",
        f"必須の列「{LABELS[name]}」（または「{ENGLISH[name]}」）が見出し行にありません。"
        "テンプレートの見出しをそのまま使ってください。",
        sheet_name,
        number,
    )


def find_table(sheets: Iterable[Sheet], *, filename: str) -> tuple[Table | None, list[Issue]]:
    """The first sheet's complete header; else the issues of the first partial one."""
    first_issues: list[Issue] | None = None
    first_sheet: Sheet | None = None
    for sheet in sheets:
        first_sheet = first_sheet or sheet
        for index, (number, cells) in enumerate(sheet.rows):
            if number > HEADER_SEARCH_ROWS:
                break
            candidate = _candidate(sheet, Row(number, tuple(cells)), index)
            if candidate is None:
                continue
            table, issues = _complete(candidate)
            if table is None and (merged := _two_row_header(sheet, index)) is not None:
                table = _complete(merged)[0]
            if table is not None:
                return table, []
            if first_issues is None:
                first_issues = issues
            break
    if first_issues is not None:
        return None, first_issues
    sheet_name = None if first_sheet is None or first_sheet.is_csv else first_sheet.name
    needed = "」「".join(LABELS[f] for f in LONG_REQUIRED)
    return None, [
        Issue(
            "missing_column",
            f"「{filename}」に枚数の表が見つかりません。どれかのシートの先頭"
            f"{HEADER_SEARCH_ROWS}行以内に、「{needed}」の見出し行を置いてください"
            "（テンプレートをお使いください）。",
            sheet_name,
        )
    ]


def header_text(table: Table, name: str) -> str:
    index = table.columns.get(name)
    if index is None or index >= len(table.header.cells):
        return LABELS[name]
    return normalize_text(table.header.cells[index]) or LABELS[name]

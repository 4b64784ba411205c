"""Recognise a meter-reading file by its columns and read every reading in it.

Two layouts, found by the master table reader (header anywhere in the first 20 rows of
any sheet, Japanese or English headers, columns in any order, extra columns ignored):

* ``meter``: 機器番号, 検針日, 印刷カウンター, コピーカウンター, 部門ID (optional) —
  ``device_serial, read_on, print_counter, copy_counter, department_id``.
* ``meter_ricoh``: a Ricoh-style counter CSV as the lessor's device monitor sends it:
  ``Serial Number`` and counters per function and colour (``Printer: Black & White``,
  ``Printer B&W Counter``, ``Copier: Full Color``, … Single Color, Two-color), the
  printer ones summed into print and the copier ones into copy. The reading date comes
  from a ``Date`` / ``Read Date`` / ``Counter Date`` (検針日) column or, without one,
  from the file name (``counter_20240430.csv``); a file with neither is refused.

A file is a reading file when a header row names the device serial and at least one
counter. Counters are cumulative sheet counts: full-width digits, thousands separators
and number cells are read as in count files. Pure: no Django.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from paperless.core.meters import Reading
from paperless.importing.cells import column_letter, normalize_key
from paperless.importing.counts.records import ParsedFile
from paperless.importing.counts.values import parse_count
from paperless.importing.files.reader import Sheet
from paperless.importing.issues import Issue, raw_text
from paperless.importing.master.table import (
    CellError,
    Column,
    Table,
    find_table,
    parse_code,
    parse_date,
)

METER, RICOH = "meter", "meter_ricoh"
LAYOUTS = frozenset({METER, RICOH})
MAX_SERIAL, MAX_ACCOUNT = 50, 20  # as stored (MeterReading)

_COLOURS = {
    "bw": ("Black & White", "Black and White", "B&W", "白黒"),
    "full": ("Full Color", "フルカラー"),
    "single": ("Single Color", "単色"),
    "two": ("Two-color", "Two Color", "2色", "二色"),
}
_FUNCTIONS = {"print": ("Printer", "プリンター"), "copy": ("Copier", "コピー")}


def _part_column(function: str, colour: str) -> Column:
    names = [
        f"{word}{sep}{name}{suffix}"
        for word in _FUNCTIONS[function]
        for name in _COLOURS[colour]
        for sep in (": ", " ")
        for suffix in ("", " Counter")
    ]
    return Column(f"{function}_{colour}", names[0], tuple(names[1:]))


PARTS = {
    function: tuple(_part_column(function, colour) for colour in _COLOURS)
    for function in _FUNCTIONS
}
COLUMNS: tuple[Column, ...] = (
    Column("serial", "機器番号", ("device_serial", "Serial Number", "シリアル番号", "機番")),
    Column("account", "部門ID", ("department_id", "Department ID", "部門コード")),
    Column("read_on", "検針日", ("read_on", "Read Date", "Counter Date", "Date", "検針年月日")),
    Column("print", "印刷カウンター", ("print_counter", "印刷カウンタ")),
    Column("copy", "コピーカウンター", ("copy_counter", "コピーカウンタ")),
    *PARTS["print"],
    *PARTS["copy"],
)
_COUNTERS = frozenset({"print", "copy"} | {c.key for cs in PARTS.values() for c in cs})
_BY_NAME = {normalize_key(n): c.key for c in COLUMNS for n in (c.label, *c.aliases)}
_DAY_IN_NAME = re.compile(r"(?<!\d)(20\d\d)[-_.]?(\d\d)[-_.]?(\d\d)(?!\d)", re.ASCII)
# Excel's serial day numbers for 1954..2173: a date cell that lost its format.
_SERIAL_DAYS = (20_000, 100_000)
_EXCEL_EPOCH = date(1899, 12, 30)


@dataclass
class _Found:
    sheet: Sheet
    table: Table
    letters: dict[str, str]  # column key → Excel letter

    @property
    def sheet_name(self) -> str | None:
        return None if self.sheet.is_csv else self.sheet.name


def read_readings(sheets: Iterable[Sheet], *, filename: str) -> ParsedFile | None:
    """The readings of a reading file and every error in it; None for another file."""
    found = _find(sheets, filename)
    if found is None:
        return None
    table = found.table
    layout = METER if {"print", "copy"} & table.headers.keys() else RICOH
    parsed = ParsedFile(filename, found.sheet_name, layout)
    for error in table.errors:  # the reader's header errors: a column given twice
        parsed.errors.append(Issue("duplicate_column", error.message, parsed.sheet, error.row))
    day = _day_in_name(filename) if "read_on" not in table.headers else None
    needed = ("read_on", "print", "copy") if layout == METER else ()
    for key in needed:
        if key not in table.headers:
            shown = next(c.shown for c in COLUMNS if c.key == key)
            message = f"必須の列{shown}が見出し行にありません。"
            parsed.errors.append(Issue("missing_column", message, parsed.sheet, table.header_row))
    if layout == RICOH and "read_on" not in table.headers and day is None:
        parsed.errors.append(
            Issue(
                "missing_column",
                "検針日がわかりません。「検針日」（または「Date」）の列を加えるか、ファイル名に"
                "検針日を入れてください（例: counter_20240430.csv）。",
                parsed.sheet,
                table.header_row,
            )
        )
    if parsed.errors:
        return parsed
    rows = _Rows(found, parsed, day)
    for number, cells in table:
        rows.read(number, cells)
    if not parsed.readings and not parsed.errors:
        parsed.errors.append(
            Issue(
                "no_data_rows",
                "検針値の行がありません。見出し行の下に、機器ごとの検針値を入力してください。",
                parsed.sheet,
                table.header_row,
            )
        )
    parsed.sort()
    return parsed


def _find(sheets: Iterable[Sheet], filename: str) -> _Found | None:
    """The first sheet whose header names a device serial and a counter."""
    for sheet in sheets:
        table = find_table([sheet], COLUMNS, filename=filename)
        keys = table.headers.keys()
        if table.header_row is not None and "serial" in keys and keys & _COUNTERS:
            return _Found(sheet, table, _letters(sheet, table.header_row))
    return None


def _letters(sheet: Sheet, header_row: int) -> dict[str, str]:
    cells = next(cells for number, cells in sheet.rows if number == header_row)
    letters: dict[str, str] = {}
    for index, cell in enumerate(cells):
        if (key := _BY_NAME.get(normalize_key(cell))) is not None:
            letters.setdefault(key, column_letter(index))
    return letters


def _day_in_name(filename: str) -> date | None:
    """The reading date a file name carries: counter_20240430.csv, 検針_2024-04-30.xlsx."""
    for match in _DAY_IN_NAME.finditer(unicodedata.normalize("NFKC", filename)):
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            continue
    return None


def parse_day(value: object) -> date | None:
    """A reading date: a date cell, an Excel day number, 20240430, or text in every form
    the master table reader knows (2024/4/30, 2024年4月30日, R6.4.30, …)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, int | float) and not isinstance(value, bool):
        if _SERIAL_DAYS[0] <= value < _SERIAL_DAYS[1] and float(value).is_integer():
            return _EXCEL_EPOCH + timedelta(days=int(value))
        value = str(int(value)) if float(value).is_integer() else str(value)
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        if re.fullmatch(r"\d{8}", text, re.ASCII):
            try:
                return date(int(text[:4]), int(text[4:6]), int(text[6:]))
            except ValueError:
                pass
    return parse_date(value)


_COUNT_PROBLEMS = {
    "not_a_number": "を数値として読めません",
    "negative_count": "がマイナスです",
    "fractional_count": "が整数ではありません",
    "count_too_large": "が大きすぎます（1兆以上）",
}


class _Rows:
    """Turns each data row into a ``Reading``, reporting every bad cell."""

    def __init__(self, found: _Found, parsed: ParsedFile, day: date | None) -> None:
        self.found = found
        self.parsed = parsed
        self.day = day

    def error(self, code: str, message: str, row: int, key: str, raw: object = None) -> None:
        column = self.found.letters.get(key)
        text = raw_text(raw) or None
        self.parsed.errors.append(Issue(code, message, self.parsed.sheet, row, column, text))

    def label(self, key: str) -> str:
        return self.found.table.headers.get(key) or key

    def read(self, number: int, cells: dict[str, object]) -> None:
        serial = self.code(number, cells, "serial", MAX_SERIAL)
        account = self.code(number, cells, "account", MAX_ACCOUNT) if "account" in cells else ""
        read_on = self.day if "read_on" not in cells else self.date(number, cells)
        if self.parsed.layout == METER:
            printed = self.counter(number, cells, ("print",))
            copied = self.counter(number, cells, ("copy",))
        else:
            printed = self.counter(number, cells, _present(PARTS["print"], cells), blank=0)
            copied = self.counter(number, cells, _present(PARTS["copy"], cells), blank=0)
        values = (serial, account, read_on, printed, copied)
        if all(v is not None for v in values):
            self.parsed.readings.append(Reading(*values, sheet=self.parsed.sheet, row=number))

    def code(self, number: int, cells: dict[str, object], key: str, limit: int) -> str | None:
        value = parse_code(cells.get(key))
        if value is None and key == "serial":
            self.error("missing_value", f"{self.label(key)}が空です。", number, key)
            return None
        if value is not None and len(value) > limit:
            message = f"{self.label(key)}「{value}」が長すぎます（{limit}文字まで）。"
            self.error("value_too_long", message, number, key, value)
            return None
        return "" if value is None else value

    def date(self, number: int, cells: dict[str, object]) -> date | None:
        raw = cells.get("read_on")
        try:
            found = parse_day(raw)
        except CellError as exc:
            self.error("bad_date", exc.message, number, "read_on", raw)
            return None
        if found is None:
            self.error("missing_value", f"{self.label('read_on')}が空です。", number, "read_on")
        return found

    def counter(
        self, number: int, cells: dict[str, object], keys: Sequence[str], blank: int | None = None
    ) -> int | None:
        """The sum of the counter cells ``keys``; a blank one counts ``blank`` (a device
        without colour has no colour counter), or is an error when ``blank`` is None."""
        total, ok = 0, True
        for key in keys:
            raw = cells.get(key)
            value, problem = parse_count(raw)
            if problem is not None:
                message = (
                    f"{self.label(key)}「{raw_text(raw)}」{_COUNT_PROBLEMS[problem]}。"
                    "検針値（累計の枚数）を0以上の整数で入力してください。"
                )
                self.error(problem, message, number, key, raw)
                ok = False
            elif value is None and blank is None:
                message = f"{self.label(key)}が空です。検針値（累計の枚数）を入力してください。"
                self.error("missing_count", message, number, key)
                ok = False
            else:
                total += blank if value is None else value
        return total if ok else None


def _present(columns: Sequence[Column], cells: dict[str, object]) -> tuple[str, ...]:
    return tuple(c.key for c in columns if c.key in cells)

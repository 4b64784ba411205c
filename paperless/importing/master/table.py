"""One master-data table: find its header row, then hand over each row by column key.

A master file (the org master, the device register) holds one table on some sheet,
below any title rows, with Japanese or English headers in any order and extra columns
ignored. ``read_table`` reads the file through the sandboxed reader (``files.reader``);
``find_table`` finds the header on the sheets read and maps every data row to
``(row number, {column key: raw cell})``. Every problem becomes a ``RowError`` naming
the sheet, row, column and raw value, so an import can collect them all and write
nothing. The small cell parsers below serve any master file. Pure: no ORM.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import pairwise
from pathlib import Path
from typing import BinaryIO, NamedTuple, TypeVar

from paperless.core.fiscal import ERAS, MAX_YEAR, MIN_YEAR
from paperless.importing.cells import (
    column_letter,
    is_blank,
    normalize_code,
    normalize_key,
    normalize_text,
)
from paperless.importing.files.limits import Limits
from paperless.importing.files.reader import Sheet, read_rows
from paperless.importing.issues import raw_text

T = TypeVar("T")

HEADER_SEARCH_ROWS = 20
MIN_HEADER_COLUMNS = 2  # a row naming fewer known columns is a title or a note


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # the Japanese header, named in messages
    aliases: tuple[str, ...] = ()  # other headers accepted, the English one first
    required: bool = False

    @property
    def shown(self) -> str:
        """The column as a message names it: 「種別」（または「kind」）."""
        english = f"（または「{self.aliases[0]}」）" if self.aliases else ""
        return f"「{self.label}」{english}"


@dataclass(frozen=True)
class RowError:
    """What is wrong and where: sheet, Excel row (or CSV line), column as headed, value."""

    sheet: str
    row: int | None
    column: str | None
    message: str
    value: str | None = None

    def __str__(self) -> str:
        where = self.sheet
        if self.row is not None:
            where += f" 行{self.row}"
        if self.column:
            where += f" 列「{self.column}」"
        return f"{where}: {self.message}"


class CellError(ValueError):
    """A cell a parser cannot read; ``message`` says in Japanese what to write instead."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    """The data rows of the table found and every error found in it so far."""

    sheet: str
    columns: tuple[Column, ...]
    header_row: int | None = None
    headers: dict[str, str] = field(default_factory=dict)  # column key → header as written
    rows: list[tuple[int, dict[str, object]]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def __iter__(self) -> Iterator[tuple[int, dict[str, object]]]:
        return iter(self.rows)

    def error_at(
        self, row: int | None, key: str | None, message: str, raw: object = None
    ) -> RowError:
        """An error in this table's words: the column as its header is written."""
        label = (self.headers.get(key) or self._label(key)) if key else None
        return RowError(self.sheet, row, label, message, None if raw is None else raw_text(raw))

    def report(self, row: int | None, key: str | None, message: str, raw: object = None) -> None:
        self.errors.append(self.error_at(row, key, message, raw))

    def cell(
        self,
        row: int,
        cells: Mapping[str, object],
        key: str,
        parse: Callable[[object], T | None],
        *,
        required: bool = False,
        max_length: int | None = None,
    ) -> T | None:
        """The parsed cell; None, with the error recorded, when it cannot be read.

        A blank ``required`` cell and a text longer than ``max_length`` are recorded too;
        the long text is still returned, so checks across rows still see the row's code.
        """
        raw = cells.get(key)
        try:
            value = parse(raw)
        except CellError as exc:
            self.report(row, key, exc.message, raw)
            return None
        label = self._label(key)
        if value is None and required:
            self.report(row, key, f"{label}が空です。", raw)
        elif max_length is not None and len(str(value)) > max_length:
            self.report(row, key, f"{label}「{value}」が長すぎます（{max_length}文字まで）。", raw)
        return value

    def _label(self, key: str) -> str:
        return next((c.label for c in self.columns if c.key == key), key)


def read_table(
    source: str | Path | BinaryIO,
    columns: Sequence[Column],
    *,
    filename: str,
    limits: Limits | None = None,
) -> Table:
    """The table of a file. Raises ``TableError`` when the file cannot be read at all."""
    return find_table(
        read_rows(source, filename=filename, limits=limits), columns, filename=filename
    )


class _Header(NamedTuple):
    sheet: Sheet
    row: int
    cells: Sequence[object]
    indexes: dict[str, list[int]]  # column key → every index where it is headed


def find_table(sheets: Sequence[Sheet], columns: Sequence[Column], *, filename: str) -> Table:
    """The table on the first sheet whose header row has every required column.

    A header row is the first of the first 20 rows naming at least two known columns.
    Without a complete one, the first sheet with a header row is read, so that the
    error names what is missing there.
    """
    columns = tuple(columns)
    by_key = {normalize_key(n): c for c in columns for n in (c.label, *c.aliases)}
    headers = [h for sheet in sheets if (h := _find_header(sheet, by_key)) is not None]
    required = {c.key for c in columns if c.required}
    complete = [h for h in headers if required <= h.indexes.keys()]
    if headers:
        return _read_rows((complete or headers)[0], columns)
    table = Table(sheets[0].name if sheets else filename, columns)
    names = "".join(f"「{c.label}」" for c in columns if c.required)
    table.report(
        None,
        None,
        f"見出し行が見つかりません。先頭{HEADER_SEARCH_ROWS}行のどこかに"
        f"{names}の列見出しを置いてください。",
    )
    return table


def _find_header(sheet: Sheet, by_key: Mapping[str, Column]) -> _Header | None:
    for number, cells in sheet.rows:
        if number > HEADER_SEARCH_ROWS:
            break
        indexes: dict[str, list[int]] = {}
        for index, cell in enumerate(cells):
            if column := by_key.get(normalize_key(cell)):
                indexes.setdefault(column.key, []).append(index)
        if len(indexes) >= MIN_HEADER_COLUMNS:
            return _Header(sheet, number, cells, indexes)
    return None


def _read_rows(header: _Header, columns: tuple[Column, ...]) -> Table:
    """The rows below the header, or only the errors when the header is not usable."""
    found = header.indexes
    table = Table(header.sheet.name, columns, header.row)
    table.headers = {key: normalize_text(header.cells[i[0]]) for key, i in found.items()}
    for column in columns:
        if len(indexes := found.get(column.key, [])) > 1:
            letters = "、".join(column_letter(i) for i in indexes)
            table.report(header.row, column.key, f"同じ列が複数あります（{letters}列）。")
    missing = "、".join(c.shown for c in columns if c.required and c.key not in found)
    if missing:
        table.report(header.row, None, f"必須の列{missing}が見出し行にありません。")
    if table.errors:
        return table
    index = {key: i[0] for key, i in found.items()}
    for number, cells in header.sheet.rows:
        values = {key: cells[i] if i < len(cells) else None for key, i in index.items()}
        # A row with a note only in an ignored column holds no record.
        if number > header.row and not all(is_blank(v) for v in values.values()):
            table.rows.append((number, values))
    return table


# --- cells ---------------------------------------------------------------------------


def parse_code(value: object) -> str | None:
    """A code cell: 110100, 110100.0 and "１１０１００" are "110100"; None when blank."""
    return normalize_code(value)


def parse_text(value: object) -> str | None:
    """An optional text cell, trimmed (its characters unchanged); None when blank."""
    return normalize_text(value) or None


_ERA_BY_TOKEN = {token: era for era in ERAS for token in (era.name, era.letter)}
# The day a newer era began ends the one before it (ERAS is newest first).
_ERA_END = {older.name: newer.start for newer, older in pairwise(ERAS)}
_ERA = "|".join(_ERA_BY_TOKEN)
_YEAR = rf"(?P<era>{_ERA})?(?P<year>元|\d{{1,4}})"
_DATE_FORMS = (
    re.compile(_YEAR + r"(?P<sep>[-/.])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})", re.ASCII),
    re.compile(_YEAR + r"年(?P<month>\d{1,2})月(?P<day>\d{1,2})日", re.ASCII),
)
# "2024-04-01 00:00:00" is what str() of a spreadsheet datetime looks like.
_TIME_SUFFIX = re.compile(r"[T\s]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$", re.ASCII)


def parse_date(value: object) -> date | None:
    """A day: a date cell, or text as offices write it (2024-04-01, 2024/4/1, 2024年4月1日,
    R6.4.1, 令和6年4月1日, in full-width digits too); None when blank."""
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    day = _date_from_text(value) if isinstance(value, str) else None
    if day is None:
        raise CellError(
            f"「{raw_text(value)}」を日付として読めません"
            "（2024-04-01、2024/4/1、2024年4月1日、R6.4.1 のように入力してください）。"
        )
    return day


def _date_from_text(value: str) -> date | None:
    text = _TIME_SUFFIX.sub("", unicodedata.normalize("NFKC", value).strip())
    text = re.sub(r"\s+", "", text).upper()
    match = next((m for form in _DATE_FORMS if (m := form.fullmatch(text))), None)
    if match is None:
        return None
    era = _ERA_BY_TOKEN.get(match["era"] or "")
    if era is None and match["year"] == "元":
        return None
    number = 1 if match["year"] == "元" else int(match["year"])
    year = number if era is None else era.start.year + number - 1
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        result = date(year, int(match["month"]), int(match["day"]))
    except ValueError:  # 2024/2/30
        return None
    if era is not None and not era.start <= result < _ERA_END.get(era.name, date.max):
        return None  # 平成31年5月1日 and 令和元年4月30日 do not exist
    return result

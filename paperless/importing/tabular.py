"""Read a small table (.xlsx or .csv) into plain Python rows.

This is the only module that touches a spreadsheet library. Importers get a list of
``Sheet``s whose rows are tuples of raw cell values (``None``, ``str``, ``int``,
``float``, ``bool``, ``datetime``) with their 1-based row number as the user sees it:
the Excel row number, or the CSV line on which the record starts. Blank rows are
left out (their numbers are simply missing) and trailing blank cells are trimmed.

Every problem that makes the file unreadable raises ``TableError`` with a Japanese
message for the user. The limits come from settings (``UPLOAD_MAX_BYTES``,
``UPLOAD_MAX_ROWS``, ``UPLOAD_MAX_COLUMNS``) unless a ``Limits`` is passed.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, NamedTuple

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from .cells import is_blank

# openpyxl refuses XML bombs only when defusedxml is installed (it switches silently).
if openpyxl.DEFUSEDXML is not True:
    raise ImportError("defusedxml が必要です: openpyxl が XML 爆弾を拒否できません。")

# Tried in this order. utf-8-sig also reads UTF-8 without a BOM; CP932 is Excel's
# "CSV" on Japanese Windows. UTF-8 first: a CP932 file is almost never valid UTF-8.
CSV_ENCODINGS: tuple[tuple[str, str], ...] = (
    ("utf-8-sig", "UTF-8（BOM付き・なし）"),
    ("cp932", "Shift_JIS（CP932）"),
)
XLSX_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv",)
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class TableError(Exception):
    """The file cannot be read at all; ``message`` is for the user (Japanese)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Row(NamedTuple):
    number: int  # 1-based, as shown by Excel (or the CSV line the record starts on)
    cells: tuple[object, ...]


@dataclass(frozen=True)
class Sheet:
    name: str
    rows: list[Row]


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_rows: int
    max_columns: int

    @classmethod
    def from_settings(cls) -> Limits:
        from django.conf import settings

        return cls(
            max_bytes=settings.UPLOAD_MAX_BYTES,
            max_rows=settings.UPLOAD_MAX_ROWS,
            max_columns=settings.UPLOAD_MAX_COLUMNS,
        )


def read_rows(
    source: str | Path | BinaryIO, *, filename: str, limits: Limits | None = None
) -> list[Sheet]:
    """Every worksheet of an .xlsx (one sheet, named after the file, for a .csv).

    ``source`` is a path or a binary file object (e.g. a Django ``UploadedFile``);
    ``filename`` decides the format and names the CSV's sheet.
    """
    limits = limits or Limits.from_settings()
    suffix = Path(filename).suffix.lower()
    if suffix not in XLSX_SUFFIXES + CSV_SUFFIXES:
        raise TableError(
            f"「{filename}」は読めない形式です。Excel（.xlsx）か CSV（.csv）で保存してください。"
        )
    data = _read_bytes(source, filename=filename, max_bytes=limits.max_bytes)
    if suffix in CSV_SUFFIXES:
        return [_read_csv(data, filename=filename, limits=limits)]
    return _read_xlsx(data, filename=filename, limits=limits)


def _read_bytes(source: str | Path | BinaryIO, *, filename: str, max_bytes: int) -> bytes:
    try:
        if isinstance(source, str | Path):
            path = Path(source)
            if path.stat().st_size > max_bytes:
                raise _too_large(filename, max_bytes)
            with path.open("rb") as handle:
                data = handle.read(max_bytes + 1)
        else:
            data = source.read(max_bytes + 1)
    except FileNotFoundError:
        raise TableError(f"ファイル「{filename}」が見つかりません。") from None
    except OSError as exc:
        raise TableError(f"ファイル「{filename}」を開けません（{exc.strerror or exc}）。") from None
    # Checked again after reading: a file object has no size we can trust beforehand.
    if len(data) > max_bytes:
        raise _too_large(filename, max_bytes)
    return data


def _too_large(filename: str, max_bytes: int) -> TableError:
    return TableError(
        f"ファイル「{filename}」が大きすぎます（上限 {max_bytes / 1024 / 1024:g} MB）。"
    )


def _trim(cells: Iterable[object]) -> tuple[object, ...]:
    """The cells without trailing blanks (styled empty cells, stray separators)."""
    values = list(cells)
    while values and is_blank(values[-1]):
        values.pop()
    return tuple(values)


def _collect(
    sheet_name: str, numbered: Iterator[tuple[int, Iterable[object]]], limits: Limits
) -> Sheet:
    rows: list[Row] = []
    for number, cells in numbered:
        if number > limits.max_rows:
            raise TableError(
                f"シート「{sheet_name}」の行数が上限（{limits.max_rows:,}行）を超えています。"
            )
        values = _trim(cells)
        if len(values) > limits.max_columns:
            raise TableError(
                f"シート「{sheet_name}」の行{number}の列数が上限"
                f"（{limits.max_columns:,}列）を超えています。"
            )
        if not all(is_blank(v) for v in values):
            rows.append(Row(number, values))
    return Sheet(sheet_name, rows)


def _read_csv(data: bytes, *, filename: str, limits: Limits) -> Sheet:
    text = _decode(data, filename=filename)

    def numbered() -> Iterator[tuple[int, list[str]]]:
        reader = csv.reader(io.StringIO(text, newline=""))
        start = 1
        for record in reader:
            yield start, record
            start = reader.line_num + 1

    try:
        return _collect(filename, numbered(), limits)
    except csv.Error as exc:
        raise TableError(f"CSV「{filename}」を読めません（{exc}）。") from None


def _decode(data: bytes, *, filename: str) -> str:
    for encoding, _label in CSV_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    tried = "、".join(label for _encoding, label in CSV_ENCODINGS)
    raise TableError(f"CSV「{filename}」の文字コードを判別できません（{tried} を試しました）。")


def _read_xlsx(data: bytes, *, filename: str, limits: Limits) -> list[Sheet]:
    if data.startswith(_OLE_MAGIC):
        raise TableError(
            f"「{filename}」はパスワード付きの Excel ファイルか、古い形式（.xls）です。"
            "パスワードを外し、.xlsx 形式で保存し直してください。"
        )
    if not data.startswith(_ZIP_MAGIC):
        raise TableError(f"「{filename}」は Excel（.xlsx）ファイルではありません。")
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        raise TableError(f"Excel ファイル「{filename}」を読めません（{exc}）。") from None
    try:
        sheets = []
        for worksheet in workbook.worksheets:
            # The stored dimensions can lie; without them rows are not padded to them.
            worksheet.reset_dimensions()
            rows = worksheet.iter_rows(min_row=1, values_only=True)
            sheets.append(_collect(worksheet.title, enumerate(rows, start=1), limits))
        return sheets
    except TableError:
        raise
    except Exception as exc:  # a damaged sheet fails while it is parsed
        raise TableError(f"Excel ファイル「{filename}」を読めません（{exc}）。") from None
    finally:
        workbook.close()

"""Read a spreadsheet's bytes into plain rows: the only place a spreadsheet library reads.

``read_sheets`` runs the checks of ``safety`` first, then python-calamine (.xlsx,
.xlsm, .xls: values only, macros are never run, formulas give their cached value) or
the csv module (UTF-8 with or without BOM, CP932, UTF-16 "Unicode text"). Each sheet's
non-blank rows come as ``Row(number, cells)``: the Excel row number (for CSV the line
on which the record starts) and the raw cells ("" or None when empty, str, float,
bool, date or datetime), trailing blanks trimmed.

``read_rows`` is the same behind a resource-limited child process (see ``sandbox``):
what the importers call with untrusted files. Pure: no Django.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, NamedTuple, TypeVar

import python_calamine

from paperless.importing.files import sandbox
from paperless.importing.files.biff import check_xls, unreadable
from paperless.importing.files.limits import Limits, TableError, column_letters, too_large
from paperless.importing.files.safety import check_xlsx, sniff

T = TypeVar("T")

# Tried in this order. utf-8-sig also reads UTF-8 without a BOM; CP932 is Excel's
# "CSV" on Japanese Windows. UTF-8 first: a CP932 file is almost never valid UTF-8.
CSV_ENCODINGS: tuple[tuple[str, str], ...] = (
    ("utf-8-sig", "UTF-8（BOM付き・なし）"),
    ("cp932", "Shift_JIS（CP932）"),
)
_CSV_FIELD_LIMIT = 32_767  # Excel's own limit for one cell


class Row(NamedTuple):
    number: int  # 1-based, as shown by Excel (or the CSV line the record starts on)
    cells: Sequence[object]


@dataclass(frozen=True)
class Sheet:
    """A worksheet's rows as ``(number, cells)`` pairs in order.

    From a workbook every row of the grid is there, blank ones included, each as
    wide as the sheet ("" for an empty cell); from a CSV only the non-blank records,
    trimmed. Either way an importer reads only the columns it wants.
    """

    name: str
    rows: Sequence[tuple[int, Sequence[object]]]
    is_csv: bool = False

    def non_blank(self) -> list[Row]:
        """The rows that hold anything, trailing blank cells trimmed, empty cells None."""
        found = []
        for number, cells in self.rows:
            values = _trimmed(cells)
            if values is not None:
                found.append(Row(number, tuple(None if v == "" else v for v in values)))
        return found


def _blank(value: object) -> bool:
    return value is None or value == "" or (isinstance(value, str) and not value.strip())


def _trimmed(cells: Sequence[object]) -> tuple[object, ...] | None:
    """The cells without trailing blanks; None for a blank row."""
    end = len(cells)
    while end and _blank(cells[end - 1]):
        end -= 1
    return tuple(cells[:end]) if end else None


# --- the whole file, in this process ----------------------------------------------------


def read_sheets(data: bytes, *, filename: str, limits: Limits) -> list[Sheet]:
    """Every worksheet with its non-blank rows, after the safety checks."""
    return list(iter_sheets(data, filename=filename, limits=limits))


def iter_sheets(data: bytes, *, filename: str, limits: Limits) -> Iterator[Sheet]:
    """Worksheets one at a time (a reader that stops early loads no more of them)."""
    if len(data) > limits.max_bytes:
        raise too_large(filename, limits.max_bytes)
    kind = sniff(data, filename)
    if kind == "csv":
        yield read_csv(data, filename=filename, limits=limits)
        return
    if kind == "xlsx":
        check_xlsx(data, filename, limits)
    else:
        check_xls(data, filename, limits)
    yield from _read_workbook(data, filename=filename, limits=limits, kind=kind)


def _workbook_error(filename: str, kind: str, exc: BaseException) -> TableError:
    """The reader's refusal in the user's words; its own error goes to the log."""
    text = str(exc)
    detail = f"python-calamine: {type(exc).__name__}: {text}"[:500]
    if "password" in text.lower() or "encrypt" in text.lower():
        return TableError(
            "encrypted_file",
            f"「{filename}」はパスワードで保護されています。パスワードを解除して保存し直して"
            "ください。",
            detail,
        )
    if kind == "xls":
        error = unreadable(filename)
        return TableError(error.code, error.message, detail)
    return TableError(
        "corrupt_file",
        f"Excel ファイル「{filename}」を読めません（ファイルが壊れています）。"
        "Excel で開けるか確かめ、保存し直してからアップロードしてください。",
        detail,
    )


def _read_workbook(data: bytes, *, filename: str, limits: Limits, kind: str) -> Iterator[Sheet]:
    # pyo3 turns a Rust panic into PanicException, a BaseException: catch it too.
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        metadata = list(workbook.sheets_metadata)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:
        raise _workbook_error(filename, kind, exc) from None
    # Visible worksheets first: a hidden sheet usually holds lists for the visible one.
    order = sorted(
        (i for i, m in enumerate(metadata) if str(m.typ).endswith("WorkSheet")),
        key=lambda i: not str(metadata[i].visible).endswith(".Visible"),
    )
    for index in order:
        yield _read_sheet(workbook, index, metadata[index].name, filename, limits, kind)


def _read_sheet(
    workbook: python_calamine.CalamineWorkbook,
    index: int,
    name: str,
    filename: str,
    limits: Limits,
    kind: str,
) -> Sheet:
    try:
        sheet = workbook.get_sheet_by_index(index)
        last_row, last_col = sheet.end if sheet.height else (-1, -1)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:
        raise _workbook_error(filename, kind, exc) from None
    rows, cols = last_row + 1, last_col + 1
    # Checked again here for .xls, whose grid is not inspected before reading.
    sheet_name = f"「{filename}」のシート「{name}」"
    far = f"セル {column_letters(cols)}{rows} まで使われています"
    if rows > limits.max_rows:
        raise TableError(
            "too_many_rows",
            f"{sheet_name}の行数が上限（{limits.max_rows:,}行）を超えています（{far}）。"
            "不要な行を削除するか、ファイルを分けてください。",
        )
    if cols > limits.max_columns:
        raise TableError(
            "too_many_columns",
            f"{sheet_name}の列数が上限（{limits.max_columns:,}列）を超えています（{far}）。"
            "不要な列を削除してください。",
        )
    if rows * cols > limits.max_cells:
        raise TableError(
            "too_many_cells",
            f"{sheet_name}は{far}。セルの数の上限は {limits.max_cells:,}個です。"
            "離れた場所にある不要なセルや列を削除してください。",
        )
    try:
        grid = sheet.to_python(skip_empty_area=False) if rows else []
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:
        raise _workbook_error(filename, kind, exc) from None
    return Sheet(name, list(zip(range(1, len(grid) + 1), grid, strict=True)))


# --- CSV ------------------------------------------------------------------------------


def decode_text(data: bytes, *, filename: str) -> tuple[str, str]:
    """The text of a CSV and its delimiter guess's hint ("\\t" for UTF-16 text)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            # Excel's "Unicode text" export: UTF-16 with tabs between fields.
            return data.decode("utf-16"), "\t"
        except UnicodeDecodeError:
            pass
    for encoding, _label in CSV_ENCODINGS:
        try:
            return data.decode(encoding), ","
        except UnicodeDecodeError:
            continue
    tried = "、".join(label for _encoding, label in CSV_ENCODINGS)
    raise TableError(
        "not_a_spreadsheet",
        f"CSV「{filename}」の文字コードを判別できません（{tried} を試しました）。"
        "Excel で「CSV UTF-8（コンマ区切り）」として保存し直してください。",
    )


def _delimiter(text: str, hint: str) -> str:
    head = "\n".join(line for line in text[:8192].splitlines()[:20] if line.strip())
    counts = {d: head.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > counts.get(hint, 0) else hint


def read_csv(data: bytes, *, filename: str, limits: Limits) -> Sheet:
    text, hint = decode_text(data, filename=filename)
    if "\0" in text:
        raise TableError(
            "not_a_spreadsheet",
            f"「{filename}」には文字でないデータ（NUL）が含まれており、CSV として読めません。"
            "Excel で「CSV UTF-8（コンマ区切り）」として保存し直してください。",
        )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text, hint))
    rows: list[Row] = []
    start = 1
    previous = csv.field_size_limit(_CSV_FIELD_LIMIT)
    try:
        for record in reader:
            if start > limits.max_rows:
                raise TableError(
                    "too_many_rows",
                    f"CSV「{filename}」の行数が上限（{limits.max_rows:,}行）を超えています。"
                    "ファイルを分けてください。",
                )
            values = _trimmed(record)
            if values is not None:
                if len(values) > limits.max_columns:
                    raise TableError(
                        "too_many_columns",
                        f"CSV「{filename}」の行{start}の列数が上限"
                        f"（{limits.max_columns:,}列）を超えています。",
                    )
                rows.append(Row(start, values))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise TableError(
            "corrupt_file", f"CSV「{filename}」の行{start}を読めません（{exc}）。"
        ) from None
    finally:
        csv.field_size_limit(previous)
    return Sheet(filename, rows, is_csv=True)


# --- untrusted input: in a child process ---------------------------------------------------


def load_bytes(source: str | Path | BinaryIO, *, filename: str, max_bytes: int) -> bytes:
    """The file's bytes, refusing anything above ``max_bytes`` before reading it all."""
    try:
        if isinstance(source, str | Path):
            path = Path(source)
            if path.stat().st_size > max_bytes:
                raise too_large(filename, max_bytes)
            with path.open("rb") as handle:
                data = handle.read(max_bytes + 1)
        else:
            data = source.read(max_bytes + 1)
    except FileNotFoundError:
        raise TableError("not_a_spreadsheet", f"ファイル「{filename}」が見つかりません。") from None
    except IsADirectoryError:
        raise TableError("not_a_spreadsheet", f"「{filename}」はフォルダです。") from None
    except OSError as exc:
        raise TableError(
            "not_a_spreadsheet", f"ファイル「{filename}」を開けません（{exc.strerror or exc}）。"
        ) from None
    # Checked again after reading: a file object has no size we can trust beforehand.
    if len(data) > max_bytes:
        raise too_large(filename, max_bytes)
    return data


def run_reader(
    function: Callable[..., T], data: bytes, *, filename: str, limits: Limits, isolate: bool = True
) -> T:
    """``function(data, filename=..., limits=...)`` in a limited child process."""
    if not isolate:
        return function(data, filename=filename, limits=limits)
    return sandbox.run(
        function,
        data,
        filename=filename,
        limits=limits,
    )


def read_rows(
    source: str | Path | BinaryIO,
    *,
    filename: str,
    limits: Limits | None = None,
    isolate: bool = True,
) -> list[Sheet]:
    """Every worksheet of a file from a path or file object, read in a child process,
    with only its non-blank rows (the shape the org master import reads)."""
    limits = limits or Limits.from_settings()
    data = load_bytes(source, filename=filename, max_bytes=limits.max_bytes)
    return run_reader(_non_blank_sheets, data, filename=filename, limits=limits, isolate=isolate)


def _non_blank_sheets(data: bytes, *, filename: str, limits: Limits) -> list[Sheet]:
    sheets = iter_sheets(data, filename=filename, limits=limits)
    return [Sheet(s.name, s.non_blank(), s.is_csv) for s in sheets]

"""Where a sheet's farthest value cell is, read from its XML in chunks.

python-calamine allocates a sheet's whole grid up to its farthest value cell (and
aborts the process when that fails), so ``safety`` asks this scanner first. Pure.
"""

from __future__ import annotations

import re

from paperless.importing.files.limits import Limits, TableError, column_letters, column_number

# Two passes with one group each: cheaper than one pass that makes a tuple per cell.
_CELL_COLUMN = re.compile(rb'<c r="([A-Z]{1,4})[0-9]')
_CELL_ROW = re.compile(rb'<c r="[A-Z]{1,4}([0-9]{1,9})"')
_PREFIXED_SHEET = re.compile(rb"<[A-Za-z_][\w.-]*:sheetData\b")
_ANY_TAG = re.compile(rb"<(/?)(?:[A-Za-z_][\w.-]*:)?(row|c)\b([^>]*?)(/?)>")
_R_ATTR = re.compile(rb'\br="([A-Z]{0,4})([0-9]{0,9})"')


class CellScan:
    """The farthest value cell of one sheet's XML, fed in chunks.

    Fast path: every cell written as ``<c r="A1" ...>`` (Excel, LibreOffice, openpyxl
    and xlsxwriter all write the reference first), empty ones included. Anything else
    (no reference, another attribute first, a namespace prefix, CDATA), or a sheet
    that seems over a limit, is scanned again exactly: rows and cells positioned the
    way a reader positions them, empty cells (which readers skip) left out.
    """

    def __init__(self, label: str, *, exact: bool, max_columns: int = 0) -> None:
        self.label = label
        self.exact = exact
        self.max_columns = max_columns
        self.wide_row = 0  # exact scan: the first row with a value past max_columns
        self.needs_exact = False
        self.seen_sheet = False
        self.max_row = 0
        self.max_col = 0
        self.far_ref = ""
        self._row = 0
        self._col = 0

    def feed(self, chunk: bytes) -> None:
        if not self.seen_sheet:
            if b"sheetData" not in chunk:
                return
            self.seen_sheet = True
        if self.exact:
            self._exact(chunk)
            return
        # Empty styled cells count here too; a sheet over a limit is rescanned exactly.
        columns = _CELL_COLUMN.findall(chunk)
        rows = _CELL_ROW.findall(chunk)
        tags = chunk.count(b"<c ") + chunk.count(b"<c>")
        odd = b"CDATA" in chunk or (b":sheetData" in chunk and _PREFIXED_SHEET.search(chunk))
        if not tags == len(columns) == len(rows) or odd:
            self.needs_exact = True
            return
        if columns:
            far_col = max(set(columns), key=lambda c: (len(c), c))
            self._note(column_number(far_col.decode()), max(map(int, set(rows))))

    def over(self, limits: Limits) -> bool:
        return (
            self.max_row > limits.max_rows
            or self.max_col > limits.max_columns
            or self.max_row * self.max_col > limits.max_cells
        )

    def _exact(self, chunk: bytes) -> None:
        for match in _ANY_TAG.finditer(chunk):
            closing, tag, attrs, empty = match.groups()
            if closing:
                continue
            ref = _R_ATTR.search(attrs)
            if tag == b"row":
                self._row = int(ref[2]) if ref and ref[2] else self._row + 1
                self._col = 0
                continue
            if ref and ref[1]:
                self._col = column_number(ref[1].decode())
                if ref[2]:
                    self._row = int(ref[2])
            else:
                self._col += 1
            if not empty:
                self._note(self._col, max(self._row, 1))
                if self.max_columns and self._col > self.max_columns and not self.wide_row:
                    self.wide_row = max(self._row, 1)

    def _note(self, col: int, row: int) -> None:
        if row > self.max_row or col > self.max_col:
            self.far_ref = f"{column_letters(max(col, self.max_col))}{max(row, self.max_row)}"
        self.max_row = max(self.max_row, row)
        self.max_col = max(self.max_col, col)

    def check(self, filename: str, limits: Limits) -> None:
        sheet = f"「{filename}」のシート「{self.label}」"
        far = f"セル {self.far_ref} まで使われています"
        if self.max_row > limits.max_rows:
            raise TableError(
                "too_many_rows",
                f"{sheet}の行数が上限（{limits.max_rows:,}行）を超えています（{far}）。"
                "不要な行を削除するか、ファイルを分けてください。",
            )
        if self.max_col > limits.max_columns:
            raise TableError(
                "too_many_columns",
                f"{sheet}の行{self.wide_row or self.max_row}の列数が上限"
                f"（{limits.max_columns:,}列）を超えています。{far}。不要な列を削除してください。",
            )
        if self.max_row * self.max_col > limits.max_cells:
            raise TableError(
                "too_many_cells",
                f"{sheet}は{far}（{self.max_row:,}行 × {self.max_col:,}列）。セルの数の上限は"
                f" {limits.max_cells:,}個です。離れた場所にある不要なセルや列を削除してください。",
            )

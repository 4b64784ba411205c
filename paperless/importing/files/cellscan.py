"""What one XML part of a workbook will make a reader allocate, read from it in chunks.

python-calamine allocates a sheet's whole grid up to its farthest value cell (and aborts
the process when that fails), and reserves room for as many shared strings as
``<sst uniqueCount>`` declares. So ``safety`` asks this scanner first, for every part a
reader may open. Pure.

Two ways to read a part:

* fast: byte patterns, for parts whose every cell tag is written the plain way
  (``<c r="A1" s="1" t="n">``: Excel, LibreOffice, openpyxl and xlsxwriter). It trusts
  nothing it did not parse: a cell tag spelled any other way (any whitespace after the
  name, a namespace prefix, no reference first) or one whose attributes are not all
  plain makes the whole part read exactly instead;
* exact: an XML parser (expat, with DOCTYPE and entity declarations refused as in
  defusedxml), so whitespace, quotes, entities, ``>`` inside a value and tags across
  chunk boundaries read as any XML reader reads them. Cells are positioned the way
  python-calamine positions them (a reference sets the column, a cell without one takes
  the next column of its row, a row without a number follows the previous one), value
  cells only; anything python-calamine would refuse to read is allowed to be wrong
  here only on the side of a larger grid.
"""

from __future__ import annotations

import re
from xml.parsers import expat

from paperless.importing.files.limits import (
    Limits,
    TableError,
    column_letters,
    column_number,
    grid_error,
)

# A cell tag spelled any other way than "<c r=\"", and one with a namespace prefix (the
# name and the character after it are never cut apart: each chunk ends with a ">").
_ODD_CELL = re.compile(rb'<c(?! r=")[\s/>]')
_PREFIXED_CELL = re.compile(rb"<[^\s<>/!?:]+:c[\s/>]")
# The plain spelling, whole tag: the reference first and only plain attributes after it.
_CELL_COLUMN = re.compile(rb'<c r="([A-Z]{1,3})[1-9][0-9]{0,6}"(?: (?:s|t|cm|vm|ph)="[^"<>]*")*/?>')
# Once every "<c r=\"" is known to be a plain tag, its row is read with a shorter pattern
# (two passes with one group each: cheaper than one pass that makes a tuple per cell).
_CELL_ROW = re.compile(rb'<c r="[A-Z]{1,3}([1-9][0-9]{0,6})"')
_ANY_SST = re.compile(rb"<(?:[^\s<>/!?:]+:)?sst[\s/>]")
_PLAIN_SST = re.compile(rb'<sst((?: [\w:.-]+="[^"<>]*")*)/?>')
_PLAIN_ATTRIBUTE = re.compile(rb' ([\w:.-]+)="([^"<>]*)"')
_DIMENSION = re.compile(rb'<dimension ref="[A-Z]{0,3}[0-9]{0,9}:?([A-Z]{1,3})([0-9]{1,9})"')
# A reference as python-calamine reads it (letters, then digits; any case). "$" and
# surrounding spaces, which it refuses, are read here as if absent.
_REFERENCE = re.compile(r"\$?([A-Za-z]++)\$?([0-9]++)")
_TRAILING_NUMBER = re.compile(r"(?<![0-9])([0-9]++)$")
_SIZE = re.compile(r"\+?([0-9]++)")
# Longer numbers and column names are beyond any limit; they are not converted.
_MAX_DIGITS, _MAX_LETTERS = 15, 8
_HUGE = 10**_MAX_DIGITS
# Declared sizes a reader reserves memory for, by the local name of the attribute.
_STRING_COUNTS = ("uniqueCount", "count")


def _number(digits: str) -> int:
    digits = digits.lstrip("0")
    return int(digits or "0") if len(digits) <= _MAX_DIGITS else _HUGE


def _column(letters: str) -> int:
    return column_number(letters.upper()) if len(letters) <= _MAX_LETTERS else _HUGE


def _local(name: str) -> str:
    # The local name as python-calamine compares it: after the first colon.
    return name.split(":", 1)[-1]


class CellScan:
    """The farthest value cell and the declared sizes of one XML part, fed in chunks."""

    def __init__(self, label: str, *, exact: bool, limits: Limits, part: str = "") -> None:
        self.label = label
        self.part = part or label
        self.exact = exact
        self.limits = limits
        self.wide_row = 0  # exact scan: the first row with a value past max_columns
        self.needs_exact = False
        self.seen_sheet = False
        self.max_row = 0
        self.max_col = 0
        self.far_ref = ""
        self.declared_strings = 0  # the largest count an <sst> declares
        self.declared_attribute = ""
        self._row = 1  # the row a cell without a reference is in (1-based)
        self._ref_row = 0  # the row of the last reference, for readers that follow it
        self._next_col = 1
        self._pending: tuple[int, int] | None = None  # an open cell, until it has content
        self._parser = self._xml_parser() if exact else None

    # --- fast ---------------------------------------------------------------------------

    def feed(self, chunk: bytes) -> None:
        if self._parser is not None:
            self._parse(chunk)
            return
        if b"sst" in chunk:
            self._fast_strings(chunk)
        if not self.seen_sheet:
            if b"<dimension" in chunk:
                self._fast_dimension(chunk)
            if b"sheetData" not in chunk:
                return
            self.seen_sheet = True
        # Every cell tag must be a plain one, or the part is read exactly.
        odd = _ODD_CELL.search(chunk) or (b":c" in chunk and _PREFIXED_CELL.search(chunk))
        columns = [] if odd else _CELL_COLUMN.findall(chunk)
        if odd or len(columns) != chunk.count(b'<c r="'):
            self.needs_exact = True
            return
        # Empty styled cells count here too; a sheet over a limit is rescanned exactly.
        rows = _CELL_ROW.findall(chunk)
        if columns:
            far_col = max(set(columns), key=lambda c: (len(c), c))
            self._note(column_number(far_col.decode()), max(map(int, set(rows))))

    def _fast_strings(self, chunk: bytes) -> None:
        tags = _PLAIN_SST.findall(chunk)
        if len(_ANY_SST.findall(chunk)) != len(tags):
            self.needs_exact = True
            return
        for attributes in tags:
            for name, value in _PLAIN_ATTRIBUTE.findall(attributes):
                self._declared(name.decode("ascii"), value.decode("ascii", "replace"))

    def _fast_dimension(self, chunk: bytes) -> None:
        # What a sheet says about itself costs nothing by itself (readers cap what they
        # reserve for it), but one that claims more than the limits is read exactly.
        found = _DIMENSION.search(chunk)
        if found:
            rows, cols = int(found[2]), column_number(found[1].decode())
            if grid_error("", rows, cols, self.limits, far="") is not None:
                self.needs_exact = True

    # --- exact --------------------------------------------------------------------------

    def _xml_parser(self):
        parser = expat.ParserCreate()
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.StartDoctypeDeclHandler = self._declaration
        parser.EntityDeclHandler = self._declaration
        parser.UnparsedEntityDeclHandler = self._declaration
        parser.ExternalEntityRefHandler = self._declaration
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        return parser

    def _declaration(self, *args) -> None:
        raise XMLDeclaration

    def _parse(self, chunk: bytes, final: bool = False) -> None:
        try:
            self._parser.Parse(chunk, final)
        except expat.ExpatError as exc:
            raise BrokenXML(exc.lineno, expat.ErrorString(exc.code)) from None

    def finish(self) -> None:
        """The end of the part: an exact scan checks that the XML ended well-formed."""
        if self._parser is not None:
            self._parse(b"", final=True)
            self._parser = None

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        if self._pending is not None:  # a child (<v>, <is>, <f>) makes it a value cell
            self._note(*self._pending)
            self._pending = None
        local = _local(name)
        if local == "c":
            self._cell(attributes.get("r"))
        elif local == "row":
            number = _TRAILING_NUMBER.search(attributes.get("r", "").strip())
            if number:
                self._row = _number(number[1])
        elif local == "sheetData":
            self.seen_sheet = True
        elif local == "sst":
            for key, value in attributes.items():
                self._declared(key, value)

    def _end(self, name: str) -> None:
        local = _local(name)
        if local == "c":
            self._pending = None  # no content: an empty (styled) cell, which readers skip
        elif local == "row":
            self._row += 1
            self._next_col = 1

    def _cell(self, reference: str | None) -> None:
        found = _REFERENCE.fullmatch(reference.strip()) if reference is not None else None
        if found:
            col, row = _column(found[1]), _number(found[2])
            self._ref_row = row
        else:
            # python-calamine keeps the row element's number; older readers kept the
            # last reference's row: the larger of the two is the safe side.
            col, row = self._next_col, max(self._row, self._ref_row)
        self._next_col = col + 1
        self._pending = (col, max(row, 1))

    # --- both ---------------------------------------------------------------------------

    def _declared(self, name: str, value: str) -> None:
        if _local(name) not in _STRING_COUNTS:
            return
        size = _SIZE.fullmatch(value.strip())
        if size and _number(size[1]) > self.declared_strings:
            self.declared_strings = _number(size[1])
            self.declared_attribute = _local(name)

    def _note(self, col: int, row: int) -> None:
        if row > self.max_row or col > self.max_col:
            self.far_ref = f"{column_letters(max(col, self.max_col))}{max(row, self.max_row)}"
        self.max_row = max(self.max_row, row)
        self.max_col = max(self.max_col, col)
        if self.exact and col > self.limits.max_columns and not self.wide_row:
            self.wide_row = row

    def over(self) -> bool:
        return grid_error("", self.max_row, self.max_col, self.limits, far="") is not None

    def check(self, filename: str) -> None:
        """Refuse the part when what it declares or holds is over the limits."""
        limits = self.limits
        if self.declared_strings > limits.max_cells:
            raise TableError(
                "too_many_cells",
                f"「{filename}」の共有文字列の部品（{self.part}）が文字列の数を"
                f" {self.declared_strings:,}個と宣言しています（{self.declared_attribute}、"
                f"上限 {limits.max_cells:,}個）。Excel で開いて保存し直してください。",
            )
        if not self.seen_sheet:
            return
        error = grid_error(
            f"「{filename}」のシート「{self.label}」",
            self.max_row,
            self.max_col,
            limits,
            far=f"セル {self.far_ref} まで使われています",
            wide_row=self.wide_row,
        )
        if error is not None:
            raise error


class XMLDeclaration(Exception):
    """A DOCTYPE or an entity declaration, met by the exact scan."""


class BrokenXML(Exception):
    """The part is not well-formed XML (the exact scan reads only well-formed parts)."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason

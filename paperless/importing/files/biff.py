"""What a legacy .xls workbook declares and holds, read before a reader allocates for it.

python-calamine reads an .xls whole when it opens it. On the way it reserves memory for
the Workbook stream as large as the compound file's directory says, for as many shared
strings as the SST record says, and for each sheet's cells as its DIMENSIONS record says
(rows x columns); then it builds each sheet's grid up to its farthest cell. A few bytes
can claim any of these as billions. So this module reads the compound file (OLE / CFB)
with the standard library, walks the BIFF records of the Workbook stream, and refuses,
naming the sheet and what it claims, anything over the limits. Pure.
"""

from __future__ import annotations

import struct

from paperless.importing.files.limits import (
    Limits,
    TableError,
    column_letters,
    grid_error,
)

_HEADER = struct.Struct("<8s16sHHHHH6sIIIIIIIII")
_ENTRY = 128
_END, _FREE = 0xFFFFFFFE, 0xFFFFFFFF
_MINI_CUTOFF = 4096
_MINI_SECTOR = 64
_STORAGE_STREAM, _STORAGE_ROOT = 2, 5
_WORKBOOK_STREAMS = ("workbook", "book")
_BOF, _EOF, _BOUNDSHEET, _SST, _FILEPASS, _DIMENSIONS = 0x0809, 0x000A, 0x0085, 0x00FC, 0x2F, 0x200
# Records that put a value in a cell: (row, column) first. MULRK names its last column
# at its end. Blank cells (BLANK, MULBLANK) are not read into the grid.
_CELLS = frozenset({0x0203, 0x0204, 0x0205, 0x027E, 0x00FD, 0x0006, 0x00D6})
_MULRK = 0x00BD


def unreadable(filename: str) -> TableError:
    """The refusal of an .xls that cannot be read, as the reader words it too."""
    return TableError(
        "corrupt_file",
        f"「{filename}」を古い形式の Excel（.xls）として読めません。パスワード付きの"
        "ファイルならパスワードを外し、「Excel ブック（.xlsx）」として保存し直して"
        "ください。",
    )


class _Broken(Exception):
    """The compound file's structure does not hold together."""


def check_xls(data: bytes, filename: str, limits: Limits) -> None:
    """Refuse an .xls whose declared or real sizes are over the limits."""
    try:
        streams = _workbook_streams(data, filename)
        for stream in streams:
            _check_workbook(stream, filename, limits)
    except _Broken:
        raise unreadable(filename) from None


# --- the compound file ------------------------------------------------------------------


class _Container:
    def __init__(self, data: bytes, filename: str) -> None:
        if len(data) < 512:
            raise _Broken
        fields = _HEADER.unpack_from(data)
        major, shift, mini_shift = fields[3], fields[5], fields[6]
        if shift not in (9, 12) or mini_shift != 6 or major not in (3, 4):
            raise _Broken
        self.data = data
        self.filename = filename
        self.size = 1 << shift
        self.v4 = major == 4
        self.sectors = max(len(data) // self.size - 1, 0)
        (dir_sectors, fat_sectors, self.dir_start, _sig) = fields[8:12]
        (_cutoff, self.minifat_start, minifat_sectors) = fields[12:15]
        (difat_start, difat_sectors) = fields[15:17]
        # Every count of sectors a reader trusts must fit in the file itself.
        for count in (dir_sectors, fat_sectors, minifat_sectors, difat_sectors):
            if count > self.sectors + 1:
                raise self._declared("管理領域（FAT・ディレクトリ）の大きさ", count * self.size)
        self.fat = self._fat(data, fat_sectors, difat_start)

    def _declared(self, what: str, size: int) -> TableError:
        return TableError(
            "corrupt_file",
            f"「{self.filename}」（古い形式の Excel）の中で、{what}が {size:,}バイトと"
            f"宣言されていますが、ファイルは {len(self.data):,}バイトしかありません。"
            "ファイルが壊れているか、Excel が作ったファイルではありません。",
        )

    def sector(self, number: int) -> bytes:
        if number >= self.sectors:
            raise _Broken
        start = (number + 1) * self.size
        return self.data[start : start + self.size]

    def _fat(self, data: bytes, fat_sectors: int, difat_start: int) -> list[int]:
        ids = list(struct.unpack_from("<109I", data, 76))
        seen = 0
        sector = difat_start
        while sector not in (_END, _FREE):
            seen += 1
            if seen > self.sectors:
                raise _Broken
            entries = struct.unpack(f"<{self.size // 4}I", self.sector(sector))
            ids.extend(entries[:-1])
            sector = entries[-1]
        fat: list[int] = []
        for sector in ids[:fat_sectors]:
            if sector in (_END, _FREE):
                continue
            fat.extend(struct.unpack(f"<{self.size // 4}I", self.sector(sector)))
        return fat

    def chain(self, start: int, fat: list[int], limit: int) -> list[int]:
        """The sectors from ``start`` to the end of the chain (a loop or a bad link breaks)."""
        found: list[int] = []
        sector = start
        while sector != _END:
            if sector >= len(fat) or len(found) > limit:
                raise _Broken
            found.append(sector)
            sector = fat[sector]
        return found

    def entries(self) -> list[tuple[str, int, int, int]]:
        """(name, type, first sector, size) of every directory entry."""
        found = []
        for sector in self.chain(self.dir_start, self.fat, self.sectors):
            block = self.sector(sector)
            for offset in range(0, len(block) - _ENTRY + 1, _ENTRY):
                entry = block[offset : offset + _ENTRY]
                length = min(struct.unpack_from("<H", entry, 64)[0], 64)
                name = entry[:length].decode("utf-16-le", "replace").rstrip("\0")
                kind, start = entry[66], struct.unpack_from("<I", entry, 116)[0]
                size = struct.unpack_from("<Q" if self.v4 else "<I", entry, 120)[0]
                found.append((name, kind, start, size))
        return found

    def stream(self, start: int, size: int, root: tuple[int, int]) -> bytes:
        if size < _MINI_CUTOFF:  # as readers do, whatever the header says
            mini = b"".join(self.sector(s) for s in self.chain(root[0], self.fat, self.sectors))[
                : root[1]
            ]
            minifat_chain = self.chain(self.minifat_start, self.fat, self.sectors)
            minifat: list[int] = []
            for sector in minifat_chain:
                minifat.extend(struct.unpack(f"<{self.size // 4}I", self.sector(sector)))
            pieces = self.chain(start, minifat, len(mini) // _MINI_SECTOR)
            body = b"".join(mini[p * _MINI_SECTOR : (p + 1) * _MINI_SECTOR] for p in pieces)
        else:
            body = b"".join(self.sector(s) for s in self.chain(start, self.fat, self.sectors))
        return body[:size]


def _workbook_streams(data: bytes, filename: str) -> list[bytes]:
    container = _Container(data, filename)
    entries = container.entries()
    if not entries or entries[0][1] != _STORAGE_ROOT:
        raise _Broken
    root = (entries[0][2], entries[0][3])
    streams = []
    for name, kind, start, size in entries:
        if kind not in (_STORAGE_STREAM, _STORAGE_ROOT):
            continue
        if size > len(data):
            # A reader reserves the declared size before it reads a byte.
            raise container._declared(f"部品「{name}」の大きさ", size)
        if kind == _STORAGE_STREAM and name.lower() in _WORKBOOK_STREAMS:
            streams.append(container.stream(start, size, root))
    return streams


# --- the BIFF records of the Workbook stream -------------------------------------------


def _records(stream: bytes, start: int):
    """(type, payload) of each record from ``start`` to the end of the substream."""
    offset = start
    while offset + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, offset)
        payload = stream[offset + 4 : offset + 4 + length]
        offset += 4 + length
        yield kind, payload
        if kind == _EOF:
            return


def _sheet_name(payload: bytes, biff8: bool) -> str:
    if len(payload) < 8:
        return ""
    count = payload[6]
    if not biff8:
        return payload[7 : 7 + count].decode("cp932", "replace")
    if payload[7] & 1:
        return payload[8 : 8 + 2 * count].decode("utf-16-le", "replace")
    return payload[8 : 8 + count].decode("latin-1")


def _check_workbook(stream: bytes, filename: str, limits: Limits) -> None:
    sheets: list[tuple[int, str]] = []
    biff8 = True
    for kind, payload in _records(stream, 0):
        if kind == _BOF and len(payload) >= 2:
            biff8 = struct.unpack_from("<H", payload)[0] not in (0x0500,)
        elif kind == _FILEPASS:
            raise TableError(
                "encrypted_file",
                f"「{filename}」はパスワードで保護されています。パスワードを解除して保存し直して"
                "ください。",
            )
        elif kind == _BOUNDSHEET and len(payload) >= 4:
            sheets.append((struct.unpack_from("<I", payload)[0], _sheet_name(payload, biff8)))
        elif kind == _SST and len(payload) >= 8:
            unique = struct.unpack_from("<i", payload, 4)[0]
            if unique < 0 or unique > limits.max_cells:
                raise TableError(
                    "too_many_cells",
                    f"「{filename}」（古い形式の Excel）が共有文字列の数を {unique:,}個と"
                    f"宣言しています（上限 {limits.max_cells:,}個）。Excel で開いて保存し直して"
                    "ください。",
                )
    for position, name in sheets:
        _check_sheet(stream, position, f"「{filename}」のシート「{name}」", limits)


def _check_sheet(stream: bytes, position: int, where: str, limits: Limits) -> None:
    rows = cols = wide_row = 0
    for kind, payload in _records(stream, position):
        if kind == _DIMENSIONS:
            _check_dimensions(payload, where, limits)
            continue
        if kind in _CELLS and len(payload) >= 4:
            row, col = struct.unpack_from("<HH", payload)
        elif kind == _MULRK and len(payload) >= 6:
            row = struct.unpack_from("<H", payload)[0]
            col = struct.unpack_from("<H", payload, len(payload) - 2)[0]
        else:
            continue
        rows, cols = max(rows, row + 1), max(cols, col + 1)
        if col >= limits.max_columns and not wide_row:
            wide_row = row + 1
    far = f"セル {column_letters(cols)}{rows} まで使われています"
    error = grid_error(where, rows, cols, limits, far=far, wide_row=wide_row)
    if error is not None:
        raise error


def _check_dimensions(payload: bytes, where: str, limits: Limits) -> None:
    if len(payload) >= 14:
        first_row, last_row, first_col, last_col = struct.unpack_from("<IIHH", payload)
    elif len(payload) >= 10:
        first_row, last_row, first_col, last_col = struct.unpack_from("<HHHH", payload)
    else:
        return
    # The record names the row and column after the last ones; a reader reserves the
    # span between first and last, which wraps around to billions when they are reversed.
    if last_row and last_col and (first_row >= last_row or first_col >= last_col):
        rows, cols = 2**32, 2**16
        far = (
            f"シートの大きさ（DIMENSIONS）の範囲が逆向きです（行 {first_row:,}〜{last_row:,}、"
            f"列 {first_col:,}〜{last_col:,}）"
        )
    else:
        rows, cols = last_row, last_col
        far = f"シートの大きさが {rows:,}行 × {cols:,}列 と宣言されています（DIMENSIONS）"
    error = grid_error(where, rows, cols, limits, far=far, wide_row=None)
    if error is not None:
        raise error

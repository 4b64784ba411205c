"""Malformed and hostile spreadsheet files, generated in code.

Each builder returns the bytes of one file: zip containers written member by member
(so sizes, names and XML can be anything), OLE compound files (CFB) written sector by
sector (an encrypted OOXML package, a legacy BIFF8 .xls), and broken text.
"""

from __future__ import annotations

import io
import struct
import zipfile

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="枚数" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
HEADER_CELLS = (
    '<c r="A1" t="inlineStr"><is><t>年月</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>所属コード</t></is></c>'
    '<c r="C1" t="inlineStr"><is><t>印刷枚数</t></is></c>'
    '<c r="D1" t="inlineStr"><is><t>コピー枚数</t></is></c>'
)


def sheet_xml(sheet_data: str, *, prolog: str = "", dimension: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{dimension}<sheetData>{sheet_data}</sheetData></worksheet>"
    )


def workbook(sheet: str | bytes, *, extra: dict[str, bytes | str] | None = None) -> bytes:
    """A minimal .xlsx whose single sheet part is ``sheet``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def replace_member(data: bytes, name: str, content: str | bytes) -> bytes:
    """The zip ``data`` with member ``name`` holding ``content`` instead."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            body = content if info.filename == name else source.read(info)
            target.writestr(info.filename, body)
    return buffer.getvalue()


def good_sheet() -> str:
    return sheet_xml(
        f'<row r="1">{HEADER_CELLS}</row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>2022-12</t></is></c>'
        '<c r="B2" t="inlineStr"><is><t>110100</t></is></c>'
        '<c r="C2"><v>10</v></c><c r="D2"><v>20</v></c></row>'
    )


def far_cell(ref: str = "XFD1048576") -> bytes:
    """1.6 KB that claims a full sheet: python-calamine would allocate the whole grid."""
    row = int("".join(ch for ch in ref if ch.isdigit()))
    return workbook(
        sheet_xml(
            f'<row r="1">{HEADER_CELLS}</row><row r="{row}"><c r="{ref}"><v>1</v></c></row>',
            dimension='<dimension ref="A1:XFD1048576"/>',
        )
    )


def far_cell_written(tag: str) -> bytes:
    """A far value cell whose start tag is ``tag`` (any spelling of ``<c r="XFD1048576">``)."""
    return workbook(
        sheet_xml(f'<row r="1">{HEADER_CELLS}</row><row r="1048576">{tag}<v>1</v></c></row>')
    )


def renamed_sheet(part: str = "xl/worksheets/sheet1.png") -> bytes:
    """The far-cell sheet stored as ``part``, which the workbook's relationship names."""
    target = part.removeprefix("xl/")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr(
            "xl/_rels/workbook.xml.rels", WORKBOOK_RELS.replace("worksheets/sheet1.xml", target)
        )
        with zipfile.ZipFile(io.BytesIO(far_cell())) as source:
            archive.writestr(part, source.read("xl/worksheets/sheet1.xml"))
    return buffer.getvalue()


def shared_strings(attributes: str) -> bytes:
    """A good workbook with a sharedStrings part whose <sst> tag has ``attributes``."""
    sst = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
        f" {attributes}><si><t>110100</t></si></sst>"
    )
    return workbook(good_sheet(), extra={"xl/sharedStrings.xml": sst})


def duplicate_member() -> bytes:
    """Two parts of the same name (one in other letter case): a reader may read either."""
    return workbook(good_sheet(), extra={"XL/worksheets/Sheet1.xml": far_cell_sheet()})


def far_cell_sheet() -> str:
    return sheet_xml(
        f'<row r="1">{HEADER_CELLS}</row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    )


def lying_dimension() -> bytes:
    """A huge claimed dimension over a tiny sheet: harmless, and read normally."""
    return workbook(
        good_sheet().replace("<sheetData>", '<dimension ref="A1:XFD1048576"/><sheetData>')
    )


def empty_styled_far_cell() -> bytes:
    """A formatted but empty cell far away: readers skip it, so the file is fine."""
    return workbook(
        good_sheet().replace(
            "</sheetData>", '<row r="900000"><c r="XFD900000" s="1"/></row></sheetData>'
        )
    )


def cells_without_references() -> bytes:
    data = (
        "<row>"
        + "".join(
            f'<c t="inlineStr"><is><t>{h}</t></is></c>'
            for h in ("年月", "所属コード", "印刷枚数", "コピー枚数")
        )
        + "</row>"
        '<row><c t="inlineStr"><is><t>2022-12</t></is></c>'
        '<c t="inlineStr"><is><t>110100</t></is></c>'
        "<c><v>1</v></c><c><v>2</v></c></row>"
    )
    return workbook(sheet_xml(data))


def billion_laughs(part: str = "xl/worksheets/sheet1.xml") -> bytes:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{"&lol;" * 10 if i == 1 else f"&lol{i - 1};" * 10}">'
        for i in range(1, 10)
    )
    prolog = f"<!DOCTYPE lolz [{entities}]>"
    bomb = sheet_xml(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>', prolog=prolog
    )
    if part == "xl/worksheets/sheet1.xml":
        return workbook(bomb)
    return workbook(good_sheet(), extra={part: bomb})


def zip_bomb() -> bytes:
    """A 50 MB member of zeros that deflates to ~50 KB (ratio 0.001)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            block = b" " * (1024 * 1024)
            for _ in range(50):
                member.write(block)
    return buffer.getvalue()


def lying_sizes() -> bytes:
    """A member whose directory entry claims 100 bytes while it inflates to 1 MB."""
    data = bytearray(
        workbook(sheet_xml("<row r='1'>" + "<c r='A1'><v>1</v></c>" * 40_000 + "</row>"))
    )
    name = b"xl/worksheets/sheet1.xml"
    # Patch the uncompressed size in the local header and the central directory.
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            name_at = start + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at : name_at + len(name)] == name:
                data[start + offset : start + offset + 4] = struct.pack("<I", 100)
            start += 4
    return bytes(data)


def many_members(count: int = 1_500) -> bytes:
    extra = {f"xl/media/image{i}.png": b"x" for i in range(count)}
    return workbook(good_sheet(), extra=extra)


def traversal_name() -> bytes:
    return workbook(good_sheet(), extra={"../../evil.xml": "<x/>"})


def utf16_part() -> bytes:
    return workbook(good_sheet().encode("utf-16"))


def xlsb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("xl/workbook.bin", b"\x83\x01\x00")
    return buffer.getvalue()


def word_document() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


# --- OLE compound files ----------------------------------------------------------------

_SECTOR = 512
_FREE, _END, _FAT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD


def _entry(
    name: str, kind: int, start: int, size: int, child: int = _FREE, right: int = _FREE
) -> bytes:
    encoded = (name + "\0").encode("utf-16-le")
    return (
        encoded.ljust(64, b"\0")
        + struct.pack("<HBB", len(encoded), kind, 1)
        + struct.pack("<III", _FREE, right, child)
        + b"\0" * 16  # CLSID
        + b"\0" * 4  # state bits
        + b"\0" * 16  # times
        + struct.pack("<IQ", start, size)
    )


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A version-3 CFB holding ``streams`` (each padded to at least 4,096 bytes so that
    it lives in regular sectors, not the mini stream)."""
    names = list(streams)
    datas = [streams[n].ljust(4096, b"\0") for n in names]
    sectors: list[bytes] = []
    fat: list[int] = []
    # Sector 0: the FAT itself; sector 1: the directory.
    fat += [_FAT, _END]
    starts = []
    for data in datas:
        count = (len(data) + _SECTOR - 1) // _SECTOR
        first = len(fat)
        starts.append(first)
        fat += [first + i + 1 for i in range(count - 1)] + [_END]
        sectors.append(data.ljust(count * _SECTOR, b"\0"))
    if len(fat) > _SECTOR // 4:
        raise ValueError("streams too large for a one-sector FAT")
    fat_sector = struct.pack(f"<{_SECTOR // 4}I", *(fat + [_FREE] * (_SECTOR // 4 - len(fat))))
    # Directory: root, then the streams chained as right siblings (a valid if lopsided tree).
    entries = [_entry("Root Entry", 5, _END, 0, child=1 if names else _FREE)]
    for index, (name, data) in enumerate(zip(names, datas, strict=True)):
        right = index + 2 if index + 1 < len(names) else _FREE
        entries.append(_entry(name, 2, starts[index], len(data), right=right))
    directory = b"".join(entries).ljust(_SECTOR, b"\0")
    if len(directory) > _SECTOR:
        raise ValueError("at most three streams")
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\0" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, _END, 0, _END, 0)
    )
    difat = struct.pack("<I", 0) + struct.pack("<I", _FREE) * 108
    return (header + difat).ljust(_SECTOR, b"\0") + fat_sector + directory + b"".join(sectors)


def encrypted_xlsx() -> bytes:
    """What Excel writes for "encrypt with password": an OLE file, not a zip."""
    info = struct.pack("<HHI", 4, 4, 0x40) + b"\0" * 200  # agile encryption header
    package = struct.pack("<Q", 12345) + b"\x8f" * 5000  # the encrypted zip
    return compound_file({"EncryptionInfo": info, "EncryptedPackage": package})


def _record(kind: int, payload: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(payload)) + payload


def _label(row: int, col: int, text: str) -> bytes:
    encoded = text.encode("utf-16-le")
    return _record(0x0204, struct.pack("<HHHHB", row, col, 15, len(text), 1) + encoded)


def _number(row: int, col: int, value: float) -> bytes:
    return _record(0x0203, struct.pack("<HHHd", row, col, 15, value))


def legacy_xls(
    rows: list[list[object]],
    sheet_name: str = "枚数",
    *,
    dimensions: tuple[int, int, int, int] | None = None,
    far_cell: tuple[int, int] | None = None,
    shared_strings: int | None = None,
) -> bytes:
    """A BIFF8 workbook (Excel 97-2003 .xls) with one sheet of text and number cells.

    ``dimensions`` replaces the sheet's DIMENSIONS record (first row, row after the last,
    first column, column after the last), ``far_cell`` adds a number at that 0-based
    (row, column), ``shared_strings`` adds an SST record declaring that many strings.
    """
    bof_globals = _record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0))
    bof_sheet = _record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0010, 0x0DBB, 0x07CC, 0, 0))
    name = sheet_name.encode("utf-16-le")
    codepage = _record(0x0042, struct.pack("<H", 1200))
    sst = b""
    if shared_strings is not None:
        sst = _record(0x00FC, struct.pack("<Ii", 0, shared_strings))
    boundsheet_size = 4 + 8 + len(name)
    globals_size = len(bof_globals) + len(codepage) + len(sst) + boundsheet_size + 4
    boundsheet = _record(
        0x0085, struct.pack("<IBBBB", globals_size, 0, 0, len(sheet_name), 1) + name
    )
    cells = b""
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, int | float):
                cells += _number(r, c, float(value))
            elif value is not None:
                cells += _label(r, c, str(value))
    if far_cell is not None:
        cells += _number(*far_cell, 1.0)
    width = max(len(r) for r in rows)
    first_row, last_row, first_col, last_col = dimensions or (0, len(rows), 0, width)
    dimension = _record(0x0200, struct.pack("<IIHHH", first_row, last_row, first_col, last_col, 0))
    stream = bof_globals + codepage + sst + boundsheet + _record(0x000A)
    stream += bof_sheet + dimension + cells + _record(0x000A)
    return compound_file({"Workbook": stream})


def lying_stream_size(data: bytes, size: int = 4_000_000_000) -> bytes:
    """A compound file whose Workbook stream's directory entry claims ``size`` bytes."""
    patched = bytearray(data)
    entry = patched.find("Workbook".encode("utf-16-le"))
    patched[entry + 120 : entry + 124] = struct.pack("<I", size)
    return bytes(patched)

"""Checks on an uploaded file's bytes before any spreadsheet library reads them.

Neither openpyxl nor python-calamine limits decompression, and python-calamine aborts
the whole process (no exception) when a sheet has a value cell far away, such as
XFD1048576: it allocates the whole grid up to that cell. So every .xlsx is inspected
here first, with the standard library only: the zip directory (member count, declared
and actual sizes, compression ratio, unsafe or repeated names), then every part a
reader may read as XML, whatever its name (``package``): no DOCTYPE or ENTITY (Office
never writes them, XML bombs need them), each sheet's farthest value cell and the grid
it spans against the row, column and cell limits, and the number of shared strings a
part declares (``cellscan``). Legacy .xls files are checked in ``biff``.

Pure: no Django. The limits come from settings through ``Limits.from_settings``.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import PurePosixPath

from paperless.importing.files.cellscan import BrokenXML, CellScan, XMLDeclaration
from paperless.importing.files.limits import MB, Limits, TableError, declaration_refused
from paperless.importing.files.package import read_package

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Streams of an OLE container that holds an encrypted (password-protected) OOXML file.
_ENCRYPTED_STREAMS = tuple(s.encode("utf-16-le") for s in ("EncryptedPackage", "EncryptionInfo"))
XLSX_SUFFIXES = (".xlsx", ".xlsm")
XLS_SUFFIXES = (".xls",)
CSV_SUFFIXES = (".csv",)
ACCEPTED = "Excel（.xlsx・.xlsm・.xls）か CSV（.csv）"
# Members checked for compression ratio only above this size (Apache POI's grace size).
_RATIO_GRACE_BYTES = 100 * 1024
MIN_COMPRESSION_RATIO = 0.01
_CHUNK = 4 * MB
# A tag never spans more than this; a longer run without ">" is not a spreadsheet.
_MAX_CARRY = MB
_BINARY_MEMBERS = re.compile(
    r"\.(?:bin|png|jpe?g|gif|bmp|tiff?|emf|wmf|svg|wdp|jfif|ico|mp[34]|wav|ole)$", re.I
)
_DECLARATION = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.I)


# --- the format ---------------------------------------------------------------------


def sniff(data: bytes, filename: str) -> str:
    """ "xlsx", "xls" or "csv": what the bytes are, whatever the name says.

    The content decides (a .xls that is really an .xlsx is read as one); the name
    decides only for text, which has no signature.
    """
    suffix = PurePosixPath(filename.lower()).suffix
    if not data:
        raise TableError("not_a_spreadsheet", f"ファイル「{filename}」は空です。")
    if data.startswith(ZIP_MAGIC):
        return "xlsx"
    if data.startswith(OLE_MAGIC):
        if any(stream in data for stream in _ENCRYPTED_STREAMS):
            raise TableError(
                "encrypted_file",
                f"「{filename}」はパスワード付きの Excel ファイルです。Excel でパスワードを"
                "解除して（ファイル → 情報 → ブックの保護 → パスワードを使用して暗号化 を空に"
                "して）保存し直してから、アップロードしてください。",
            )
        return "xls"
    if suffix in CSV_SUFFIXES:
        return "csv"
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if suffix in XLSX_SUFFIXES + XLS_SUFFIXES + (".xlsb",) and head.startswith(
        (b"<!doctype html", b"<html", b"<?xml", b"<table", b"mime-version")
    ):
        raise TableError(
            "not_a_spreadsheet",
            f"「{filename}」は Excel 形式ではなく、Web ページ（HTML・XML）を Excel の名前で"
            "保存したものです。Excel で開き、「Excel ブック（.xlsx）」として保存し直して"
            "ください。",
        )
    if suffix in XLSX_SUFFIXES + XLS_SUFFIXES:
        raise TableError(
            "not_a_spreadsheet",
            f"「{filename}」は Excel（.xlsx）ファイルではありません。中身が Excel の形式では"
            f"ないようです。{ACCEPTED}で保存し直してください。",
        )
    raise TableError(
        "not_a_spreadsheet",
        f"「{filename}」は読めない形式です。{ACCEPTED}で保存してください。",
    )


# --- zip containers (.xlsx, .xlsm) ------------------------------------------------------


def check_xlsx(data: bytes, filename: str, limits: Limits) -> None:
    """Refuse a zip that is broken, a bomb, or holds anything a reader should not see."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        ValueError,
        EOFError,
        NotImplementedError,
    ):
        raise _corrupt(filename) from None
    with archive:
        members = archive.infolist()
        _check_directory(members, filename, limits)
        names = {m.filename for m in members}
        if "xl/workbook.bin" in names:
            raise TableError(
                "not_a_spreadsheet",
                f"「{filename}」は Excel バイナリブック（.xlsb）です。"
                "「Excel ブック（.xlsx）」として保存し直してください。",
            )
        if "xl/workbook.xml" not in names:
            raise TableError(
                "not_a_spreadsheet",
                f"「{filename}」は Excel ブックではありません（Word や PowerPoint の"
                f"ファイルかもしれません）。{ACCEPTED}で保存してください。",
            )
        package = read_package(archive, filename)
        unpacked = 0
        for member in members:
            skip = _BINARY_MEMBERS.search(member.filename) and not package.is_xml(member.filename)
            if member.is_dir() or skip:
                unpacked += member.file_size
                continue
            unpacked += _check_part(
                archive, member, filename, limits, package.label(member.filename)
            )
            if unpacked > limits.max_uncompressed:
                raise _bomb(filename, limits)


def _check_directory(members: list[zipfile.ZipInfo], filename: str, limits: Limits) -> None:
    if len(members) > limits.max_members:
        raise TableError(
            "zip_bomb",
            f"「{filename}」には部品が多すぎます（{len(members):,}個、上限"
            f" {limits.max_members:,}個）。Excel ファイルとして読み込めません。",
        )
    declared = 0
    seen: set[str] = set()
    for member in members:
        name = member.filename
        if name.lower() in seen:
            # A reader may open either copy (case is ignored): the check must see the one read.
            raise TableError(
                "corrupt_file",
                f"「{filename}」の中に同じ名前の部品（{name[:80]!r}）が複数あります。"
                "Excel ファイルとして読み込めません。",
            )
        seen.add(name.lower())
        path = PurePosixPath(name.replace("\\", "/"))
        if path.is_absolute() or ".." in path.parts or "\0" in name:
            raise TableError(
                "corrupt_file",
                f"「{filename}」の中に不正な名前の部品（{name[:80]!r}）があります。"
                "Excel ファイルとして読み込めません。",
            )
        if member.flag_bits & 0x1:
            raise TableError(
                "encrypted_file",
                f"「{filename}」は暗号化された ZIP です。暗号化を解除して保存し直してください。",
            )
        declared += member.file_size
        big = member.file_size > _RATIO_GRACE_BYTES
        if big and member.compress_size < member.file_size * MIN_COMPRESSION_RATIO:
            raise _bomb(filename, limits)
    if declared > limits.max_uncompressed:
        raise _bomb(filename, limits)


def _bomb(filename: str, limits: Limits) -> TableError:
    return TableError(
        "zip_bomb",
        f"「{filename}」は展開すると大きくなりすぎるため読み込みを中止しました（展開後の上限"
        f" {limits.max_uncompressed / MB:g} MB、圧縮率 {MIN_COMPRESSION_RATIO:.0%} 未満は不可）。",
    )


def _corrupt(filename: str) -> TableError:
    return TableError(
        "corrupt_file",
        f"Excel ファイル「{filename}」を読めません（ファイルが壊れています）。"
        "Excel で開けるか確かめ、保存し直してからアップロードしてください。",
    )


def _chunks(archive: zipfile.ZipFile, member: zipfile.ZipInfo, filename: str) -> Iterator[bytes]:
    """The member's bytes in pieces that each end just after a ">" (never inside a tag)."""
    carry = b""
    try:
        with archive.open(member) as stream:
            while piece := stream.read(_CHUNK):
                piece = carry + piece
                cut = piece.rfind(b">") + 1
                piece, carry = piece[:cut], piece[cut:]
                if len(carry) > _MAX_CARRY:
                    raise _corrupt(filename)
                if piece:
                    yield piece
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, zlib.error):
        # A CRC or size that does not match what the directory declares ends here too.
        raise _corrupt(filename) from None
    except NotImplementedError:  # a compression method the standard library lacks
        raise _corrupt(filename) from None
    if carry.strip():
        yield carry


def _check_part(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, filename: str, limits: Limits, label: str
) -> int:
    """Scan one XML part; returns its real unpacked size."""
    scan = CellScan(label, exact=False, limits=limits, part=member.filename)
    size = _scan_part(archive, member, filename, limits, scan)
    if scan.needs_exact or scan.over():
        scan = CellScan(label, exact=True, limits=limits, part=member.filename)
        size = _scan_part(archive, member, filename, limits, scan)
    scan.check(filename)
    return size


def _scan_part(
    archive: zipfile.ZipFile,
    member: zipfile.ZipInfo,
    filename: str,
    limits: Limits,
    scan: CellScan,
) -> int:
    size = 0
    try:
        for index, chunk in enumerate(_chunks(archive, member, filename)):
            size += len(chunk)
            if size > limits.max_uncompressed:
                raise _bomb(filename, limits)
            if index == 0:
                _refuse_utf16(chunk, filename)
            if b"<!" in chunk and _DECLARATION.search(chunk):
                raise declaration_refused(filename)
            scan.feed(chunk)
            if scan.needs_exact:
                return size
        scan.finish()
    except XMLDeclaration:
        raise declaration_refused(filename) from None
    except BrokenXML as broken:
        raise TableError(
            "corrupt_file",
            f"「{filename}」の部品「{member.filename}」の XML が壊れています（{broken.line}行目:"
            f" {broken.reason}）。Excel で開けるか確かめ、保存し直してからアップロードして"
            "ください。",
        ) from None
    return size


def _refuse_utf16(head: bytes, filename: str) -> None:
    # A UTF-16 part would hide "<!DOCTYPE" from a byte search; Office writes UTF-8.
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\0" in head[:64]:
        raise TableError(
            "corrupt_file",
            f"「{filename}」の中に Excel が作らない形式（UTF-16 の XML）の部品があります。"
            "Excel で開いて保存し直してください。",
        )

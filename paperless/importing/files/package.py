"""Which parts of an .xlsx package a reader opens, whatever they are called.

python-calamine opens ``xl/workbook.xml``, ``xl/_rels/workbook.xml.rels``,
``xl/sharedStrings.xml`` and ``xl/styles.xml`` by name (ignoring case), and each sheet at
the target its relationship names, whatever the file name or extension (a sheet saved as
``sheet1.png`` is read all the same). ``read_package`` lists those parts, and every part
that a relationship of the workbook or ``[Content_Types].xml`` declares as XML, so that
the safety checks scan each of them as XML; only parts nobody names as XML may be skipped
for a binary extension (images, the macro project). It also gives each sheet part the
name on its tab, for messages. Pure.
"""

from __future__ import annotations

import posixpath
import zipfile
from dataclasses import dataclass, field

from paperless.importing.files.limits import MB, TableError, declaration_refused

WORKBOOK = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
CONTENT_TYPES = "[Content_Types].xml"
# Parts python-calamine opens by their fixed names.
_FIXED = (WORKBOOK, WORKBOOK_RELS, "xl/sharedStrings.xml", "xl/styles.xml", CONTENT_TYPES)
# Relationship types whose targets are not XML; a sheet's target is XML whatever its type.
_BINARY_TYPES = frozenset(
    {
        "vbaProject",
        "image",
        "printerSettings",
        "oleObject",
        "package",
        "attachedToolbars",
        "activeXControlBinary",
        "font",
    }
)
# The package's own description of a part is small; a larger one is not Excel's.
_MAX_DESCRIPTION = 4 * MB


@dataclass
class Package:
    """The parts a reader reads as XML (lower-case names) and the sheets' tab names."""

    xml_parts: set[str] = field(default_factory=set)
    xml_extensions: set[str] = field(default_factory=set)
    labels: dict[str, str] = field(default_factory=dict)

    def is_xml(self, name: str) -> bool:
        lower = name.lower()
        extension = posixpath.splitext(lower)[1].lstrip(".")
        return lower in self.xml_parts or extension in self.xml_extensions

    def label(self, name: str) -> str:
        return self.labels.get(name.lower()) or posixpath.splitext(posixpath.basename(name))[0]


def _is_xml_type(content_type: str) -> bool:
    kind = content_type.strip().lower().split(";")[0]
    return kind.endswith("+xml") or kind in ("application/xml", "text/xml")


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _targets(target: str) -> set[str]:
    """The names a relationship target may open: python-calamine's rule (``xl/`` put in
    front unless already there) and the resolved path; lower case."""
    if target.startswith("/xl/"):
        plain = target[1:]
    elif target.startswith("xl/"):
        plain = target
    else:
        plain = f"xl/{target}"
    resolved = posixpath.normpath(posixpath.join("xl", target.lstrip("/")))
    if target.startswith("/"):
        resolved = posixpath.normpath(target.lstrip("/"))
    return {plain.lower(), resolved.lower()}


def read_package(archive: zipfile.ZipFile, filename: str) -> Package:
    """The package's XML parts and sheet names; refuses a package that cannot tell them."""
    names = {info.filename.lower(): info for info in archive.infolist()}
    package = Package(xml_parts={name.lower() for name in _FIXED})
    types = _description(archive, names, CONTENT_TYPES, filename)
    if types is not None:
        for element in types.iter():
            kind = _local(element.tag)
            if kind == "Default" and _is_xml_type(element.get("ContentType", "")):
                package.xml_extensions.add(element.get("Extension", "").lower().lstrip("."))
            elif kind == "Override" and _is_xml_type(element.get("ContentType", "")):
                package.xml_parts.add(element.get("PartName", "").lstrip("/").lower())
    rels = _description(archive, names, WORKBOOK_RELS, filename)
    targets: dict[str, str] = {}
    for element in rels.iter() if rels is not None else ():
        if _local(element.tag) != "Relationship" or element.get("TargetMode") == "External":
            continue
        target = element.get("Target", "")
        targets[element.get("Id", "")] = target
        if element.get("Type", "").rsplit("/", 1)[-1] not in _BINARY_TYPES:
            package.xml_parts |= _targets(target)
    workbook = _description(archive, names, WORKBOOK, filename)
    for element in workbook.iter() if workbook is not None else ():
        if _local(element.tag) != "sheet":
            continue
        # r:id, or any other prefix: every one a reader might follow.
        for key, rid in element.attrib.items():
            target = targets.get(rid) if _local(key) == "id" and "}" in key else None
            for name in _targets(target) if target else ():
                package.xml_parts.add(name)
                package.labels[name] = element.get("name", "")
    return package


def _description(archive: zipfile.ZipFile, names: dict, name: str, filename: str):
    """A small XML part parsed (DTDs refused), or None when the package has none."""
    from defusedxml import DefusedXmlException, ElementTree

    info = names.get(name.lower())
    if info is None:
        return None
    if info.file_size > _MAX_DESCRIPTION:
        raise TableError(
            "corrupt_file",
            f"「{filename}」の部品「{info.filename}」が大きすぎます（{info.file_size:,}バイト）。"
            "Excel が作るファイルではありません。Excel で開いて保存し直してください。",
        )
    try:
        return ElementTree.fromstring(archive.read(info), forbid_dtd=True)
    except DefusedXmlException:
        raise declaration_refused(filename) from None
    except Exception as exc:  # any XML or zip failure: the package cannot say what it holds
        raise TableError(
            "corrupt_file",
            f"「{filename}」の部品「{info.filename}」を XML として読めません（ファイルが"
            "壊れています）。Excel で開けるか確かめ、保存し直してからアップロードしてください。",
        ) from exc

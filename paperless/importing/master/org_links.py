"""The org master's 前身所属コード column: predecessors with their shares.

A cell lists entries ``CODE`` or ``CODE:SHARE`` (share ``0.4`` or ``40%``, full-width
digits, ``：`` and ``％`` accepted), separated by spaces, commas, 、 or ;. The links of
the whole organisation after the import (the file's rows over the database's) are
checked with the rules of ``core.succession``; errors go to the rows of the heirs (or of
the predecessor whose row made them wrong).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal

from paperless.core.succession import Link, check_links, parse_share
from paperless.importing.cells import is_blank, normalize_code
from paperless.importing.master.table import CellError
from paperless.models import Succession, Unit

Links = tuple[tuple[str, Decimal | None], ...]
_ENTRY_SPLIT = re.compile(r"[\s,、;]+")


def parse_links(value: object) -> Links | None:
    """'110100:40%、110200:0.6' → (('110100', 0.4), ('110200', 0.6)); None when blank."""
    if is_blank(value):
        return None
    links = []
    for entry in _ENTRY_SPLIT.split(normalize_code(value) or ""):
        if not entry:
            continue
        code, _, share = entry.partition(":")
        if not code:
            raise CellError(f"前身所属コード「{entry}」にコードがありません。")
        try:
            links.append((code, parse_share(share) if share else None))
        except ValueError as error:
            raise CellError(str(error)) from None
    return tuple(links)


def link_problems(rows: Iterable, existing: Mapping) -> list[tuple[object, str]]:
    """(row, message) for every rule of shares that the organisation after the import
    breaks, on the rows of the file that cause it."""
    rows = {row.code: row for row in rows if row.code is not None}
    active = {code: unit.active for code, unit in existing.items()}
    links: dict[str, Links] = {code: unit.predecessors for code, unit in existing.items()}
    for code, row in rows.items():
        active[code] = row.active if row.active is not None else active.get(code, True)
        if row.predecessors is not None:
            links[code] = row.predecessors
    known = rows.keys() | existing.keys()  # unknown codes are reported on their own
    all_links = [
        Link(heir, code, share)
        for heir, own in links.items()
        for code, share in own
        if code in known and code != heir
    ]
    found = []
    for problem in check_links(all_links, active):
        blamed = [rows[heir] for heir in problem.heirs if heir in rows]
        if not blamed and problem.predecessor in rows:
            blamed = [rows[problem.predecessor]]
        found.extend((row, problem.message) for row in blamed)
    return found


def write_links(unit: Unit, links: Links, ids: Mapping[str, int]) -> None:
    """Replace the unit's predecessor links (the caller saves the unit afterwards, so that
    its history records the new links)."""
    Succession.objects.filter(from_unit=unit).delete()
    Succession.objects.bulk_create(
        Succession(from_unit=unit, to_unit_id=ids[code], share=share) for code, share in links
    )

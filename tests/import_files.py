"""Count files built in code for the import tests: workbooks and CSV as offices make them."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from openpyxl import Workbook

LONG = ["年月", "所属コード", "所属名", "印刷枚数", "コピー枚数", "除外枚数", "備考"]


def xlsx(
    rows: Sequence[Sequence[object]],
    *,
    title: str = "枚数",
    sheets: Sequence[tuple[str, Sequence[Sequence[object]]]] = (),
) -> bytes:
    """A workbook whose first sheet holds ``rows``; ``sheets`` go before it."""
    workbook = Workbook()
    first = workbook.active
    for name, content in sheets:
        sheet = workbook.create_sheet(name)
        for row in content:
            sheet.append(list(row))
    first.title = title
    for row in rows:
        first.append(list(row))
    if sheets:
        workbook.move_sheet(first, offset=len(sheets))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: Sequence[Sequence[object]], *, encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def long_rows(*records: Sequence[object], header: Sequence[str] = LONG) -> list[list[object]]:
    return [list(header), *(list(r) for r in records)]

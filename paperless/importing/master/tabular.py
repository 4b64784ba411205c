"""Read a small table (.xlsx, .xlsm, .xls or .csv) into plain Python rows.

The org master import's entry point to the shared reader (``reader`` and ``safety``):
the same safety checks and resource-limited child process as the counts import. Each
``Sheet`` holds only its non-blank rows as ``Row(number, cells)`` with the Excel row
number (or the CSV line on which the record starts), trailing blank cells trimmed and
empty cells ``None``. Every problem that makes the file unreadable raises
``TableError`` with a Japanese ``message`` (and a stable ``code``). The limits come
from settings unless a ``Limits`` is passed.
"""

from __future__ import annotations

from paperless.importing.files.limits import Limits, TableError
from paperless.importing.files.reader import Row, Sheet, read_rows

__all__ = ["Limits", "Row", "Sheet", "TableError", "read_rows"]

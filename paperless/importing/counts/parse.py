"""Turn the count table of a file into records, collecting every error on the way.

``parse_bytes`` is the whole pure part of the import: safety checks, reading (in a
limited child process), finding the table, and parsing every row (``long``, ``wide``).
A file without a count table whose columns say it holds meter readings is read by
``meters.parse`` instead (layout ``meter`` or ``meter_ricoh``, readings, no records).
A file that cannot be read at all comes back ``refused`` with one file-level error;
otherwise every bad cell is reported with its sheet, Excel row, column letter and raw
value, and only the rows without error become records. Nothing here knows the
database: unknown codes, scope and the values on file are checked in ``validate``.
"""

from __future__ import annotations

import logging

from paperless.importing.counts.layout import find_table
from paperless.importing.counts.long import read_long
from paperless.importing.counts.records import Builder, ParsedFile, Record
from paperless.importing.counts.wide import read_wide
from paperless.importing.files.limits import Limits, TableError
from paperless.importing.files.reader import iter_sheets, run_reader
from paperless.importing.files.sandbox import gc_paused
from paperless.importing.issues import Issue
from paperless.importing.meters.parse import read_readings

__all__ = ["ParsedFile", "Record", "parse_bytes", "parse_counts", "refused"]
logger = logging.getLogger(__name__)


# --- the whole file --------------------------------------------------------------------


def parse_counts(data: bytes, *, filename: str, limits: Limits) -> ParsedFile:
    """Read and parse in this process. Raises ``TableError`` for an unreadable file."""
    table, issues = find_table(
        iter_sheets(data, filename=filename, limits=limits), filename=filename
    )
    if table is None:
        readings = read_readings(
            iter_sheets(data, filename=filename, limits=limits), filename=filename
        )
        if readings is not None:
            return readings
    parsed = ParsedFile(filename, errors=issues)
    if table is None:
        parsed.sheet = issues[0].sheet if issues else None
        return parsed
    parsed.sheet, parsed.layout = table.sheet_name, table.layout
    builder = Builder(table, parsed)
    (read_long if table.layout == "long" else read_wide)(table, builder)
    builder.finish()
    parsed.sort()
    return parsed


def refused(filename: str, error: TableError) -> ParsedFile:
    return ParsedFile(filename, errors=[Issue(error.code, error.message)], refused=True)


def parse_bytes(
    data: bytes, *, filename: str, limits: Limits | None = None, isolate: bool = True
) -> ParsedFile:
    """Everything the file says, or why it cannot be read; never raises for bad input.

    At most ``MAX_ISSUES`` errors and warnings come back, with the counts per code of
    the rest (``ParsedFile.bound``): the reading process never sends more.
    """
    limits = limits or Limits.from_settings()
    with gc_paused():
        try:
            if not isolate:
                parsed = parse_counts(data, filename=filename, limits=limits)
                parsed.bound()
                return parsed
            parsed, rows = run_reader(_parse_packed, data, filename=filename, limits=limits)
        except TableError as error:
            if error.detail and not isolate:
                logger.warning("reading %r refused (%s): %s", filename, error.code, error.detail)
            return refused(filename, error)
        parsed.records = list(map(Record._make, rows))
    return parsed


def _parse_packed(data: bytes, *, filename: str, limits: Limits) -> tuple[ParsedFile, list]:
    # In the reading process: only the bounded issues travel back. Plain tuples cross
    # the process boundary several times faster than named ones.
    parsed = parse_counts(data, filename=filename, limits=limits)
    parsed.bound()
    rows = [tuple(record) for record in parsed.records]
    parsed.records = []
    return parsed, rows

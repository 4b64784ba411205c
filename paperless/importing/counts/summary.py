"""An upload's result as stored in ``Upload.summary`` and printed by the command.

Plain JSON: the totals of what was read, the counts of new / changed / unchanged
records, the first rows with old → new values and the rate against the baseline
month, and the errors and warnings (the first ``MAX_ISSUES`` of each; their full
counts are kept, and the ones not listed are counted per kind).
"""

from __future__ import annotations

from typing import Any

from paperless.core.fiscal import format_month_iso, month_label
from paperless.importing.counts.parse import ParsedFile
from paperless.importing.counts.validate import CHANGED, NEW, UNCHANGED, Change, Context, Validation
from paperless.importing.issues import MAX_ISSUES, Issue, first_issues, more_lines

# What the preview page shows and the upload row stores; the counts say how many more.
MAX_PREVIEW_ROWS = 500
MAX_STORED_ISSUES = MAX_ISSUES
_STATUS_ORDER = {CHANGED: 0, NEW: 1, UNCHANGED: 2}


def totals(parsed: ParsedFile) -> dict[str, Any]:
    """records, departments, months, print_total and copy_total of what was read."""
    records = parsed.records
    return {
        "records": len(records),
        "departments": len({r.code for r in records}),
        "months": sorted({format_month_iso(r.month) for r in records}),
        "print_total": sum(r.print_sheets for r in records),
        "copy_total": sum(r.copy_sheets for r in records),
    }


def build_summary(
    parsed: ParsedFile, validation: Validation, context: Context | None
) -> dict[str, Any]:
    """The preview as stored in ``Upload.summary``: plain JSON."""
    errors, more_errors = merged_issues(
        parsed.errors, validation.errors, parsed.more_errors, validation.more_errors
    )
    warnings, more_warnings = merged_issues(
        parsed.warnings, validation.warnings, parsed.more_warnings, validation.more_warnings
    )
    changes = sorted(
        validation.changes, key=lambda c: (_STATUS_ORDER[c.status], c.record.row, c.record.code)
    )
    threshold = context.threshold if context else 0.3
    return totals(parsed) | {
        "sheet": parsed.sheet,
        "layout": parsed.layout,
        "refused": parsed.refused,
        "threshold": threshold,
        "counts": validation.counts(),
        "rows": [_row(c, threshold) for c in changes[:MAX_PREVIEW_ROWS]],
        "errors": [e.as_summary() for e in errors],
        "error_count": len(errors) + sum(more_errors.values()),
        "errors_more": more_lines(more_errors),
        "warnings": [w.as_summary() for w in warnings],
        "warning_count": len(warnings) + sum(more_warnings.values()),
        "warnings_more": more_lines(more_warnings),
    }


def merged_issues(
    parsed: list[Issue],
    validated: list[Issue],
    parsed_more: dict[str, int],
    validated_more: dict[str, int],
) -> tuple[list[Issue], dict[str, int]]:
    """The first ``MAX_STORED_ISSUES`` of both lists in sheet order, and the counts per
    code of every issue not among them."""
    more = dict(parsed_more)
    for code, count in validated_more.items():
        more[code] = more.get(code, 0) + count
    return first_issues(parsed + validated, more, MAX_STORED_ISSUES)


def _row(change: Change, threshold: float) -> dict[str, Any]:
    record, old, baseline = change.record, change.old, change.baseline
    rate = gap = None
    rate_label = "—"
    if baseline:
        rate = 1 - record.total / baseline
        gap = max(round(record.total - (1 - threshold) * baseline), 0)
        rate_label = f"{'−' if rate >= 0 else '＋'}{abs(rate) * 100:.1f}%"
    return {
        "row": record.row,
        "code": change.unit.code,
        "name": change.unit.name,
        "month": format_month_iso(record.month),
        "month_label": month_label(record.month),
        "print": record.print_sheets,
        "copy": record.copy_sheets,
        "excluded": record.excluded_sheets,
        "status": change.status,
        "old": None
        if old is None
        else {"print": old.print_sheets, "copy": old.copy_sheets, "excluded": old.excluded_sheets},
        "baseline": baseline,
        "rate": rate,
        "rate_label": rate_label,
        "gap": gap,
    }

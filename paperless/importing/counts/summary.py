"""An upload's result as stored in ``Upload.summary`` and printed by the command.

Plain JSON: the totals of what was read, the counts of new / changed / unchanged
records, the first rows with old → new values and the rate the dashboard will show
for that department and month once the file is committed, and the errors and warnings
(the first ``MAX_ISSUES`` of each; their full counts are kept, and the ones not listed
are counted per kind).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, NamedTuple

import pandas as pd

from paperless.core import rollup, wording
from paperless.core.baselines import baseline_sources
from paperless.core.fiscal import fiscal_year, format_month_iso, month_label
from paperless.core.rates import DEPARTMENT
from paperless.importing.counts.parse import ParsedFile, Record
from paperless.importing.counts.validate import CHANGED, NEW, UNCHANGED, Change, Context, Validation
from paperless.importing.issues import MAX_ISSUES, Issue, first_issues, more_lines
from paperless.reads import frames

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
    shown = changes[:MAX_PREVIEW_ROWS]
    figures = rates_after_commit([c.record for c in shown]) if shown else {}
    return totals(parsed) | {
        "sheet": parsed.sheet,
        "layout": parsed.layout,
        "refused": parsed.refused,
        "threshold": threshold,
        "counts": validation.counts(),
        "rows": [_row(c, figures.get((c.record.code, c.record.month))) for c in shown],
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


class Figure(NamedTuple):
    """A department's month as the dashboard will show it after the commit."""

    rate: float | None
    status: str
    gap: int | None
    threshold: float


def rates_after_commit(records: Sequence[Record]) -> dict[tuple[str, date], Figure]:
    """The rate, status and gap of each record's department and month as the dashboard
    will compute them once the file is committed: the core's ``rollup.summarize`` over
    the stored counts with the file's records in their place, under the policy of the
    record's fiscal year (its base year, threshold and status basis).

    A fixed number of queries (units, predecessor links, and per fiscal year in the
    file its policy and the counts of the file's departments and their predecessors),
    whatever the number of departments.
    """
    units = frames.units_frame()
    predecessors = frames.predecessors_frame()
    ids = dict(zip(units["code"].tolist(), units["id"].tolist(), strict=True))
    known = [r for r in records if r.code in ids]
    out: dict[tuple[str, date], Figure] = {}
    for fy in sorted({fiscal_year(r.month) for r in known}):
        in_year = [r for r in known if fiscal_year(r.month) == fy]
        rules = frames.rules_for(fy)
        codes = {r.code for r in in_year}
        sources = sorted(baseline_sources(codes, predecessors) & ids.keys())
        months = sorted({r.month for r in in_year})
        stored = frames.counts_frame(
            months=months, base_fy=rules.base_fy, departments=[ids[c] for c in sources]
        )
        counts = _overlaid(stored, in_year)
        own = units[units["code"].isin(codes) & (units["kind"] == DEPARTMENT)]
        for month in months:
            table = rollup.summarize(counts, own, predecessors, months=[month], rules=rules)
            basis = "adjusted_rate" if rules.adjusted else "rate"
            for code in {r.code for r in in_year if r.month == month} & set(table.index):
                row = table.loc[code]
                out[(code, month)] = Figure(
                    rate=None if pd.isna(row[basis]) else float(row[basis]),
                    status=str(row["status"]),
                    gap=None if pd.isna(row["gap"]) else int(row["gap"]),
                    threshold=rules.threshold,
                )
    return out


def _overlaid(stored: pd.DataFrame, records: Sequence[Record]) -> pd.DataFrame:
    """The stored counts with each record's (department, month) replaced by the file's."""
    new = pd.DataFrame(
        [(r.code, r.month, r.print_sheets, r.copy_sheets, r.excluded_sheets) for r in records],
        columns=frames.COUNT_COLUMNS,
    )
    keys = set(zip(new["department"], new["month"], strict=True))
    replaced = [(d, m) in keys for d, m in zip(stored["department"], stored["month"], strict=True)]
    kept = stored[~pd.Series(replaced, index=stored.index, dtype=bool)]
    return pd.concat([kept, new], ignore_index=True)


def _row(change: Change, figure: Figure | None) -> dict[str, Any]:
    record, old, baseline = change.record, change.old, change.baseline
    rate = gap = None
    rate_status = None
    rate_label = gap_label = wording.MISSING
    if figure is not None:
        rate, gap, rate_status = figure.rate, figure.gap, figure.status
        rate_label = wording.percent(rate, rate_status)
        if rate is not None:
            gap_label = wording.gap_text(gap, figure.threshold)
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
        "rate_status": rate_status,
        "gap": gap,
        "gap_label": gap_label,
    }

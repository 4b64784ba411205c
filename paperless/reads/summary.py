"""The reduction summary for machines: what ``paperless_summary`` and /api/summary.json print.

A fixed number of queries whatever the size of the org tree or the number of months:
the frames come from ``frames`` (one query per concept), the arithmetic from
``paperless.core.rollup``.
"""

from __future__ import annotations

from typing import Any

from paperless.core import rollup
from paperless.core.fiscal import format_month_iso
from paperless.core.period import Period
from paperless.core.records import to_records
from paperless.core.tree import preorder
from paperless.reads import frames

SUMMARY_FIELDS = (
    "code",
    "name",
    "kind",
    "current",
    "baseline",
    "rate",
    "adjusted_rate",
    "status",
    "gap",
    "coverage",
    "adjusted_coverage",
    "reporting",
)


def _rounded(value: Any) -> Any:
    return round(value, 4) if isinstance(value, float) else value


def unit_summary(*, code: str, period: Period, visible_ids: set[int] | None) -> dict[str, Any]:
    """``{"period": {"from", "to"}, "units": [...]}`` for ``code`` and every unit below.

    Rates and coverage are fractions rounded to four places, None where undefined.
    Five queries; below the city only the counts the unit's figures need.
    """
    rules = frames.rules_for(period.fy)
    units, preds = frames.units_frame(), frames.predecessors_frame()
    months = list(period.months)
    codes = preorder(units, code)
    counts = frames.counts_below(units, preds, codes=codes, months=months, base_fy=rules.base_fy)
    summary = rollup.summarize(counts, units, preds, months=months, rules=rules)
    if visible_ids is not None:
        ids = dict(zip(units["code"], units["id"], strict=True))
        codes = [c for c in codes if ids[c] in visible_ids]
    rows = [{k: _rounded(r[k]) for k in SUMMARY_FIELDS} for r in to_records(summary.loc[codes])]
    return {
        "period": {"from": format_month_iso(period.first), "to": format_month_iso(period.last)},
        "units": rows,
    }

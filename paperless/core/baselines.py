"""Counts cleaned and matched with their baselines, once per page (DESIGN.md §2).

Owns the cleaning of counts (one value per department-month, excluded sheets clipped),
the baseline of every department through reorganisations, and ``Prepared``: counts
joined to their baseline once, for ``rollup`` and ``series`` to read for any number of
periods and units. Pure: DataFrames in, DataFrames out; no Django.

A department's baseline for a month is its own count in the same calendar month of the
base fiscal year; a unit created in an April reorganisation inherits the sum of its
predecessors' baselines (``baseline_frame``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd


def month_keys(months: Iterable[date]) -> list[int]:
    """Sorted distinct month indexes (year * 12 + month - 1) of ``months``: the months of
    a period as the core's frames key them (DESIGN.md §2, Periods)."""
    return sorted({m.year * 12 + m.month - 1 for m in months})


def clean_counts(counts: pd.DataFrame) -> tuple[pd.DataFrame, pd.Index]:
    """One row per department-month (``count_rows``) plus ``_department_index``, each
    row's position in the sorted department names; and those names.

    Months are folded to their first day and repeated rows of a department-month are
    summed: one value per (department, month) (DESIGN.md §2, Counts). Excluded sheets
    not stated count as 0 and are clipped to the total they are part of (DESIGN.md §2,
    Exclusions).
    """
    # A frame holds few distinct months: parse and fold each once, then spread them.
    month_codes, distinct_months = pd.factorize(counts["month"], use_na_sentinel=False)
    stamps = pd.to_datetime(pd.Series(distinct_months)).dt.to_period("M").dt.to_timestamp()
    distinct_month_index = (stamps.dt.year * 12 + stamps.dt.month - 1).to_numpy()
    first_days = pd.Series(stamps.dt.date.to_numpy(), index=distinct_month_index)
    first_days = first_days[~first_days.index.duplicated()]
    department_index, names = pd.factorize(counts["department"], sort=True)
    names = pd.Index(names.to_numpy())  # infers the dtype, as grouping by name does
    total = counts["print_sheets"] + counts["copy_sheets"]
    excluded = pd.to_numeric(counts["excluded_sheets"], errors="coerce").fillna(0)
    month_index = distinct_month_index[month_codes]
    # Rows without a department or month are dropped.
    keep = (department_index >= 0) & pd.notna(month_index)
    # One integer key per department-month: sorted, it orders by department, then month.
    first_month = int(month_index[keep].min()) if keep.any() else 0
    month_span = int(month_index[keep].max()) - first_month + 1 if keep.any() else 1
    department_key = department_index[keep].astype("int64") * month_span
    key = department_key + (month_index[keep] - first_month).astype("int64")
    sums = pd.DataFrame(
        {
            "total": total.astype("int64").to_numpy()[keep],
            "excluded": excluded.clip(lower=0, upper=total).astype("int64").to_numpy()[keep],
        },
        index=key,
    )
    sums = sums.groupby(level=0).sum()
    row_department = (sums.index.to_numpy() // month_span).astype("int64")
    row_month = (sums.index.to_numpy() % month_span + first_month).astype(month_index.dtype)
    out = pd.DataFrame(
        {
            "department": names.take(row_department),
            "_month_index": row_month,
            "month": first_days.reindex(row_month).to_numpy(),
            "total": sums["total"].to_numpy(),
            "excluded": sums["excluded"].to_numpy(),
            "_department_index": row_department,
        }
    )
    return out, names


def count_rows(counts: pd.DataFrame) -> pd.DataFrame:
    """department, _month_index, month, total, excluded: one row per department-month,
    total = print + copy (DESIGN.md §2, Counts; Exclusions)."""
    return clean_counts(counts)[0].drop(columns="_department_index")


def _heir_levels(edges: pd.DataFrame) -> dict[str, int]:
    """How many predecessor generations lie behind each heir (units in a cycle: none),
    so chains of reorganisations resolve oldest first (DESIGN.md §2, Reorganisations)."""
    predecessors_of = edges.groupby("unit")["predecessor"].agg(list).to_dict()
    levels: dict[str, int] = {}
    while True:
        ready = {
            unit: 1 + max(levels.get(predecessor, 0) for predecessor in predecessors)
            for unit, predecessors in predecessors_of.items()
            if unit not in levels
            and all(
                predecessor in levels or predecessor not in predecessors_of
                for predecessor in predecessors
            )
        }
        if not ready:
            return levels
        levels.update(ready)


def baseline_sources(departments: Iterable[str], predecessors: pd.DataFrame) -> set[str]:
    """``departments`` and every predecessor behind them, however many generations back:
    the departments whose counts their figures and baselines can need (DESIGN.md §2,
    Reorganisations)."""
    edges = predecessors[["unit", "predecessor"]].dropna()
    behind = edges.groupby("unit")["predecessor"].agg(list).to_dict()
    found = set(departments)
    todo = list(found)
    while todo:
        for predecessor in behind.get(todo.pop(), []):
            if predecessor not in found:
                found.add(predecessor)
                todo.append(predecessor)
    return found


def _baseline(rows: pd.DataFrame, predecessors: pd.DataFrame, base_fy: int) -> pd.DataFrame:
    """department, _month_index, month, total, excluded for each base-FY month with a
    baseline: see ``baseline_frame`` (DESIGN.md §2, Baseline; Reorganisations)."""
    april = base_fy * 12 + 3  # month index of April of the base fiscal year
    columns = ["department", "_month_index", "month", "total", "excluded"]
    explicit = rows.loc[rows["_month_index"].between(april, april + 11), columns]
    edges = predecessors[["unit", "predecessor"]].dropna().drop_duplicates()
    edges = edges[edges["unit"] != edges["predecessor"]]
    levels = _heir_levels(edges)
    resolved = explicit
    # Heirs in order of depth, so each level reads its predecessors' final baselines.
    for level in sorted(set(levels.values())):
        heirs = edges[edges["unit"].map(levels) == level]
        inherited = (
            heirs.merge(resolved, left_on="predecessor", right_on="department")
            .groupby(["unit", "_month_index", "month"], as_index=False)[["total", "excluded"]]
            .sum()
            .rename(columns={"unit": "department"})
        )
        # An explicit baseline for that month wins over the predecessors' sum.
        own = inherited.merge(explicit[["department", "_month_index"]], how="left", indicator=True)
        inherited = inherited[(own["_merge"] == "left_only").to_numpy()]
        resolved = pd.concat([resolved, inherited[columns]], ignore_index=True)
    if resolved is explicit:  # no heirs: the counts are already in this order
        return explicit.reset_index(drop=True)
    return resolved.sort_values(["department", "_month_index"], ignore_index=True)


@dataclass(frozen=True, eq=False)
class Prepared:
    """Counts cleaned and matched with their baseline once, for any number of periods
    (DESIGN.md §2, Baseline).

    Build it with ``prepare``; every function of ``rollup`` and ``series`` that takes
    counts also takes this, so a page that needs several periods and units pays for the
    cleaning, the predecessor merge and the baseline join only once. ``rows``: department,
    _month_index, month, total, excluded, _department_index (position in
    ``departments``), baseline,
    baseline_excluded (NaN without a baseline for that calendar month), sorted by
    department and month; ``baseline``: see ``_baseline``; ``departments``: the sorted
    names of the departments that reported.
    """

    rows: pd.DataFrame
    baseline: pd.DataFrame
    departments: pd.Index
    base_fy: int


def prepare(counts: pd.DataFrame, predecessors: pd.DataFrame, *, base_fy: int) -> Prepared:
    """``counts`` (the columns of ``reads.frames.counts_frame``) ready for repeated use:
    each row joined to the same calendar month of the base fiscal year (DESIGN.md §2,
    Baseline)."""
    cleaned, names = clean_counts(counts)
    baseline = _baseline(cleaned, predecessors, base_fy)
    # The base FY holds each calendar month once: look each row's calendar month up there,
    # keyed by department index * 12 + calendar month.
    base_department = names.get_indexer(baseline["department"])  # -1: heir, no reports
    base_calendar_month = baseline["_month_index"].to_numpy().astype("int64") % 12
    base_keys = pd.Index(base_department * 12 + base_calendar_month)[base_department >= 0]
    calendar_month = cleaned["_month_index"].to_numpy().astype("int64") % 12
    base_at = base_keys.get_indexer(cleaned["_department_index"].to_numpy() * 12 + calendar_month)
    found = base_at >= 0
    rows = cleaned.copy()
    for column, source in (("baseline", "total"), ("baseline_excluded", "excluded")):
        values = baseline[source].to_numpy()[base_department >= 0]
        # Position -1 (no baseline) reads the NaN put at the end.
        rows[column] = values[base_at] if found.all() else np.append(values, np.nan)[base_at]
    return Prepared(rows=rows, baseline=baseline, departments=names, base_fy=base_fy)


# Raw counts (the columns of ``reads.frames.counts_frame``) or the same, prepared.
Counts = pd.DataFrame | Prepared


def prepared_of(counts: Counts, predecessors: pd.DataFrame, base_fy: int) -> Prepared:
    """``counts`` as ``Prepared`` for ``base_fy``: prepared here when raw, checked when
    already prepared, as a baseline belongs to one base fiscal year (DESIGN.md §2,
    Baseline). ValueError for counts prepared for another base year."""
    if not isinstance(counts, Prepared):
        return prepare(counts, predecessors, base_fy=base_fy)
    if counts.base_fy != base_fy:
        raise ValueError(f"counts prepared for base FY {counts.base_fy}, not {base_fy}")
    return counts


def baseline_frame(counts: Counts, predecessors: pd.DataFrame, *, base_fy: int) -> pd.DataFrame:
    """Each department's baseline per base-FY month: department, month, total, excluded.

    A department's own counts in the base fiscal year are its baseline for those
    months. For a month it has no count of its own, a unit with predecessors gets the
    sum of its predecessors' baselines for that month, over the predecessors that have
    one (a month none of them has stays missing). Predecessors' baselines are resolved
    the same way first, so a predecessor of a predecessor counts. Units caught in a
    predecessor cycle keep their own counts only.

    DESIGN.md §2, Baseline; Reorganisations. Shares are not modelled here: each
    predecessor passes on its whole baseline, and an heir's month needs only one
    predecessor with a baseline for it, where the rule asks for shares and for every
    predecessor with a share.
    """
    if isinstance(counts, Prepared):
        baseline = prepared_of(counts, predecessors, base_fy).baseline
    else:
        baseline = _baseline(count_rows(counts), predecessors, base_fy)
    return baseline[["department", "month", "total", "excluded"]]

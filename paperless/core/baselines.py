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

from paperless.core.succession import Link, effective_shares


def month_keys(months: Iterable[date]) -> list[int]:
    """Sorted distinct month indexes (year * 12 + month - 1) of ``months``: the months of
    a period as the core's frames key them (DESIGN.md §2, Periods)."""
    return sorted({m.year * 12 + m.month - 1 for m in months})


def clean_counts(counts: pd.DataFrame) -> tuple[pd.DataFrame, pd.Index]:
    """One row per department-month (``count_rows``) plus ``_department_index``, each
    row's position in the sorted department names; and those names.

    Months are folded to their first day and repeated rows of a department-month are
    summed: one value per (department, month) (DESIGN.md §2, Counts). Excluded sheets
    are clipped to the total they are part of; ``excluded_stated`` says whether they
    were stated at all (a blank is 0 sheets, but not a statement: DESIGN.md §2,
    Adjusted rate).
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
    stated_excluded = pd.to_numeric(counts["excluded_sheets"], errors="coerce")
    excluded = stated_excluded.fillna(0)
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
            "unstated": stated_excluded.isna().to_numpy()[keep].astype("int64"),
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
            # 0 is a statement, a blank is not: only stated months enter the adjusted rate.
            "excluded_stated": sums["unstated"].to_numpy() == 0,
            "_department_index": row_department,
        }
    )
    return out, names


def count_rows(counts: pd.DataFrame) -> pd.DataFrame:
    """department, _month_index, month, total, excluded, excluded_stated: one row per
    department-month, total = print + copy (DESIGN.md §2, Counts; Exclusions)."""
    return clean_counts(counts)[0].drop(columns="_department_index")


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


_BASE_COLUMNS = ["department", "_month_index", "month", "total", "excluded", "excluded_stated"]


@dataclass(frozen=True)
class _Months:
    """One department's twelve base-FY months: sheets, excluded sheets, which months are
    complete and which state their excluded sheets."""

    total: np.ndarray
    excluded: np.ndarray
    complete: np.ndarray
    stated: np.ndarray

    def scaled(self, share: float) -> _Months:
        return _Months(self.total * share, self.excluded * share, self.complete, self.stated)


def _links(predecessors: pd.DataFrame) -> tuple[dict[str, list[tuple[str, float]]], dict]:
    """Each heir's (predecessor, share) links and what each active predecessor keeps,
    by the rules of ``succession`` (an unstated share is the whole predecessor)."""
    frame = predecessors.dropna(subset=["unit", "predecessor"])
    frame = frame[frame["unit"] != frame["predecessor"]].drop_duplicates(["unit", "predecessor"])
    shares = frame.get("share", pd.Series(np.nan, index=frame.index))
    active = frame.get("predecessor_active", pd.Series(False, index=frame.index))
    links = [
        Link(heir, predecessor, None if pd.isna(share) else share)
        for heir, predecessor, share in zip(
            frame["unit"], frame["predecessor"], shares, strict=True
        )
    ]
    stays = {code: bool(flag) for code, flag in zip(frame["predecessor"], active, strict=True)}
    share_of, kept = effective_shares(links, stays)
    behind: dict[str, list[tuple[str, float]]] = {}
    for (heir, predecessor), share in share_of.items():
        behind.setdefault(heir, []).append((predecessor, share))
    return behind, kept


def _baseline(rows: pd.DataFrame, predecessors: pd.DataFrame, base_fy: int) -> pd.DataFrame:
    """department, _month_index, month, total, excluded, excluded_stated for each base-FY
    month with a complete baseline: see ``baseline_frame`` (DESIGN.md §2, Baseline;
    Reorganisations)."""
    april = base_fy * 12 + 3  # month index of April of the base fiscal year
    own = rows.loc[rows["_month_index"].between(april, april + 11), _BASE_COLUMNS]
    behind, kept = _links(predecessors)
    if not behind:  # no reorganisation: every baseline is the department's own count
        return own.reset_index(drop=True)
    slot = own["_month_index"].to_numpy().astype("int64") - april
    own_months: dict[str, _Months] = {}
    for department, group in own.groupby("department", sort=False).indices.items():
        at = slot[group]
        months = _Months(np.zeros(12), np.zeros(12), np.zeros(12, bool), np.zeros(12, bool))
        months.total[at] = own["total"].to_numpy()[group]
        months.excluded[at] = own["excluded"].to_numpy()[group]
        months.complete[at] = True
        months.stated[at] = own["excluded_stated"].to_numpy()[group]
        own_months[department] = months
    whole: dict[str, _Months | None] = {}

    def full(unit: str) -> _Months | None:
        """The unit's whole base: its own months plus its predecessors' shares; None for
        a unit caught in a predecessor cycle (it keeps its own months only)."""
        if unit in whole:
            return whole[unit]
        whole[unit] = None  # visiting: a cycle back here reads None
        mine = own_months.get(unit)
        result = mine
        if unit in behind:
            total = np.zeros(12) if mine is None else mine.total.copy()
            excluded = np.zeros(12) if mine is None else mine.excluded.copy()
            # A unit that reported in the base year needs its own month too.
            complete = np.ones(12, bool) if mine is None else mine.complete.copy()
            stated = np.ones(12, bool) if mine is None else mine.stated.copy()
            for predecessor, share in behind[unit]:
                part = full(predecessor)
                if part is None:  # a cycle: own counts only, or nothing
                    whole[unit] = mine
                    return mine
                total += share * part.total
                excluded += share * part.excluded
                if share > 0:  # comparable only when every contributing part reported
                    complete &= part.complete
                    stated &= part.stated
            result = _Months(total, excluded, complete, stated)
        whole[unit] = result
        return result

    frames = []
    involved = set(behind) | set(kept)
    plain = own[~own["department"].isin(involved)]
    for unit in sorted(involved):
        months = full(unit)
        if months is None:
            continue
        months = months.scaled(kept.get(unit, 1.0))
        at = np.flatnonzero(months.complete)
        frames.append(
            pd.DataFrame(
                {
                    "department": unit,
                    "_month_index": at + april,
                    "total": months.total[at],
                    "excluded": months.excluded[at],
                    "excluded_stated": months.stated[at],
                }
            )
        )
    if not frames:  # no unit behind a reorganisation has a base month in these counts
        return plain.sort_values(["department", "_month_index"], ignore_index=True)
    resolved = pd.concat(frames, ignore_index=True)
    resolved["month"] = [date(i // 12, i % 12 + 1, 1) for i in resolved["_month_index"]]
    resolved = pd.concat([plain, resolved[_BASE_COLUMNS]], ignore_index=True)
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
        values = baseline[source].to_numpy(dtype="float64")[base_department >= 0]
        # Position -1 (no baseline) reads the NaN put at the end.
        rows[column] = values[base_at] if found.all() else np.append(values, np.nan)[base_at]
    stated = baseline["excluded_stated"].to_numpy(dtype=bool)[base_department >= 0]
    rows["baseline_excluded_stated"] = np.append(stated, False)[base_at]
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

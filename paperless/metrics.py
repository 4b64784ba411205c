"""Reduction rates, status, gap and coverage over the org tree (DESIGN.md §2).

Pure: DataFrames in, DataFrames out; no Django, inputs are never modified.

Conventions shared by every function here:

* A month is a ``datetime.date`` on the first of the month (other days are folded).
* Rates are fractions (``0.312``). "No value" is NaN in float columns (rates,
  coverage), ``pd.NA`` in the nullable ``Int64`` column ``gap``; ``to_records``
  turns both into ``None`` for templates and JSON.
* Excluded sheets not stated count as 0 and are clipped to ``[0, total]``: they are
  part of the print + copy total, so an adjusted rate can never exceed 1 either.
* Only comparable months are summed: a (department, month) with both a current and a
  baseline value. A missing month is never read as zero sheets.
* Every function that takes counts also takes them ``prepare``-d: a page that asks for
  several periods or units cleans the counts and joins their baseline only once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import numpy as np
import pandas as pd

from paperless.fiscal import fiscal_months, month_start

ACHIEVED = "achieved"
LAGGING = "lagging"
NO_DATA = "no_data"
NO_BASELINE = "no_baseline"
DEPARTMENT = "department"

# 1 - 80/100 is 0.19999999999999996: an exact 20% cut must still reach a 20% threshold.
_DECIMALS = 12

PROJECTION_METHOD = (
    "残りの月は、各所属の直近3か月（基準年度と比較できる月）の削減率が続くと仮定し、"
    "基準年度同月の枚数から推計しています。直近3か月で計算できない所属は今年度累計の"
    "削減率を、それもない所属は削減なしとして扱います。今年度まだ報告のない所属は"
    "推計に含めません。"
)

_SUMS = ["current", "baseline", "current_adjusted", "baseline_adjusted"]


@dataclass(frozen=True)
class Rules:
    """The policy a period is judged by; ``status_basis`` picks the rate behind status."""

    base_fy: int = 2020
    threshold: float = 0.30
    city_goal: float | None = None
    status_basis: Literal["gross", "adjusted"] = "gross"

    def __post_init__(self) -> None:
        if self.status_basis not in ("gross", "adjusted"):
            raise ValueError(f"status_basis must be gross or adjusted: {self.status_basis!r}")
        if not 0 <= self.threshold <= 1:
            raise ValueError(f"threshold must be a fraction: {self.threshold!r}")

    @property
    def adjusted(self) -> bool:
        return self.status_basis == "adjusted"


def reduction_rate(current: int | float, baseline: int | float) -> float | None:
    """1 - current/baseline over comparable months; None when there is no baseline."""
    if pd.isna(current) or pd.isna(baseline) or baseline <= 0:
        return None
    return 1 - current / baseline


def _rate(current: pd.Series, baseline: pd.Series) -> pd.Series:
    return (1 - current / baseline.where(baseline > 0)).astype("float64")


def _at_least(rate: pd.Series, threshold: float) -> pd.Series:
    return rate.round(_DECIMALS) >= round(threshold, _DECIMALS)


def _month_keys(months: Iterable[date]) -> list[int]:
    """Sorted distinct month indexes (year * 12 + month - 1) of ``months``."""
    return sorted({m.year * 12 + m.month - 1 for m in months})


def _clean(counts: pd.DataFrame) -> tuple[pd.DataFrame, pd.Index]:
    """``_counts`` plus ``_d``, each row's position in the sorted department names."""
    # A frame holds few distinct months: parse and fold each once, then spread them.
    codes, uniques = pd.factorize(counts["month"], use_na_sentinel=False)
    stamps = pd.to_datetime(pd.Series(uniques)).dt.to_period("M").dt.to_timestamp()
    month_index = (stamps.dt.year * 12 + stamps.dt.month - 1).to_numpy()
    first_days = pd.Series(stamps.dt.date.to_numpy(), index=month_index)
    first_days = first_days[~first_days.index.duplicated()]
    dept, names = pd.factorize(counts["department"], sort=True)
    names = pd.Index(names.to_numpy())  # infers the dtype, as grouping by name does
    total = counts["print_sheets"] + counts["copy_sheets"]
    excluded = pd.to_numeric(counts["excluded_sheets"], errors="coerce").fillna(0)
    mi = month_index[codes]
    keep = (dept >= 0) & pd.notna(mi)  # rows without a department or month are dropped
    # One integer key per department-month: sorted, it orders by department, then month.
    low = int(mi[keep].min()) if keep.any() else 0
    span = int(mi[keep].max()) - low + 1 if keep.any() else 1
    key = dept[keep].astype("int64") * span + (mi[keep] - low).astype("int64")
    sums = pd.DataFrame(
        {
            "total": total.astype("int64").to_numpy()[keep],
            "excluded": excluded.clip(lower=0, upper=total).astype("int64").to_numpy()[keep],
        },
        index=key,
    )
    sums = sums.groupby(level=0).sum()
    position = (sums.index.to_numpy() // span).astype("int64")
    month = (sums.index.to_numpy() % span + low).astype(mi.dtype)
    out = pd.DataFrame(
        {
            "department": names.take(position),
            "_mi": month,
            "month": first_days.reindex(month).to_numpy(),
            "total": sums["total"].to_numpy(),
            "excluded": sums["excluded"].to_numpy(),
            "_d": position,
        }
    )
    return out, names


def _counts(counts: pd.DataFrame) -> pd.DataFrame:
    """department, _mi (month index), month, total, excluded: one row per dept-month."""
    return _clean(counts)[0].drop(columns="_d")


def _heir_levels(edges: pd.DataFrame) -> dict[str, int]:
    """How many predecessor generations lie behind each heir (units in a cycle: none)."""
    preds = edges.groupby("unit")["predecessor"].agg(list).to_dict()
    levels: dict[str, int] = {}
    while True:
        ready = {
            unit: 1 + max(levels.get(p, 0) for p in ps)
            for unit, ps in preds.items()
            if unit not in levels and all(p in levels or p not in preds for p in ps)
        }
        if not ready:
            return levels
        levels.update(ready)


def _baseline(c: pd.DataFrame, predecessors: pd.DataFrame, base_fy: int) -> pd.DataFrame:
    """department, _mi, month, total, excluded for each base-FY month with a baseline."""
    first = base_fy * 12 + 3  # April of the base fiscal year
    cols = ["department", "_mi", "month", "total", "excluded"]
    explicit = c.loc[c["_mi"].between(first, first + 11), cols]
    edges = predecessors[["unit", "predecessor"]].dropna().drop_duplicates()
    edges = edges[edges["unit"] != edges["predecessor"]]
    levels = _heir_levels(edges)
    resolved = explicit
    # Heirs in order of depth, so each level reads its predecessors' final baselines.
    for level in sorted(set(levels.values())):
        heirs = edges[edges["unit"].map(levels) == level]
        inherited = (
            heirs.merge(resolved, left_on="predecessor", right_on="department")
            .groupby(["unit", "_mi", "month"], as_index=False)[["total", "excluded"]]
            .sum()
            .rename(columns={"unit": "department"})
        )
        # An explicit baseline for that month wins over the predecessors' sum.
        own = inherited.merge(explicit[["department", "_mi"]], how="left", indicator=True)
        inherited = inherited[(own["_merge"] == "left_only").to_numpy()]
        resolved = pd.concat([resolved, inherited[cols]], ignore_index=True)
    if resolved is explicit:  # no heirs: the counts are already in this order
        return explicit.reset_index(drop=True)
    return resolved.sort_values(["department", "_mi"], ignore_index=True)


@dataclass(frozen=True, eq=False)
class Prepared:
    """Counts cleaned and matched with their baseline once, for any number of periods.

    Build it with ``prepare``; every function here that takes counts also takes this,
    so a page that needs several periods and units pays for the cleaning, the
    predecessor merge and the baseline join only once. ``rows``: department, _mi,
    month, total, excluded, _d (position in ``departments``), baseline,
    baseline_excluded (NaN without a baseline for that calendar month), sorted by
    department and month; ``baseline``: see ``_baseline``; ``departments``: the sorted
    names of the departments that reported.
    """

    rows: pd.DataFrame
    baseline: pd.DataFrame
    departments: pd.Index
    base_fy: int


def prepare(counts: pd.DataFrame, predecessors: pd.DataFrame, *, base_fy: int) -> Prepared:
    """``counts`` (the columns of ``queries.counts_frame``) ready for repeated use."""
    c, names = _clean(counts)
    base = _baseline(c, predecessors, base_fy)
    # The base FY holds each calendar month once: look each row's calendar month up there.
    owner = names.get_indexer(base["department"])  # -1: an heir that reported nothing
    ref = pd.Index(owner * 12 + base["_mi"].to_numpy().astype("int64") % 12)[owner >= 0]
    at = ref.get_indexer(c["_d"].to_numpy() * 12 + c["_mi"].to_numpy().astype("int64") % 12)
    found = at >= 0
    rows = c.copy()
    for column, source in (("baseline", "total"), ("baseline_excluded", "excluded")):
        values = base[source].to_numpy()[owner >= 0]
        # Position -1 (no baseline) reads the NaN put at the end.
        rows[column] = values[at] if found.all() else np.append(values, np.nan)[at]
    return Prepared(rows=rows, baseline=base, departments=names, base_fy=base_fy)


Counts = pd.DataFrame | Prepared


def _prepared(counts: Counts, predecessors: pd.DataFrame, base_fy: int) -> Prepared:
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
    """
    if isinstance(counts, Prepared):
        base = _prepared(counts, predecessors, base_fy).baseline
    else:
        base = _baseline(_counts(counts), predecessors, base_fy)
    return base[["department", "month", "total", "excluded"]]


def _join(p: Prepared, months: Iterable[date]) -> pd.DataFrame:
    """Reported rows in ``months`` with their baseline (NaN when none) and comparable."""
    rows = p.rows[p.rows["_mi"].isin(_month_keys(months))]
    joined = rows.rename(columns={"total": "current", "excluded": "current_excluded"})
    return joined.assign(comparable=joined["baseline"].notna())


def reported_frame(counts: Counts, *, months: list[date]) -> pd.DataFrame:
    """Every reported (department, month in ``months``), comparable or not.

    Columns: department, month, current, current_excluded. Anti-join it with
    ``comparable_frame`` to find months that have a current value but no baseline.
    """
    c = counts.rows if isinstance(counts, Prepared) else _counts(counts)
    rows = c[c["_mi"].isin(_month_keys(months))]
    rows = rows.rename(columns={"total": "current", "excluded": "current_excluded"})
    return rows[["department", "month", "current", "current_excluded"]].reset_index(drop=True)


def comparable_frame(
    counts: Counts, predecessors: pd.DataFrame, *, months: list[date], base_fy: int
) -> pd.DataFrame:
    """One row per comparable (department, month in ``months``).

    Columns: department, month, current, current_excluded, baseline, baseline_excluded.
    """
    joined = _join(_prepared(counts, predecessors, base_fy), months)
    rows = joined[joined["comparable"]].sort_values(["department", "_mi"])
    cols = ["department", "month", "current", "current_excluded"]
    out = rows[cols].reset_index(drop=True)
    out["baseline"] = rows["baseline"].astype("int64").to_numpy()
    out["baseline_excluded"] = rows["baseline_excluded"].astype("int64").to_numpy()
    return out


def _sums(joined: pd.DataFrame, by: str, names: pd.Index | None = None) -> pd.DataFrame:
    """Additive sums per ``by`` (department or month): units sum these, never mean rates.

    With ``names`` (``Prepared.departments``) departments are grouped by their integer
    position ``_d``, which sorts like the names and is much faster to group.
    """
    key = "_d" if names is not None else by
    comp = joined["comparable"]
    net_current = joined["current"] - joined["current_excluded"]
    net_baseline = joined["baseline"] - joined["baseline_excluded"]
    frame = pd.DataFrame(
        {
            key: joined[key],
            "current": joined["current"].where(comp, 0),
            "baseline": joined["baseline"].where(comp, 0),
            "current_adjusted": net_current.where(comp, 0),
            "baseline_adjusted": net_baseline.where(comp, 0),
            "comparable_months": comp.astype("int64"),
            "reported_months": 1,
            "current_all": joined["current"],
        }
    )
    out = frame.groupby(key).sum()
    if names is not None:
        out.index = names.take(out.index.to_numpy()).rename(by)
    return out


def _tree(units: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unit codes, and per (department, unit at or above it): the department, the unit.

    The pairs come each department's chain in turn, itself first; units are positions
    in the codes (the last row of a repeated code).
    """
    codes = units["code"].to_numpy(dtype=object)
    position = {code: i for i, code in enumerate(codes)}
    up = np.array(
        [position.get(p, -1) if isinstance(p, str) else -1 for p in units["parent"].tolist()],
        dtype=np.int64,
    )
    depts = codes[(units["kind"] == DEPARTMENT).to_numpy()]
    # One step up the tree for every department at once; a chain ends at the root, at
    # an unknown parent or where it would come back to a unit it already passed.
    owner = np.array([i for i, d in enumerate(depts) if isinstance(d, str)], dtype=np.int64)
    node = np.array([position[d] for d in depts[owner]], dtype=np.int64)
    owners, nodes, steps = [owner], [node], [np.zeros(len(node), dtype=np.int64)]
    passed = [node]
    while node.size:
        node = up[node]
        keep = node >= 0
        for earlier in passed:
            keep &= node != earlier
        owner, node = owner[keep], node[keep]
        passed = [earlier[keep] for earlier in passed] + [node]
        owners.append(owner)
        nodes.append(node)
        steps.append(np.full(len(node), len(steps)))
    order = np.lexsort((np.concatenate(steps), np.concatenate(owners)))
    return codes, depts[np.concatenate(owners)[order]], np.concatenate(nodes)[order]


def _roll_up(per_dept: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Sum per-department columns over each unit's departments; a row for every unit."""
    codes, depts, nodes = _tree(units)
    rows = per_dept.reindex(pd.Index(depts, dtype=object)).set_axis(nodes)
    summed = rows.groupby(level=0).sum(min_count=1)
    position = {code: i for i, code in enumerate(codes)}
    summed = summed.reindex([position[code] for code in codes])
    return summed.set_axis(pd.Index(units["code"], name="code")).fillna(0)


def summarize(
    counts: Counts,
    units: pd.DataFrame,
    predecessors: pd.DataFrame,
    *,
    months: list[date],
    rules: Rules,
) -> pd.DataFrame:
    """One row per unit of ``units`` (index ``code``) for the period ``months``.

    Columns: name, kind, parent, current, baseline, current_adjusted,
    baseline_adjusted (int sums over comparable months), rate, adjusted_rate (float,
    NaN without baseline), status, gap (Int64, NA without baseline), coverage (float),
    comparable_months, expected_months, reported_months, current_all (int).

    ``gap`` is in sheets on the basis that drives status (gross unless the rules say
    adjusted): positive is what must still be cut to reach the threshold.
    ``expected_months`` is the number of period months times the departments under the
    unit that are active or reported in the period (1 for a department), so a
    department abolished since then still counts where it reported and coverage
    never exceeds 1.
    """
    depts = units.loc[units["kind"] == DEPARTMENT].set_index("code")
    prepared = _prepared(counts, predecessors, rules.base_fy)
    joined = _join(prepared, months)
    per_dept = _sums(joined, "department", prepared.departments)
    per_dept = per_dept.reindex(depts.index, fill_value=0)
    is_expected = depts["active"].astype(bool) | (per_dept["reported_months"] > 0)
    table = _roll_up(per_dept.assign(expected=is_expected), units).astype("int64")
    is_dept = (units["kind"] == DEPARTMENT).to_numpy()
    expected = table["expected"].where(~is_dept, 1) * len(_month_keys(months))

    out = units.set_index("code")[["name", "kind", "parent"]].join(table[_SUMS])
    out["rate"] = _rate(table["current"], table["baseline"])
    out["adjusted_rate"] = _rate(table["current_adjusted"], table["baseline_adjusted"])
    basis = "_adjusted" if rules.adjusted else ""
    driving = out["adjusted_rate"] if rules.adjusted else out["rate"]
    out["status"] = np.select(
        [table["reported_months"] == 0, driving.isna(), _at_least(driving, rules.threshold)],
        [NO_DATA, NO_BASELINE, ACHIEVED],
        LAGGING,
    )
    gap = table[f"current{basis}"] - (1 - rules.threshold) * table[f"baseline{basis}"]
    out["gap"] = gap.where(driving.notna()).round().astype("Int64")
    out["coverage"] = (table["comparable_months"] / expected.where(expected > 0)).astype("float64")
    out["comparable_months"] = table["comparable_months"]
    out["expected_months"] = expected
    return out.join(table[["reported_months", "current_all"]])


def _descendants(units: pd.DataFrame, unit: str) -> pd.Series:
    if unit not in set(units["code"]):
        raise KeyError(f"unknown unit {unit!r}")
    codes, depts, nodes = _tree(units)
    return pd.Series(depts[codes[nodes] == unit], dtype=object, name="department")


def monthly_series(
    counts: Counts,
    units: pd.DataFrame,
    predecessors: pd.DataFrame,
    *,
    unit: str,
    months: list[date],
    rules: Rules,
) -> pd.DataFrame:
    """Per month of ``months`` (sorted, one row each) for ``unit``'s departments.

    Columns: month, current, baseline, threshold_path (baseline x (1 - threshold)),
    rate, adjusted_rate, comparable_departments. Each month sums only the departments
    comparable in that month; a month with none has NaN values (a gap in the line).
    """
    depts = _descendants(units, unit)
    joined = _join(_prepared(counts, predecessors, rules.base_fy), months)
    keys = _month_keys(months)
    per = _sums(joined[joined["department"].isin(depts)], "_mi").reindex(keys)
    departments = per["comparable_months"].fillna(0).astype("int64")
    per = per[_SUMS].where(departments > 0).astype("float64")
    return pd.DataFrame(
        {
            "month": [date(k // 12, k % 12 + 1, 1) for k in keys],
            "current": per["current"].to_numpy(),
            "baseline": per["baseline"].to_numpy(),
            "threshold_path": (per["baseline"] * (1 - rules.threshold)).to_numpy(),
            "rate": _rate(per["current"], per["baseline"]).to_numpy(),
            "adjusted_rate": _rate(per["current_adjusted"], per["baseline_adjusted"]).to_numpy(),
            "comparable_departments": departments.astype("int64").to_numpy(),
        }
    )


def project_fiscal_year(
    counts: Counts,
    units: pd.DataFrame,
    predecessors: pd.DataFrame,
    *,
    fy: int,
    latest: date,
    rules: Rules,
) -> pd.DataFrame:
    """Where each unit's rate for fiscal year ``fy`` ends if the recent pace continues.

    Method (shown to users as ``PROJECTION_METHOD``): for each month of ``fy`` after
    ``latest``, a department that reported this FY is projected at its baseline for
    that month x (1 - its rate over its last 3 comparable months of the FY to date),
    falling back to its FY-to-date rate, then to no reduction. Departments with no
    report this FY are left out. projected_rate = 1 - (Σ actual comparable to date +
    Σ projected) / (Σ baseline of those same months). Rates use the status basis.

    Index ``code`` (every unit); columns: current_rate, projected_rate (float, NaN
    without baseline), at_risk (bool: current rate at or above the threshold but
    projected below it), projected_current, projected_baseline (int sheets, whole FY).
    """
    fy_months = fiscal_months(fy)
    cutoff = month_start(latest)
    prepared = _prepared(counts, predecessors, rules.base_fy)
    base = prepared.baseline
    done = _join(prepared, [m for m in fy_months if m <= cutoff])
    cur, bas = ("current_adjusted", "baseline_adjusted") if rules.adjusted else _SUMS[:2]
    comp = done[done["comparable"]].sort_values("_mi")
    fytd = _sums(comp, "department", prepared.departments)
    recent = _sums(comp.groupby("_d").tail(3), "department", prepared.departments)
    pace = _rate(recent[cur], recent[bas]).fillna(_rate(fytd[cur], fytd[bas]))

    # Remaining months: each reporting department's baseline for them, at its pace.
    net = base["total"] - (base["excluded"] if rules.adjusted else 0)
    ahead = pd.DataFrame({"_cal": [m.month - 1 for m in fy_months if m > cutoff]}).merge(
        pd.DataFrame({"department": base["department"], "_cal": base["_mi"] % 12, "base": net})
    )
    ahead = ahead[ahead["department"].isin(done["department"])]
    ahead["cur"] = ahead["base"] * (1 - ahead["department"].map(pace).fillna(0))
    per_dept = pd.concat(
        [
            fytd[[cur, bas]].set_axis(["actual_current", "actual_baseline"], axis=1),
            ahead.groupby("department")[["cur", "base"]].sum(),
        ],
        axis=1,
    ).fillna(0)
    table = _roll_up(per_dept, units)
    total_cur = table["actual_current"] + table["cur"]
    total_base = table["actual_baseline"] + table["base"]
    out = pd.DataFrame(index=table.index)
    out["current_rate"] = _rate(table["actual_current"], table["actual_baseline"])
    out["projected_rate"] = _rate(total_cur, total_base)
    out["at_risk"] = (
        _at_least(out["current_rate"], rules.threshold)
        & ~_at_least(out["projected_rate"], rules.threshold)
        & out["projected_rate"].notna()
    )
    out["projected_current"] = total_cur.round().astype("int64")
    out["projected_baseline"] = total_base.round().astype("int64")
    return out


def _native(value: Any) -> Any:
    if value is None or (not isinstance(value, str | date) and pd.isna(value)):
        return None
    return value.item() if isinstance(value, np.generic) else value


def to_records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts of plain Python values; NaN and NA become None (named index kept)."""
    frame = df.reset_index() if df.index.name is not None else df
    columns = [str(c) for c in frame.columns]
    return [
        dict(zip(columns, map(_native, row), strict=True))
        for row in frame.itertuples(index=False, name=None)
    ]

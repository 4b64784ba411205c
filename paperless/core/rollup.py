"""Sums over comparable months, rolled up the org tree (DESIGN.md §2).

Owns the figures of a period for every unit: joining prepared counts to the period's
months, the additive sums per department, the walk up the org tree and the roll-up
over it, and from those sums the rates, status, gap and comparable share
(``summarize``). Pure: DataFrames in, DataFrames out; no Django, inputs are never
modified.

Conventions shared by every function here and in ``series``:

* A month is a ``datetime.date`` on the first of the month (other days are folded).
* Rates are fractions (``0.312``). "No value" is NaN in float columns (rates,
  coverage), ``pd.NA`` in the nullable ``Int64`` column ``gap``; ``records.to_records``
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
from datetime import date

import numpy as np
import pandas as pd

from paperless.core.baselines import (
    Counts,
    Prepared,
    count_rows,
    month_keys,
    prepared_of,
)
from paperless.core.rates import (
    ACHIEVED,
    DEPARTMENT,
    LAGGING,
    NO_BASELINE,
    NO_DATA,
    Rules,
    reaches_threshold,
    reduction_rates,
)

# The additive sums behind the gross and the adjusted rate.
SUM_COLUMNS = ["current", "baseline", "current_adjusted", "baseline_adjusted"]


def period_rows(prepared: Prepared, months: Iterable[date]) -> pd.DataFrame:
    """Reported rows in ``months`` with their baseline (NaN when none), whether the month
    is comparable (only those are summed: DESIGN.md §2, Reduction rate) and whether it
    is comparable for the adjusted rate (DESIGN.md §2, Adjusted rate)."""
    rows = prepared.rows[prepared.rows["_month_index"].isin(month_keys(months))]
    joined = rows.rename(columns={"total": "current", "excluded": "current_excluded"})
    comparable = joined["baseline"].notna()
    # The adjusted rate compares a month only when both sides state their exclusions.
    adjusted = comparable & joined["excluded_stated"] & joined["baseline_excluded_stated"]
    return joined.assign(comparable=comparable, adjusted_comparable=adjusted)


def reported_frame(counts: Counts, *, months: list[date]) -> pd.DataFrame:
    """Every reported (department, month in ``months``), comparable or not.

    Columns: department, month, current, current_excluded. Anti-join it with
    ``comparable_frame`` to find months that have a current value but no baseline.
    (DESIGN.md §2, Reporting rate and comparable share: months reported.)
    """
    all_rows = counts.rows if isinstance(counts, Prepared) else count_rows(counts)
    rows = all_rows[all_rows["_month_index"].isin(month_keys(months))]
    rows = rows.rename(columns={"total": "current", "excluded": "current_excluded"})
    return rows[["department", "month", "current", "current_excluded"]].reset_index(drop=True)


def comparable_frame(
    counts: Counts, predecessors: pd.DataFrame, *, months: list[date], base_fy: int
) -> pd.DataFrame:
    """One row per comparable (department, month in ``months``).

    Columns: department, month, current, current_excluded, baseline, baseline_excluded,
    adjusted_comparable. Comparable: the department has both a current and a complete
    baseline value for the month (DESIGN.md §2, Reduction rate); adjusted_comparable:
    both also state their excluded sheets (DESIGN.md §2, Adjusted rate).
    """
    joined = period_rows(prepared_of(counts, predecessors, base_fy), months)
    rows = joined[joined["comparable"]].sort_values(["department", "_month_index"])
    columns = ["department", "month", "current", "current_excluded"]
    out = rows[columns].reset_index(drop=True)
    # Shares of a reorganisation can make a baseline a fraction of a sheet.
    out["baseline"] = rows["baseline"].to_numpy(dtype="float64")
    out["baseline_excluded"] = rows["baseline_excluded"].to_numpy(dtype="float64")
    out["adjusted_comparable"] = rows["adjusted_comparable"].to_numpy(dtype=bool)
    return out


# Baselines are NaN where a month has none, and shares make fractions: float sums.
_FLOAT_SUMS = frozenset({"baseline", "baseline_adjusted"})


def sums_by(joined: pd.DataFrame, by: str, names: pd.Index | None = None) -> pd.DataFrame:
    """Additive sums per ``by`` (department or month): units sum these, never mean rates
    (DESIGN.md §2, Reduction rate; Adjusted rate).

    With ``names`` (``Prepared.departments``) departments are grouped by their integer
    position ``_department_index``, which sorts like the names. Groups are integer slots
    summed with ``np.bincount`` (exact: sheet counts stay far below 2**53); only groups
    with a reported row appear, in key order.
    """
    group = joined["_department_index" if names is not None else by].to_numpy(dtype="int64")
    first_group = int(group.min()) if len(group) else 0
    slot = group - first_group
    comparable = joined["comparable"].to_numpy(dtype=bool)
    adjusted = joined["adjusted_comparable"].to_numpy(dtype=bool)
    current = joined["current"].to_numpy(dtype="float64")
    baseline = joined["baseline"].to_numpy(dtype="float64")
    net_current = current - joined["current_excluded"].to_numpy(dtype="float64")
    net_baseline = baseline - joined["baseline_excluded"].to_numpy(dtype="float64")

    def total(values: np.ndarray) -> np.ndarray:
        return np.bincount(slot, weights=values, minlength=1)

    reported = np.bincount(slot, minlength=1)
    sums = {
        "current": total(np.where(comparable, current, 0)),
        "baseline": total(np.where(comparable, baseline, 0)),
        "current_adjusted": total(np.where(adjusted, net_current, 0)),
        "baseline_adjusted": total(np.where(adjusted, net_baseline, 0)),
        "comparable_months": total(comparable.astype("float64")),
        "adjusted_months": total(adjusted.astype("float64")),
        "reported_months": reported,
        "current_all": total(current),
    }
    present = np.flatnonzero(reported)
    keys = present + first_group
    index = names.take(keys) if names is not None else pd.Index(keys)
    out = pd.DataFrame(
        {
            name: values[present] if name in _FLOAT_SUMS else values[present].round()
            for name, values in sums.items()
        },
        index=index.rename(by),
    )
    return out.astype({name: "int64" for name in sums if name not in _FLOAT_SUMS})


def _tree(units: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unit codes, and per (department, unit at or above it): the department, the unit
    (DESIGN.md §2, Org tree).

    The pairs come each department's chain in turn, itself first; units are positions
    in the codes (the last row of a repeated code).
    """
    codes = units["code"].to_numpy(dtype=object)
    position = {code: i for i, code in enumerate(codes)}
    parent_position = np.array(
        [
            position.get(parent, -1) if isinstance(parent, str) else -1
            for parent in units["parent"].tolist()
        ],
        dtype=np.int64,
    )
    departments = codes[(units["kind"] == DEPARTMENT).to_numpy()]
    # One step up the tree for every department at once; a chain ends at the root, at
    # an unknown parent or where it would come back to a unit it already passed.
    # Per chain still climbing: ``department`` indexes ``departments``, ``unit`` is the
    # position of the unit it has reached.
    department = np.array(
        [i for i, code in enumerate(departments) if isinstance(code, str)], dtype=np.int64
    )
    unit = np.array([position[code] for code in departments[department]], dtype=np.int64)
    pair_departments, pair_units = [department], [unit]
    steps = [np.zeros(len(unit), dtype=np.int64)]
    passed = [unit]
    while unit.size:
        unit = parent_position[unit]
        keep = unit >= 0
        for earlier in passed:
            keep &= unit != earlier
        department, unit = department[keep], unit[keep]
        passed = [earlier[keep] for earlier in passed] + [unit]
        pair_departments.append(department)
        pair_units.append(unit)
        steps.append(np.full(len(unit), len(steps)))
    order = np.lexsort((np.concatenate(steps), np.concatenate(pair_departments)))
    return (
        codes,
        departments[np.concatenate(pair_departments)[order]],
        np.concatenate(pair_units)[order],
    )


def roll_up(per_department: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Sum per-department columns over each unit's departments; a row for every unit.

    Every level above a department is the aggregate of its departments (DESIGN.md §2,
    Org tree). Missing departments and values count as 0; the sums are floats.
    """
    codes, pair_departments, pair_units = _tree(units)
    row_of_pair = per_department.index.get_indexer(pd.Index(pair_departments, dtype=object))
    position = {code: i for i, code in enumerate(codes)}
    # A repeated code reads the sums of its last row, where ``_tree`` put them.
    code_position = np.array([position[code] for code in codes], dtype=np.int64)
    summed = {}
    for column in per_department.columns:
        column_values = np.append(per_department[column].to_numpy(dtype="float64"), 0.0)
        values = np.nan_to_num(column_values[row_of_pair], nan=0.0)  # -1 reads the 0.0
        sums = np.bincount(pair_units, weights=values, minlength=len(codes))
        summed[column] = sums[code_position]
    return pd.DataFrame(summed, index=pd.Index(units["code"], name="code"))


def summarize(
    counts: Counts,
    units: pd.DataFrame,
    predecessors: pd.DataFrame,
    *,
    months: list[date],
    rules: Rules,
) -> pd.DataFrame:
    """One row per unit of ``units`` (index ``code``) for the period ``months``.

    Columns: name, kind, parent, current, current_adjusted (int sums), baseline,
    baseline_adjusted (float sums: shares make fractions) over comparable months, rate,
    adjusted_rate (float, NaN without baseline), status, gap (Int64, NA without
    baseline), coverage, adjusted_coverage, reporting (float), comparable_months,
    adjusted_months, expected_months, reported_months, current_all (int).

    Implements DESIGN.md §2, Reduction rate (``rate``), Adjusted rate
    (``adjusted_rate`` over the months whose exclusions both sides state, with its own
    ``adjusted_coverage``), Status (``status``), Gap (``gap``, rounded up), Reporting
    rate and comparable share (``reporting`` = months reported ÷ months expected;
    ``coverage`` = months compared ÷ months expected) and Org tree (every unit sums its
    departments). ``gap`` is in sheets on the basis that drives status (gross unless
    the rules say adjusted): positive is what must still be cut to reach the threshold.
    ``expected_months`` is the number of period months times the departments under the
    unit that are active or reported in the period (1 for a department), so a
    department abolished since then still counts where it reported and coverage
    never exceeds 1.
    """
    departments = units.loc[units["kind"] == DEPARTMENT].set_index("code")
    prepared = prepared_of(counts, predecessors, rules.base_fy)
    joined = period_rows(prepared, months)
    per_department = sums_by(joined, "department", prepared.departments)
    per_department = per_department.reindex(departments.index, fill_value=0)
    is_expected = departments["active"].astype(bool) | (per_department["reported_months"] > 0)
    table = roll_up(per_department.assign(expected=is_expected), units)
    counts_columns = [c for c in table.columns if c not in _FLOAT_SUMS]
    table = table.astype({column: "int64" for column in counts_columns})
    is_department = (units["kind"] == DEPARTMENT).to_numpy()
    expected = table["expected"].where(~is_department, 1) * len(month_keys(months))

    out = units.set_index("code")[["name", "kind", "parent"]].join(table[SUM_COLUMNS])
    out["rate"] = reduction_rates(table["current"], table["baseline"])
    out["adjusted_rate"] = reduction_rates(table["current_adjusted"], table["baseline_adjusted"])
    basis = "_adjusted" if rules.adjusted else ""  # the suffix of the driving sums
    driving_rate = out["adjusted_rate"] if rules.adjusted else out["rate"]
    out["status"] = np.select(
        [
            table["reported_months"] == 0,
            driving_rate.isna(),
            reaches_threshold(driving_rate, rules.threshold),
        ],
        [NO_DATA, NO_BASELINE, ACHIEVED],
        LAGGING,
    )
    gap = table[f"current{basis}"] - (1 - rules.threshold) * table[f"baseline{basis}"]
    # Rounded up (float noise first removed): a unit short by a fraction of a sheet still
    # has one to cut, so a lagging unit's gap is at least one sheet.
    out["gap"] = np.ceil(gap.round(6)).where(driving_rate.notna()).astype("Int64")
    per_expected = expected.where(expected > 0)
    out["coverage"] = (table["comparable_months"] / per_expected).astype("float64")
    out["adjusted_coverage"] = (table["adjusted_months"] / per_expected).astype("float64")
    out["reporting"] = (table["reported_months"] / per_expected).astype("float64")
    out["comparable_months"] = table["comparable_months"]
    out["adjusted_months"] = table["adjusted_months"]
    out["expected_months"] = expected
    return out.join(table[["reported_months", "current_all"]])


def period_rates(
    counts: Counts,
    units: pd.DataFrame,
    predecessors: pd.DataFrame,
    *,
    months: list[date],
    rules: Rules,
) -> pd.DataFrame:
    """``rate`` and ``adjusted_rate`` of every unit for ``months``, as ``summarize``
    gives them, without the rest of its columns: for a comparison column, such as the
    change since the previous month, that needs only the rates (DESIGN.md §2,
    Reduction rate; Adjusted rate)."""
    prepared = prepared_of(counts, predecessors, rules.base_fy)
    per_department = sums_by(period_rows(prepared, months), "department", prepared.departments)
    table = roll_up(per_department[SUM_COLUMNS], units)
    return pd.DataFrame(
        {
            "rate": reduction_rates(table["current"], table["baseline"]),
            "adjusted_rate": reduction_rates(table["current_adjusted"], table["baseline_adjusted"]),
        }
    )


def descendants(units: pd.DataFrame, unit: str) -> pd.Series:
    """The departments at or below ``unit``, whose counts its figures sum (DESIGN.md §2,
    Org tree); KeyError for a code not in ``units``."""
    if unit not in set(units["code"]):
        raise KeyError(f"unknown unit {unit!r}")
    codes, pair_departments, pair_units = _tree(units)
    return pd.Series(pair_departments[codes[pair_units] == unit], dtype=object, name="department")

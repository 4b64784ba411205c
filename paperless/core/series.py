"""A unit's figures month by month and the fiscal-year-end projection (DESIGN.md §2).

Pure: DataFrames in, DataFrames out, on the sums of ``rollup``.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from paperless.core.baselines import Counts, month_keys, prepared_of
from paperless.core.fiscal import fiscal_months, month_start
from paperless.core.rates import Rules, reaches_threshold, reduction_rates
from paperless.core.rollup import SUM_COLUMNS, descendants, period_rows, roll_up, sums_by

PROJECTION_METHOD = (
    "残りの月は、各所属の直近3か月（基準年度と比較できる月）の削減率が続くと仮定し、"
    "基準年度同月の枚数から推計しています。直近3か月で計算できない所属は今年度累計の"
    "削減率を、それもない所属は削減なしとして扱います。今年度まだ報告のない所属は"
    "推計に含めません。"
)


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
    depts = descendants(units, unit)
    joined = period_rows(prepared_of(counts, predecessors, rules.base_fy), months)
    keys = month_keys(months)
    per = sums_by(joined[joined["department"].isin(depts)], "_mi").reindex(keys)
    departments = per["comparable_months"].fillna(0).astype("int64")
    per = per[SUM_COLUMNS].where(departments > 0).astype("float64")
    return pd.DataFrame(
        {
            "month": [date(k // 12, k % 12 + 1, 1) for k in keys],
            "current": per["current"].to_numpy(),
            "baseline": per["baseline"].to_numpy(),
            "threshold_path": (per["baseline"] * (1 - rules.threshold)).to_numpy(),
            "rate": reduction_rates(per["current"], per["baseline"]).to_numpy(),
            "adjusted_rate": reduction_rates(
                per["current_adjusted"], per["baseline_adjusted"]
            ).to_numpy(),
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
    prepared = prepared_of(counts, predecessors, rules.base_fy)
    base = prepared.baseline
    done = period_rows(prepared, [m for m in fy_months if m <= cutoff])
    cur, bas = ("current_adjusted", "baseline_adjusted") if rules.adjusted else SUM_COLUMNS[:2]
    comp = done[done["comparable"]].sort_values("_mi")
    fytd = sums_by(comp, "department", prepared.departments)
    recent = sums_by(comp.groupby("_d").tail(3), "department", prepared.departments)
    pace = reduction_rates(recent[cur], recent[bas]).fillna(reduction_rates(fytd[cur], fytd[bas]))

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
    table = roll_up(per_dept, units)
    total_cur = table["actual_current"] + table["cur"]
    total_base = table["actual_baseline"] + table["base"]
    out = pd.DataFrame(index=table.index)
    out["current_rate"] = reduction_rates(table["actual_current"], table["actual_baseline"])
    out["projected_rate"] = reduction_rates(total_cur, total_base)
    out["at_risk"] = (
        reaches_threshold(out["current_rate"], rules.threshold)
        & ~reaches_threshold(out["projected_rate"], rules.threshold)
        & out["projected_rate"].notna()
    )
    out["projected_current"] = total_cur.round().astype("int64")
    out["projected_baseline"] = total_base.round().astype("int64")
    return out

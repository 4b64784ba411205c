"""A unit's figures month by month and the fiscal-year-end projection (DESIGN.md §2).

Owns ``monthly_series`` (the line of a unit's chart), ``project_fiscal_year`` (where
the year ends at the recent pace, for the city goal outlook) and ``PROJECTION_METHOD``,
the method as users read it. Pure: DataFrames in, DataFrames out, on the sums of
``rollup``.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from paperless.core.baselines import Counts, month_keys, prepared_of
from paperless.core.fiscal import fiscal_months, month_start
from paperless.core.rates import Rules, reaches_threshold, reduction_rates
from paperless.core.rollup import SUM_COLUMNS, descendants, period_rows, roll_up, sums_by

# Shown under every projection (DESIGN.md §2, City goal outlook).
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
    comparable in that month; a month with none has NaN values (a gap in the line),
    never zero sheets (DESIGN.md §2, Reduction rate; Baseline: same calendar month).
    """
    departments = descendants(units, unit)
    joined = period_rows(prepared_of(counts, predecessors, rules.base_fy), months)
    month_indexes = month_keys(months)
    in_unit = joined[joined["department"].isin(departments)]
    per_month = sums_by(in_unit, "_month_index").reindex(month_indexes)
    # Each department has one row per month, so its comparable months count departments.
    comparable_departments = per_month["comparable_months"].fillna(0).astype("int64")
    per_month = per_month[SUM_COLUMNS].where(comparable_departments > 0).astype("float64")
    return pd.DataFrame(
        {
            "month": [date(index // 12, index % 12 + 1, 1) for index in month_indexes],
            "current": per_month["current"].to_numpy(),
            "baseline": per_month["baseline"].to_numpy(),
            "threshold_path": (per_month["baseline"] * (1 - rules.threshold)).to_numpy(),
            "rate": reduction_rates(per_month["current"], per_month["baseline"]).to_numpy(),
            "adjusted_rate": reduction_rates(
                per_month["current_adjusted"], per_month["baseline_adjusted"]
            ).to_numpy(),
            "comparable_departments": comparable_departments.astype("int64").to_numpy(),
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
    (DESIGN.md §2, City goal outlook; Status.)

    Index ``code`` (every unit); columns: current_rate, projected_rate (float, NaN
    without baseline), at_risk (bool: current rate at or above the threshold but
    projected below it), projected_current, projected_baseline (int sheets, whole FY).
    """
    fy_months = fiscal_months(fy)
    cutoff = month_start(latest)
    prepared = prepared_of(counts, predecessors, rules.base_fy)
    base_rows = prepared.baseline
    to_date = period_rows(prepared, [m for m in fy_months if m <= cutoff])
    current_column, baseline_column = (
        ("current_adjusted", "baseline_adjusted") if rules.adjusted else SUM_COLUMNS[:2]
    )
    comparable = to_date[to_date["comparable"]].sort_values("_month_index")
    fytd = sums_by(comparable, "department", prepared.departments)
    last_three = comparable.groupby("_department_index").tail(3)
    recent = sums_by(last_three, "department", prepared.departments)
    pace = reduction_rates(recent[current_column], recent[baseline_column]).fillna(
        reduction_rates(fytd[current_column], fytd[baseline_column])
    )

    # Remaining months: each reporting department's baseline for them, at its pace.
    base_sheets = base_rows["total"] - (base_rows["excluded"] if rules.adjusted else 0)
    remaining_calendar_months = [m.month - 1 for m in fy_months if m > cutoff]
    ahead = pd.DataFrame({"_calendar_month": remaining_calendar_months}).merge(
        pd.DataFrame(
            {
                "department": base_rows["department"],
                "_calendar_month": base_rows["_month_index"] % 12,
                "remaining_baseline": base_sheets,
            }
        )
    )
    ahead = ahead[ahead["department"].isin(to_date["department"])]
    ahead["remaining_current"] = ahead["remaining_baseline"] * (
        1 - ahead["department"].map(pace).fillna(0)
    )
    per_department = pd.concat(
        [
            fytd[[current_column, baseline_column]].set_axis(
                ["actual_current", "actual_baseline"], axis=1
            ),
            ahead.groupby("department")[["remaining_current", "remaining_baseline"]].sum(),
        ],
        axis=1,
    ).fillna(0)
    table = roll_up(per_department, units)
    projected_current = table["actual_current"] + table["remaining_current"]
    projected_baseline = table["actual_baseline"] + table["remaining_baseline"]
    out = pd.DataFrame(index=table.index)
    out["current_rate"] = reduction_rates(table["actual_current"], table["actual_baseline"])
    out["projected_rate"] = reduction_rates(projected_current, projected_baseline)
    out["at_risk"] = (
        reaches_threshold(out["current_rate"], rules.threshold)
        & ~reaches_threshold(out["projected_rate"], rules.threshold)
        & out["projected_rate"].notna()
    )
    out["projected_current"] = projected_current.round().astype("int64")
    out["projected_baseline"] = projected_baseline.round().astype("int64")
    return out

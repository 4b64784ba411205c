"""The reduction rate and the policy that judges it (DESIGN.md §2).

Owns the policy (``Rules``: base fiscal year, action threshold, city goal, the rate
behind status), the status names, the unit kind that reports (``DEPARTMENT``), the
reduction rate of one unit and of whole columns, and the comparison with the action
threshold. Pure: no Django. Rates are fractions (``0.312``); "no rate" is None for one
value and NaN in a column.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

# The four statuses of a unit for a period (DESIGN.md §2, Status).
ACHIEVED = "achieved"
LAGGING = "lagging"
NO_DATA = "no_data"
NO_BASELINE = "no_baseline"
# The kind of unit that reports counts; every other kind sums its departments
# (DESIGN.md §2, Org tree).
DEPARTMENT = "department"

# 1 - 80/100 is 0.19999999999999996: an exact 20% cut must still reach a 20% threshold.
_DECIMALS = 12


@dataclass(frozen=True)
class Rules:
    """The policy a period is judged by (DESIGN.md §2, Baseline; Exclusions).

    ``base_fy`` is the base fiscal year, ``threshold`` the action threshold (below it a
    unit is lagging), ``city_goal`` the optional higher goal, and ``status_basis`` picks
    the rate behind status: gross unless the policy says adjusted.
    """

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
        """Whether the adjusted rate drives status (DESIGN.md §2, Exclusions)."""
        return self.status_basis == "adjusted"


def reduction_rate(current: int | float, baseline: int | float) -> float | None:
    """1 - current/baseline, both summed over comparable months (DESIGN.md §2, Reduction
    rate); None when there is no baseline or it is zero (DESIGN.md §2, Status)."""
    if pd.isna(current) or pd.isna(baseline) or baseline <= 0:
        return None
    return 1 - current / baseline


def reduction_rates(current: pd.Series, baseline: pd.Series) -> pd.Series:
    """``reduction_rate`` for whole columns at once, NaN where the baseline is missing or
    zero (DESIGN.md §2, Reduction rate; Status: division by zero never happens)."""
    return (1 - current / baseline.where(baseline > 0)).astype("float64")


def reaches_threshold(rate: pd.Series, threshold: float) -> pd.Series:
    """Whether each rate is at or above ``threshold``: achieved rather than lagging
    (DESIGN.md §2, Status). Compared at 12 decimals, so float noise never turns an
    exact cut into a miss; NaN never reaches it."""
    return rate.round(_DECIMALS) >= round(threshold, _DECIMALS)

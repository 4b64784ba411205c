"""Reduction rates and the policy that judges them (DESIGN.md §2).

Pure: the policy (``Rules``), the status names, the unit kind that reports, the
reduction rate of one unit and of whole columns, and the comparison with the action
threshold. Rates are fractions (``0.312``); "no rate" is None for one value and NaN in
a column.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

ACHIEVED = "achieved"
LAGGING = "lagging"
NO_DATA = "no_data"
NO_BASELINE = "no_baseline"
DEPARTMENT = "department"

# 1 - 80/100 is 0.19999999999999996: an exact 20% cut must still reach a 20% threshold.
_DECIMALS = 12


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


def reduction_rates(current: pd.Series, baseline: pd.Series) -> pd.Series:
    return (1 - current / baseline.where(baseline > 0)).astype("float64")


def reaches_threshold(rate: pd.Series, threshold: float) -> pd.Series:
    return rate.round(_DECIMALS) >= round(threshold, _DECIMALS)

"""Reads for pages, commands and e-mails: database frames → metrics, in a few queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from django.utils import timezone

from . import metrics, queries
from .fiscal import fiscal_year, fy_era_label, fy_to_date_months, latest_complete_month, month_label


@dataclass(frozen=True)
class Period:
    """The months a figure covers: usually the fiscal year to the latest complete month."""

    months: tuple[date, ...]
    fy: int

    @property
    def first(self) -> date:
        return self.months[0]

    @property
    def last(self) -> date:
        return self.months[-1]

    @property
    def label(self) -> str:
        return f"{fy_era_label(self.fy)}（{month_label(self.first)}〜{month_label(self.last)}）"


def fiscal_year_to_date(today: date | None = None) -> Period:
    latest = latest_complete_month(today or timezone.localdate())
    fy = fiscal_year(latest)
    return Period(months=tuple(fy_to_date_months(fy, latest)), fy=fy)


@dataclass(frozen=True)
class Overview:
    period: Period
    rules: metrics.Rules
    summary: pd.DataFrame  # metrics.summarize: one row per unit, indexed by code


def overview(period: Period) -> Overview:
    """Every unit's figures for the period (four queries whatever the size of the tree)."""
    rules = queries.rules_for(period.fy)
    summary = metrics.summarize(
        queries.counts_frame(months=list(period.months), base_fy=rules.base_fy),
        queries.units_frame(),
        queries.predecessors_frame(),
        months=list(period.months),
        rules=rules,
    )
    return Overview(period=period, rules=rules, summary=summary)

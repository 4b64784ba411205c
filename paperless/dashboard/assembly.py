"""The dashboard of one unit: its figures and every visible unit below it.

A fixed number of queries whatever the size of the tree: the frames from
``reads.frames``, two aggregates from ``reads.activity`` (last reports, action notes),
and pandas for the rest. ``dashboard.cache`` keeps the result per data version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from django.conf import settings
from django.utils import timezone

from paperless.core import baselines, rollup, wording
from paperless.core.fiscal import add_months, fy_to_date_months, months_between
from paperless.core.period import Period, base_year_problem
from paperless.core.rates import DEPARTMENT, NO_BASELINE, Rules
from paperless.core.series import monthly_series, project_fiscal_year
from paperless.core.tree import ancestors, areas, preorder
from paperless.reads import activity, frames


@dataclass(frozen=True)
class Dashboard:
    """Everything a unit's page shows; ``table`` holds one row per visible unit below it.

    ``table`` (index code, subtree in display order): the columns of
    ``rollup.summarize`` plus driving_rate, area, area_name, parent_name,
    projected_rate, at_risk, previous_rate, change, last_month, last_updated (the day,
    in Tokyo, of the latest change),
    reported_last, note_count, note_latest.
    """

    unit: str
    period: Period
    rules: Rules
    table: pd.DataFrame
    series: pd.DataFrame  # monthly_series of ``series_unit``
    series_unit: str
    history: pd.DataFrame | None  # 12 months to the period's end (departments)
    not_reported: pd.DataFrame  # see not_reported()
    today: date
    ancestors: list[tuple[str, str]]  # (code, name) of the visible units above, root first
    # Why the period has no rates (it is in or before the base year), None when it has.
    no_rates: str | None = None

    @property
    def row(self) -> pd.Series:
        return self.table.loc[self.unit]

    def departments(self) -> pd.DataFrame:
        """Departments to judge: active ones, and abolished ones that reported."""
        t = self.table
        return t[(t["kind"] == DEPARTMENT) & (t["active"] | (t["reported_months"] > 0))]

    def children(self, kind: str | None = None) -> pd.DataFrame:
        t = self.table
        rows = t[t["parent"] == self.unit]
        return rows if kind is None else rows[rows["kind"] == kind]


def deadline(month: date) -> date:
    """The day a month's counts are due: the deadline day of the following month."""
    return wording.upload_deadline(month, settings.PAPERLESS_UPLOAD_DEADLINE_DAY)


def dashboard(
    *,
    code: str,
    period: Period,
    visible_ids: set[int] | None,
    series_unit: str | None = None,
    history: bool = False,
    today: date | None = None,
) -> Dashboard:
    """The figures of unit ``code`` and every unit below it that the user may see.

    ``visible_ids`` are unit primary keys (None: everything). Seven queries, whatever
    the number of departments or months. Below the city only the counts of the unit's
    own departments are read, with those of their predecessors (baselines pass to
    heirs): a department's page reads a few hundred rows, not the whole city's.
    """
    rules = frames.rules_for(period.fy)
    units = frames.units_frame()
    preds = frames.predecessors_frame()
    months = set(period.months) | set(period.previous_months)
    months |= set(fy_to_date_months(period.fy, period.last))
    history_months = months_between(add_months(period.last, -11), period.last)
    if history:
        months |= set(history_months)

    codes = preorder(units, code)
    counts = frames.counts_below(
        units, preds, codes=codes, months=sorted(months), base_fy=rules.base_fy
    )
    info = units.set_index("code")
    root = not isinstance(info.at[code, "parent"], str)
    if visible_ids is not None:
        codes = [c for c in codes if info.at[c, "id"] in visible_ids]
    sub = info.loc[codes]
    # The whole city needs no list of departments in the SQL: every row counts.
    whole = visible_ids is None and root
    dept_ids = None if whole else sub.loc[sub["kind"] == DEPARTMENT, "id"].tolist()

    # Cleaned and matched with the baseline once for all the periods below.
    prepared = baselines.prepare(counts, preds, base_fy=rules.base_fy)

    table = _table(
        now=rollup.summarize(prepared, units, preds, months=list(period.months), rules=rules),
        before=rollup.period_rates(
            prepared, units, preds, months=list(period.previous_months), rules=rules
        ),
        projection=project_fiscal_year(
            prepared, units, preds, fy=period.fy, latest=period.last, rules=rules
        ),
        units=units,
        codes=codes,
        extra=[activity.last_reports(dept_ids), activity.note_counts(dept_ids)],
        reported=set(rollup.reported_frame(prepared, months=[period.last])["department"]),
        basis="adjusted_rate" if rules.adjusted else "rate",
    )
    no_rates = base_year_problem(period, rules.base_fy)
    if no_rates:
        table = _without_rates(table)
    series_unit = series_unit if series_unit in table.index else code
    series = monthly_series(
        prepared, units, preds, unit=series_unit, months=list(period.months), rules=rules
    )
    if no_rates:
        series = series.assign(rate=float("nan"), adjusted_rate=float("nan"))
    past = None
    if history:
        past = monthly_series(prepared, units, preds, unit=code, months=history_months, rules=rules)
    today = today or timezone.localdate()
    return Dashboard(
        unit=code,
        period=period,
        rules=rules,
        table=table,
        series=series,
        series_unit=series_unit,
        history=past,
        not_reported=not_reported(table, month=period.last, today=today),
        today=today,
        ancestors=[
            (c, info.at[c, "name"])
            for c in ancestors(units, code)
            if visible_ids is None or info.at[c, "id"] in visible_ids
        ],
        no_rates=no_rates,
    )


RATE_COLUMNS = (
    "rate",
    "adjusted_rate",
    "driving_rate",
    "projected_rate",
    "previous_rate",
    "change",
)


def _without_rates(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` for a period in (or before) the base year: no rate, gap or judgement.

    Compared with itself every unit would show 0% and be listed as lagging; here no unit
    is judged (status ``no_baseline``: nothing to compare with) and nothing is at risk.
    """
    table = table.copy()
    for column in RATE_COLUMNS:
        table[column] = float("nan")
    table["gap"] = pd.array([pd.NA] * len(table), dtype="Int64")
    table["status"] = NO_BASELINE
    table["at_risk"] = False
    return table


def _table(
    *,
    now: pd.DataFrame,
    before: pd.DataFrame,
    projection: pd.DataFrame,
    units: pd.DataFrame,
    codes: list[str],
    extra: list[pd.DataFrame],
    reported: set[str],
    basis: str,
) -> pd.DataFrame:
    """The period's summary rows of ``codes`` with what the tables and charts add to it."""
    info = units.set_index("code")
    names = info["name"]
    table = now.loc[codes].copy()
    table["active"] = info["active"].reindex(codes).astype(bool)
    table["driving_rate"] = table[basis]
    table["area"] = areas(units).reindex(codes)
    table["area_name"] = table["area"].map(names)
    table["parent_name"] = table["parent"].map(names)
    table["projected_rate"] = projection["projected_rate"].reindex(codes)
    table["at_risk"] = projection["at_risk"].reindex(codes).fillna(False).astype(bool)
    table["previous_rate"] = before[basis].reindex(codes)
    table["change"] = table["driving_rate"] - table["previous_rate"]
    ids = info["id"].reindex(codes)
    for frame in extra:  # per department id: last reports, notes
        for column in frame.columns:
            table[column] = ids.map(frame[column]).astype(object).to_numpy()
    table["note_count"] = pd.to_numeric(table["note_count"]).fillna(0).astype("int64")
    table["reported_last"] = table.index.isin(list(reported))
    return table


def not_reported(table: pd.DataFrame, *, month: date, today: date) -> pd.DataFrame:
    """Active departments without counts for ``month``, with the deadline and days overdue."""
    depts = table[(table["kind"] == DEPARTMENT) & table["active"]]
    missing = depts[~depts["reported_last"]].copy()
    due = deadline(month)
    missing["deadline"] = due
    missing["days_overdue"] = max((today - due).days, 0)
    return missing

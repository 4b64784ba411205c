"""The dashboard of one unit: its figures and every visible unit below it.

A fixed number of queries whatever the size of the tree: the frames from ``queries``,
two aggregates (last reports, action notes), and pandas for the rest.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

import pandas as pd
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Max, OuterRef, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from paperless.core import baselines, rollup
from paperless.core.fiscal import add_months, fy_to_date_months, months_between
from paperless.core.period import Period
from paperless.core.rates import DEPARTMENT, Rules
from paperless.core.series import monthly_series, project_fiscal_year
from paperless.core.tree import ancestors, areas, preorder
from paperless.models import ActionNote, MonthlyCount, Policy, Unit
from paperless.reads import frames

T = TypeVar("T")


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
    following = add_months(month, 1)
    last_day = (add_months(following, 1) - timedelta(days=1)).day
    return following.replace(day=min(settings.PAPERLESS_UPLOAD_DEADLINE_DAY, last_day))


def _last_reports(dept_ids: list[int] | None) -> pd.DataFrame:
    """Each department's latest month and the day (Tokyo) of its latest change.

    Two index probes per department (unique (department, month) and
    count_last_change), not a scan of every count; the day is read as a date, which
    the database driver loads far faster than a time-zone-aware timestamp.
    """
    counts = MonthlyCount.objects.filter(department=OuterRef("pk")).order_by()
    changed = counts.order_by("-updated_at").annotate(day=TruncDate("updated_at"))
    rows = Unit.objects.filter(kind=Unit.Kind.DEPARTMENT).order_by()
    if dept_ids is not None:
        rows = rows.filter(pk__in=dept_ids)
    rows = rows.values_list(
        "pk",
        Subquery(counts.order_by("-month").values("month")[:1]),
        Subquery(changed.values("day")[:1]),
    )
    frame = pd.DataFrame(list(rows), columns=["department_id", "last_month", "last_updated"])
    return frame.dropna(subset=["last_month"]).set_index("department_id")


def _notes(dept_ids: list[int] | None) -> pd.DataFrame:
    rows = ActionNote.objects.order_by().values("department_id")
    if dept_ids is not None:
        rows = rows.filter(department_id__in=dept_ids)
    rows = rows.annotate(note_count=Count("id"), note_latest=Max("noted_on"))
    frame = pd.DataFrame(list(rows), columns=["department_id", "note_count", "note_latest"])
    return frame.set_index("department_id")


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
        extra=[_last_reports(dept_ids), _notes(dept_ids)],
        reported=set(rollup.reported_frame(prepared, months=[period.last])["department"]),
        basis="adjusted_rate" if rules.adjusted else "rate",
    )
    series_unit = series_unit if series_unit in table.index else code
    series = monthly_series(
        prepared, units, preds, unit=series_unit, months=list(period.months), rules=rules
    )
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
    )


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


# --- Cache: a page's figures are computed once per change of the data ---------------

CACHE_PREFIX = "paperless:dashboard"


def data_version() -> str:
    """Changes whenever counts, units, predecessors, policies or notes change (one query).

    Changes through the models leave a history row (django-simple-history ids only
    grow; deletions, one by one or in bulk, leave one too); bulk inserts raise a
    table's highest id, and the small tables' row counts catch the rest. Counting the
    counts table (hundreds of thousands of rows) would cost more than the rest of the
    check: nothing in the application deletes counts without history. A change made
    behind the models' back (raw SQL) shows after PAPERLESS_DASHBOARD_CACHE_SECONDS at
    the latest.
    """
    qn = connection.ops.quote_name
    history = [m.history.model for m in (MonthlyCount, Unit, Policy, ActionNote)]
    counted = [Unit, ActionNote, Policy, Unit.predecessors.through]
    parts = [f"(SELECT MAX(history_id) FROM {qn(m._meta.db_table)})" for m in history]
    parts += [f"(SELECT MAX(id) FROM {qn(MonthlyCount._meta.db_table)})"]
    for model in counted:
        table = qn(model._meta.db_table)
        parts += [f"(SELECT COUNT(*) FROM {table})", f"(SELECT MAX(id) FROM {table})"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        row = cursor.fetchone()
    return "-".join("0" if value is None else str(value) for value in row)


def cached(name: str, parts: tuple[Any, ...], build: Callable[[], T]) -> T:
    """``build()``'s result from the cache, keyed by ``parts`` and the data version."""
    seconds = settings.PAPERLESS_DASHBOARD_CACHE_SECONDS
    if not seconds:
        return build()
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    key = f"{CACHE_PREFIX}:{name}:{data_version()}:{digest}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, seconds)
    return value

"""What each dashboard page shows, built from a ``Dashboard``: rows, headline, figures.

No ORM here: the numbers come from ``assembly``; this module picks the rows a
page needs, adds the sort keys the table uses and draws the figures with ``charts``.
Views pass the results to templates (figures through ``json_script``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
from django.conf import settings

from paperless.core.fiscal import fy_era_label, month_label
from paperless.core.period import Period
from paperless.core.rates import DEPARTMENT, LAGGING
from paperless.core.records import to_records
from paperless.core.series import PROJECTION_METHOD
from paperless.dashboard import charts
from paperless.dashboard.assembly import Dashboard, dashboard
from paperless.dashboard.cache import cached
from paperless.dashboard.report import MeetingReport
from paperless.dashboard.tables import EXPORT_COLUMNS

WARD_OFFICE = "ward_office"
BUREAU = "bureau"
STATUS_ORDER = ("lagging", "no_data", "no_baseline", "achieved")


def _key(value: Any) -> float:
    """Sort key that puts missing values last (ascending)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return math.inf
    return float(value)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    rows = to_records(frame)
    for rank, row in enumerate(rows):
        row["rank"] = rank
    return rows


ROW_COLUMNS = [
    "name",
    "kind",
    "parent",
    "area",
    "area_name",
    "current",
    "baseline",
    "rate",
    "adjusted_rate",
    "driving_rate",
    "status",
    "at_risk",
    "projected_rate",
    "gap",
    "coverage",
    "reporting",
    "adjusted_months",
    "adjusted_coverage",
    "comparable_months",
    "change",
    "last_month",
    "last_updated",
    "note_count",
    "note_latest",
]
KEYED = (
    "rate",
    "adjusted_rate",
    "driving_rate",
    "projected_rate",
    "coverage",
    "reporting",
    "gap",
    "change",
)


def department_rows(data: Dashboard) -> list[dict[str, Any]]:
    """Every department to judge, lowest rate first (no rate last), with sort keys.

    Vectorised: a city has thousands of departments and this runs on every page view.
    """
    ranks = pd.Series(range(len(data.table)), index=data.table.index)
    frame = data.departments()[ROW_COLUMNS].copy()
    frame["rank"] = ranks.reindex(frame.index)
    frame["area_rank"] = frame["area"].map(ranks).fillna(-1).astype("int64")
    frame["status_rank"] = frame["status"].map({s: i for i, s in enumerate(STATUS_ORDER)})
    for column in KEYED:
        frame[f"{column}_key"] = pd.to_numeric(frame[column]).astype("float64").fillna(math.inf)
    updated = pd.to_datetime(frame["last_updated"], utc=True)
    frame["last_updated_key"] = (updated - pd.Timestamp(0, tz="UTC")).dt.total_seconds()
    frame["last_updated_key"] = frame["last_updated_key"].fillna(-math.inf)
    frame["note_key"] = frame["note_count"]
    frame = frame.sort_values(["driving_rate_key", "rank"], kind="stable")
    return to_records(frame.rename_axis("code"))


@dataclass(frozen=True)
class Equivalents:
    """Sheets saved against the baseline, and what they stand for (settings state sources)."""

    saved_sheets: int
    trees: float
    co2_kg: float
    yen: float

    @property
    def co2_t(self) -> float:
        return self.co2_kg / 1000

    @property
    def man_yen(self) -> float:
        """In units of 10,000 yen (万円), as budgets are read."""
        return self.yen / 10_000


def equivalents(saved_sheets: int) -> Equivalents:
    saved = max(int(saved_sheets), 0)
    return Equivalents(
        saved_sheets=int(saved_sheets),
        trees=saved / settings.PAPERLESS_SHEETS_PER_TREE,
        co2_kg=saved * settings.PAPERLESS_CO2_G_PER_SHEET / 1000,
        yen=saved * settings.PAPERLESS_YEN_PER_SHEET,
    )


def headline(data: Dashboard) -> dict[str, Any]:
    """The unit's own figures, the departments by status and the paper saved."""
    row = to_records(data.table.loc[[data.unit]])[0]
    depts = data.departments()
    by_status = depts["status"].value_counts().to_dict()
    return {
        "unit": row,
        "departments": len(depts),
        "by_status": {s: int(by_status.get(s, 0)) for s in STATUS_ORDER},
        "at_risk": int(depts["at_risk"].sum()),
        "not_reported": len(data.not_reported),
        "equivalents": equivalents(row["baseline"] - row["current"]),
        "threshold": data.rules.threshold,
        "city_goal": data.rules.city_goal,
        "status_basis": data.rules.status_basis,
    }


def _bars(data: Dashboard, frame: pd.DataFrame, title: str) -> dict[str, Any]:
    rows = frame.assign(rate=frame["driving_rate"])
    return charts.unit_bars(
        rows, threshold=data.rules.threshold, city_goal=data.rules.city_goal, title=title
    )


def _period_title(data: Dashboard) -> str:
    return data.period.label


def figures(data: Dashboard) -> dict[str, dict[str, Any]]:
    """The figures of a ward/bureau/city page, by name (wards, bureaus, children, …)."""
    out: dict[str, dict[str, Any]] = {}
    name = data.row["name"]
    label = _period_title(data)
    wards, bureaus = data.children(WARD_OFFICE), data.children(BUREAU)
    if len(wards) or len(bureaus):
        if len(wards):
            out["wards"] = _bars(data, wards, f"区役所別の削減率（{label}）")
        if len(bureaus):
            out["bureaus"] = _bars(data, bureaus, f"局別の削減率（{label}）")
    else:
        children = data.children()
        if len(children):
            out["children"] = _bars(data, children, f"{name}の内訳（{label}）")
    series_name = data.table.at[data.series_unit, "name"]
    out["series"] = charts.monthly_lines(
        data.series,
        threshold=data.rules.threshold,
        title=f"{series_name}の月別枚数（印刷＋コピー）と基準年度（{label}）",
    )
    depts = data.departments()
    if (data.children()["kind"] != DEPARTMENT).any():
        out["departments"] = charts.department_rates(
            depts.assign(rate=depts["driving_rate"]),
            threshold=data.rules.threshold,
            city_goal=data.rules.city_goal,
            title=f"所属別の削減率（{label}、低い順）",
        )
    return out


def history_figure(data: Dashboard) -> dict[str, Any] | None:
    if data.history is None:
        return None
    first, last = data.history["month"].iloc[0], data.history["month"].iloc[-1]
    return charts.monthly_lines(
        data.history,
        threshold=data.rules.threshold,
        title=f"直近12か月の枚数と基準年度（{month_label(first)}〜{month_label(last)}）",
    )


def series_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return to_records(frame)


def area_choices(data: Dashboard) -> list[tuple[str, str]]:
    """Wards and bureaus for the table filter: the children of the root, when shown."""
    children = data.children()
    if data.row["parent"] is not None and isinstance(data.row["parent"], str):
        return []
    return list(zip(children.index, children["name"], strict=True))


def series_choices(data: Dashboard) -> list[tuple[str, str]]:
    children = data.children()
    return [(data.unit, data.row["name"]), *zip(children.index, children["name"], strict=True)]


def report_title(data: Dashboard) -> str:
    """``令和4年度 ペーパーレスの取組状況（1月末現在）``: the material's usual name; a
    ward's or bureau's material names it (``令和4年度 中区役所 ペーパーレスの…``)."""
    unit = "" if _is_root(data) else f"{data.row['name']} "
    month = data.period.last.month
    return f"{fy_era_label(data.period.fy)} {unit}ペーパーレスの取組状況（{month}月末現在）"


def _is_root(data: Dashboard) -> bool:
    return not isinstance(data.row["parent"], str)


def meeting_report(data: Dashboard, *, notes: dict[str, Any], today: date) -> MeetingReport:
    """The workbook's contents: children, lagging list with notes, not reported, charts."""
    depts = department_rows(data)
    lagging = sorted(
        (r for r in depts if r["status"] == LAGGING),
        key=lambda r: -(r["gap"] or 0),
    )
    for row in lagging:
        note = notes.get(row["code"])
        row["note_text"] = note.text if note else ""
        row["note_on"] = note.noted_on if note else None
    return MeetingReport(
        title=report_title(data),
        unit_name=data.row["name"],
        children_heading="区役所・局別の状況" if _is_root(data) else f"{data.row['name']}の内訳",
        period_label=data.period.label,
        threshold=data.rules.threshold,
        city_goal=data.rules.city_goal,
        total=to_records(data.table.loc[[data.unit]])[0],
        children=to_records(data.children()),
        lagging=lagging,
        not_reported=to_records(data.not_reported),
        series=to_records(data.series),
        series_name=str(data.table.at[data.series_unit, "name"]),
        departments=[r for r in depts if r["driving_rate"] is not None],
        projection_method=PROJECTION_METHOD,
        made_on=today,
        sheet_prefix="" if _is_root(data) else f"{data.row['name']}_",
    )


def lagging_codes(data: Dashboard) -> list[str]:
    depts = data.departments()
    return list(depts.index[depts["status"] == LAGGING])


def fy_choices(years: tuple[int, int]) -> list[tuple[int, str]]:
    """The fiscal years one may choose (``reads.periods.years_on_record``: from the
    earliest base year or count on record to the current one), newest first, with their
    era names (令和4年度, 平成28年度)."""
    first, last = years
    return [(fy, fy_era_label(fy)) for fy in range(last, first - 1, -1)]


def factors() -> dict[str, float]:
    return {
        "sheets_per_tree": settings.PAPERLESS_SHEETS_PER_TREE,
        "co2_g_per_sheet": settings.PAPERLESS_CO2_G_PER_SHEET,
        "yen_per_sheet": settings.PAPERLESS_YEN_PER_SHEET,
    }


def export_formats() -> dict[int, str]:
    """Excel number formats of the export columns, by position."""
    formats = {"baseline": "#,##0", "current": "#,##0", "gap": "#,##0", "note_count": "0"}
    rates = ("rate", "adjusted_rate", "projected_rate", "coverage", "reporting")
    formats |= {key: "0.0%" for key in rates}
    formats["adjusted_months"] = "0"
    formats |= {"change": "+0.0;-0.0;0.0", "last_updated": "yyyy/mm/dd"}
    keys = [key for key, _ in EXPORT_COLUMNS]
    return {keys.index(k): f for k, f in formats.items()}


def days_overdue(data: Dashboard) -> int | None:
    """Days past the deadline of the unit's own missing latest month (departments)."""
    if data.unit not in data.not_reported.index:
        return None
    return int(data.not_reported.at[data.unit, "days_overdue"])


# --- What a page needs, computed once per data version (see dashboard.cache) ---


@dataclass(frozen=True)
class UnitPage:
    """A city, ward, bureau or division page: everything but the request's filters."""

    data: Dashboard
    rows: list[dict[str, Any]]
    figures: dict[str, dict[str, Any]]
    headline: dict[str, Any]
    children: list[dict[str, Any]]
    wards: list[dict[str, Any]]
    bureaus: list[dict[str, Any]]
    series_rows: list[dict[str, Any]]
    series_choices: list[tuple[str, str]]
    area_choices: list[tuple[str, str]]
    not_reported: list[dict[str, Any]]


@dataclass(frozen=True)
class DepartmentPage:
    data: Dashboard
    headline: dict[str, Any]
    history_figure: dict[str, Any] | None
    history_rows: list[dict[str, Any]]
    days_overdue: int | None


def _visible_key(visible_ids: set[int] | None) -> tuple[int, ...] | None:
    return None if visible_ids is None else tuple(sorted(visible_ids))


def unit_page(
    *,
    code: str,
    period: Period,
    visible_ids: set[int] | None,
    series_unit: str | None,
    today: date,
) -> UnitPage:
    def build() -> UnitPage:
        data = dashboard(
            code=code, period=period, visible_ids=visible_ids, series_unit=series_unit, today=today
        )
        return UnitPage(
            data=data,
            rows=department_rows(data),
            figures=figures(data),
            headline=headline(data),
            children=records(data.children()),
            wards=records(data.children(WARD_OFFICE)),
            bureaus=records(data.children(BUREAU)),
            series_rows=series_rows(data.series),
            series_choices=series_choices(data),
            area_choices=area_choices(data),
            not_reported=records(data.not_reported),
        )

    parts = (code, period.months, _visible_key(visible_ids), series_unit, today)
    return cached("unit", parts, build)


def department_page(
    *, code: str, period: Period, visible_ids: set[int] | None, today: date
) -> DepartmentPage:
    def build() -> DepartmentPage:
        data = dashboard(
            code=code, period=period, visible_ids=visible_ids, history=True, today=today
        )
        return DepartmentPage(
            data=data,
            headline=headline(data),
            history_figure=history_figure(data),
            history_rows=series_rows(data.history) if data.history is not None else [],
            days_overdue=days_overdue(data),
        )

    parts = (code, period.months, _visible_key(visible_ids), today)
    return cached("department", parts, build)

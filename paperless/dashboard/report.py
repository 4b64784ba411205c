"""Excel workbooks: the strategy meeting's reference material and table exports (openpyxl).

Pure: plain rows in, ``.xlsx`` bytes out. Every sheet prints on A4 landscape, fitted
to the page width, with its header rows repeated on each page. Text cells pass
through ``exports.neutralize`` (a name starting with "=" must not become a formula).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from paperless.core import wording
from paperless.core.fiscal import era_year, month_label
from paperless.dashboard import report_charts
from paperless.dashboard.exports import neutralize

# Rates shown beside the row's status.
STATUS_RATES = frozenset({"rate", "adjusted_rate", "driving_rate"})
SHEETS = "#,##0"
PERCENT = "0.0%"
POINTS = '+0.0"pt";-0.0"pt";0.0"pt"'
DATE = "yyyy/mm/dd"
HEADER_ROW = 4  # rows 1-3: title, period and notes; 4: column headers
HEADER_FILL = PatternFill("solid", fgColor="DDE5EE")
# Rows of lagging units: a light red besides the ▲ 未達 text, never colour alone.
LAGGING_FILL = PatternFill("solid", fgColor="FBE3E3")
THIN = Side(style="thin", color="767676")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    fmt: str | None = None
    width: float = 14


@dataclass(frozen=True)
class MeetingReport:
    """What the meeting material holds; rows are dicts as the dashboard builds them."""

    title: str
    unit_name: str
    children_heading: str  # 区役所・局別の状況 for the city, …の内訳 below it
    period_label: str
    threshold: float
    city_goal: float | None
    total: dict[str, Any]
    children: list[dict[str, Any]]
    lagging: list[dict[str, Any]]
    not_reported: list[dict[str, Any]]
    series: list[dict[str, Any]]
    series_name: str
    departments: list[dict[str, Any]]
    projection_method: str
    made_on: date
    # A ward's or bureau's report names its sheets after it: "中区役所_未達の所属".
    sheet_prefix: str = ""


def _cell_value(row: dict[str, Any], key: str) -> Any:
    value = row.get(key)
    if key in STATUS_RATES:
        # The number format would round a lagging 0.2997 up to 30.0%: write the rate as
        # shown beside its status (DESIGN.md §2, Status).
        value = wording.shown_rate(value, row.get("status"))
    elif key == "projected_rate":
        value = wording.shown_rate(value, wording.projected_status(row.get("at_risk")))
    elif key == "status":
        value = wording.status_text(value) if value else ""
    elif key == "at_risk":
        value = "要注意" if value else ""
    elif key == "change" and value is not None:
        value = value * 100  # shown in percentage points
    elif key == "month" and isinstance(value, date):
        value = month_label(value)
    elif isinstance(value, datetime):
        value = value.replace(tzinfo=None)
    return neutralize(value)


def _print_setup(ws: Worksheet, *, columns: int) -> None:
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as the rows need
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"1:{HEADER_ROW}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "&P / &N"
    ws.oddFooter.right.text = "&A"
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)
    ws.print_area = f"A1:{get_column_letter(columns)}{max(ws.max_row, HEADER_ROW)}"


def write_table(
    ws: Worksheet,
    *,
    title: str,
    subtitle: str,
    note: str,
    columns: Sequence[Column],
    rows: Sequence[dict[str, Any]],
) -> None:
    """A titled table from row 1, laid out to print; numbers keep their number formats."""
    ws.cell(row=1, column=1, value=neutralize(title)).font = Font(bold=True, size=14)
    ws.cell(row=2, column=1, value=neutralize(subtitle))
    ws.cell(row=3, column=1, value=neutralize(note)).font = Font(size=9, color="4A4A4A")
    for i, column in enumerate(columns, start=1):
        cell = ws.cell(row=HEADER_ROW, column=i, value=column.label)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.border = Border(bottom=THIN, top=THIN)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(i)].width = column.width
    for r, row in enumerate(rows, start=HEADER_ROW + 1):
        lagging = row.get("status") == "lagging"
        for i, column in enumerate(columns, start=1):
            cell = ws.cell(row=r, column=i, value=_cell_value(row, column.key))
            if column.fmt:
                cell.number_format = column.fmt
            if lagging:
                cell.fill = LAGGING_FILL
            # Long text wraps inside its column, so the sheet still fits A4 landscape.
            if isinstance(cell.value, str) and len(cell.value) > column.width:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    _print_setup(ws, columns=len(columns))


SUMMARY_COLUMNS = (
    Column("name", "区役所・局（所属）", width=22),
    Column("baseline", "基準年度同月の枚数", SHEETS, 16),
    Column("current", "対象期間の枚数", SHEETS, 16),
    Column("rate", "削減率", PERCENT, 10),
    Column("adjusted_rate", "削減率（除外枚数を除く）", PERCENT, 14),
    Column("status", "判定", width=12),
    Column("gap", "取組基準までの枚数", SHEETS, 16),
    Column("coverage", wording.COMPARABLE_WORD, PERCENT, 10),
    Column("projected_rate", "年度末見込み", PERCENT, 12),
    Column("at_risk", "年度末見込み未達", width=14),
    Column("change", "前月比", POINTS, 10),
    Column("reporting", wording.REPORTING_WORD, PERCENT, 10),
    Column("adjusted_coverage", "除外後の比較可能率", PERCENT, 12),
)
LAGGING_COLUMNS = (
    Column("area_name", "区役所・局", width=16),
    Column("name", "所属", width=20),
    Column("rate", "削減率", PERCENT, 10),
    Column("gap", "取組基準までの枚数", SHEETS, 16),
    Column("coverage", wording.COMPARABLE_WORD, PERCENT, 10),
    Column("projected_rate", "年度末見込み", PERCENT, 12),
    Column("note_on", "改善の取組（記入日）", DATE, 14),
    Column("note_text", "改善の取組（最新）", width=60),
    Column("reporting", wording.REPORTING_WORD, PERCENT, 10),
)
NOT_REPORTED_COLUMNS = (
    Column("area_name", "区役所・局", width=16),
    Column("name", "所属", width=20),
    Column("last_month", "最終報告月", 'yyyy"年"m"月"', 14),
    Column("deadline", "提出期限", DATE, 14),
    Column("days_overdue", "期限超過日数", "#,##0", 12),
)
SERIES_COLUMNS = (
    Column("month", "月", width=14),
    Column("current", "実績（枚）", SHEETS, 16),
    Column("baseline", "基準年度同月（枚）", SHEETS, 18),
    Column("threshold_path", "取組基準のライン（枚）", SHEETS, 20),
    Column("goal_path", "全市目標のライン（枚）", SHEETS, 20),
    Column("rate", "削減率", PERCENT, 10),
    Column("comparable_departments", "比較できた所属数", "#,##0", 16),
)
AREA_CHART_COLUMNS = (
    Column("name", "区役所・局（所属）", width=22),
    Column("driving_rate", "削減率", PERCENT, 10),
    Column("status", "判定", width=12),
)
DEPARTMENT_COLUMNS = (
    Column("area_name", "区役所・局", width=16),
    Column("name", "所属", width=20),
    Column("driving_rate", "削減率", PERCENT, 10),
    Column("status", "判定", width=12),
    Column("gap", "取組基準までの枚数", SHEETS, 16),
)


def _save(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def era_date(day: date) -> str:
    """date(2023, 2, 15) → '令和5年2月15日' (作成日 as the city writes dates)."""
    era, year = era_year(day)
    return f"{era}{'元' if year == 1 else year}年{day.month}月{day.day}日"


def _with_goal_path(series: Sequence[dict[str, Any]], goal: float | None) -> list[dict]:
    return [
        row
        | {
            "goal_path": None
            if goal is None or row.get("baseline") is None
            else row["baseline"] * (1 - goal)
        }
        for row in series
    ]


def meeting_report(report: MeetingReport) -> bytes:
    """The reference material: summary, lagging list with notes, missing, and the charts
    (native Excel charts beside the tables they draw)."""
    wb = Workbook()
    wb.properties.title = report.title
    wb.properties.creator = "堺市 ペーパーレス取組状況"
    goal = ""
    if report.city_goal is not None:
        goal = f"・{wording.GOAL_WORD} {wording.threshold_text(report.city_goal)}"
    line = wording.threshold_text(report.threshold)
    rules = (
        f"{wording.THRESHOLD_WORD} 削減率{line}{goal}。基準年度の同じ月と比べています。"
        f"{wording.EXPLANATIONS['reporting']}。{wording.EXPLANATIONS['coverage']}。"
        f"{wording.EXPLANATIONS['adjusted']}（除外後の比較可能率：報告が必要な月のうち、"
        "除外枚数を両年度とも記入して比べられた月の割合）。"
    )
    subtitle = (
        f"{report.unit_name}　対象期間：{report.period_label}　作成日：{era_date(report.made_on)}"
    )
    lagging = "取組基準に届いていない所属（削減が必要な枚数の多い順）"
    series = _with_goal_path(report.series, report.city_goal)
    series_columns = [c for c in SERIES_COLUMNS if c.key != "goal_path" or report.city_goal]
    areas = [row for row in report.children if row.get("driving_rate") is not None]
    sheets = (
        (
            "区役所・局別",
            report.children_heading,
            SUMMARY_COLUMNS,
            [*report.children, report.total],
        ),
        ("未達の所属", lagging, LAGGING_COLUMNS, report.lagging),
        ("未報告の所属", "最新月の枚数が未報告の所属", NOT_REPORTED_COLUMNS, report.not_reported),
        ("グラフ_区役所・局別", report.children_heading, AREA_CHART_COLUMNS, areas),
        ("グラフ_月別推移", f"{report.series_name}の月別枚数", series_columns, series),
        ("グラフ_所属別", "所属別の削減率（低い順）", DEPARTMENT_COLUMNS, report.departments),
    )
    for index, (name, heading, columns, rows) in enumerate(sheets):
        ws = wb.active if index == 0 else wb.create_sheet()
        ws.title = f"{report.sheet_prefix}{name}"[:31]
        title = report.title if index == 0 else f"{report.title}　{heading}"
        note = f"{rules} 年度末見込み：{report.projection_method}" if index < 2 else rules
        write_table(
            ws,
            title=title,
            subtitle=f"{heading}　{subtitle}",
            note=note,
            columns=columns,
            rows=rows,
        )
        _chart(ws, name, heading, columns, len(rows), report)
    return _save(wb)


def _chart(ws: Worksheet, name: str, heading: str, columns, rows: int, report) -> None:
    """The native chart of a グラフ sheet, anchored right of its table."""
    anchor = f"{get_column_letter(len(columns) + 2)}{HEADER_ROW}"
    keys = [c.key for c in columns]
    if name == "グラフ_区役所・局別":
        report_charts.rate_bars(
            ws,
            title=heading,
            header_row=HEADER_ROW,
            rows=rows,
            name_column=1,
            rate_column=keys.index("driving_rate") + 1,
            threshold=report.threshold,
            goal=report.city_goal,
            anchor=anchor,
        )
    elif name == "グラフ_所属別":
        report_charts.rate_bars(
            ws,
            title=heading,
            header_row=HEADER_ROW,
            rows=rows,
            name_column=2,
            rate_column=keys.index("driving_rate") + 1,
            threshold=report.threshold,
            goal=None,
            anchor=anchor,
            horizontal=True,
        )
    elif name == "グラフ_月別推移":
        lines = ["current", "baseline", "threshold_path", "goal_path"]
        report_charts.monthly_lines(
            ws,
            title=heading,
            header_row=HEADER_ROW,
            rows=rows,
            month_column=1,
            value_columns=[keys.index(k) + 1 for k in lines if k in keys],
            anchor=anchor,
        )


def table_workbook(
    *, title: str, header: list[str], rows: list[list[Any]], formats: dict[int, str]
) -> bytes:
    """One sheet: a title row, then the header and the rows (``formats`` by column index)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "所属一覧"
    columns = [Column(str(i), label, formats.get(i), 14) for i, label in enumerate(header)]
    data = [{str(i): v for i, v in enumerate(row)} for row in rows]
    write_table(ws, title=title, subtitle="", note="", columns=columns, rows=data)
    return _save(wb)

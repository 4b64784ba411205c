"""The meeting report workbook: title, sheets, print layout, safe cells."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest

from paperless.dashboard import report

TITLE = "令和4年度 ペーパーレスの取組状況（1月末現在）"


def row(name, rate, status, gap, **extra):
    return {
        "name": name,
        "area_name": extra.pop("area_name", "中区役所"),
        "baseline": 10_000,
        "current": round(10_000 * (1 - rate)),
        "rate": rate,
        "adjusted_rate": rate + 0.02,
        "driving_rate": rate,
        "status": status,
        "gap": gap,
        "coverage": 1.0,
        "projected_rate": rate - 0.01,
        "at_risk": False,
        "change": 0.012,
        **extra,
    }


def sample(**changes) -> report.MeetingReport:
    fields = {
        "title": TITLE,
        "unit_name": "堺市",
        "children_heading": "区役所・局別の状況",
        "period_label": "令和4年度（2022年4月〜2023年1月）",
        "threshold": 0.3,
        "city_goal": 0.5,
        "total": row("堺市", 0.33, "achieved", -300),
        "children": [
            row("堺区役所", 0.4, "achieved", -1000),
            row("中区役所", 0.18, "lagging", 1200),
        ],
        "lagging": [
            row(
                "企画総務課",
                0.11,
                "lagging",
                2418,
                note_text="会議資料をタブレットで閲覧に切り替えました。",
                note_on=date(2022, 2, 14),
            ),
            row('=HYPERLINK("http://evil")', 0.2, "lagging", 900, note_text="", note_on=None),
        ],
        "not_reported": [
            {
                "area_name": "中区役所",
                "name": "子育て支援課",
                "last_month": date(2022, 12, 1),
                "deadline": date(2023, 2, 10),
                "days_overdue": 5,
            }
        ],
        "series": [
            {
                "month": date(2022, 4, 1),
                "current": 700,
                "baseline": 1000,
                "threshold_path": 700.0,
                "rate": 0.3,
                "comparable_departments": 2,
            }
        ],
        "series_name": "堺市",
        "departments": [row("企画総務課", 0.11, "lagging", 2418)],
        "projection_method": "直近3か月の削減率が続くと仮定しています。",
        "made_on": date(2023, 2, 15),
    }
    fields.update(changes)
    return report.MeetingReport(**fields)


@pytest.fixture
def workbook():
    return openpyxl.load_workbook(io.BytesIO(report.meeting_report(sample())))


def test_workbook_is_titled_like_the_meeting_material(workbook):
    assert workbook.properties.title == TITLE
    assert workbook.worksheets[0]["A1"].value == TITLE
    assert workbook.sheetnames == [
        "区役所・局別",
        "未達の所属",
        "未報告の所属",
        "グラフ_区役所・局別",
        "グラフ_月別推移",
        "グラフ_所属別",
    ]


def test_ward_summary_lists_each_ward_and_the_total_with_number_formats(workbook):
    ws = workbook["区役所・局別"]
    header = [c.value for c in ws[report.HEADER_ROW]]
    assert header[:4] == ["区役所・局（所属）", "基準年度同月の枚数", "対象期間の枚数", "削減率"]
    names = [ws.cell(row=r, column=1).value for r in range(5, 8)]
    assert names == ["堺区役所", "中区役所", "堺市"]
    rate = ws.cell(row=6, column=4)
    assert rate.value == pytest.approx(0.18) and rate.number_format == "0.0%"
    assert ws.cell(row=6, column=6).value == "▲ 未達"  # status by mark and word
    assert ws.cell(row=6, column=7).value == 1200
    assert ws.cell(row=6, column=7).number_format == "#,##0"
    change = ws.cell(row=6, column=11)
    assert change.value == pytest.approx(1.2) and "pt" in change.number_format


def test_lagging_list_has_gaps_and_the_latest_note(workbook):
    ws = workbook["未達の所属"]
    header = [c.value for c in ws[report.HEADER_ROW]]
    assert "取組基準までの枚数" in header and "改善の取組（最新）" in header
    first = {h: c.value for h, c in zip(header, ws[report.HEADER_ROW + 1], strict=True)}
    assert first["所属"] == "企画総務課"
    assert first["取組基準までの枚数"] == 2418
    assert first["改善の取組（最新）"].startswith("会議資料")
    assert first["改善の取組（記入日）"].date() == date(2022, 2, 14)


def test_text_that_looks_like_a_formula_stays_text(workbook):
    ws = workbook["未達の所属"]
    cell = ws.cell(row=report.HEADER_ROW + 2, column=2)
    assert cell.value == '\'=HYPERLINK("http://evil")'
    assert cell.data_type == "s"


@pytest.mark.parametrize("name", ["区役所・局別", "未達の所属", "未報告の所属", "グラフ_月別推移"])
def test_every_sheet_prints_on_a4_landscape_fitted_to_width_with_repeated_headers(workbook, name):
    ws = workbook[name]
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert int(ws.page_setup.fitToWidth) == 1
    assert int(ws.page_setup.fitToHeight) == 0
    assert ws.print_title_rows == f"$1:${report.HEADER_ROW}"


def test_chart_data_sheets_hold_the_numbers_behind_each_chart(workbook):
    ws = workbook["グラフ_月別推移"]
    values = [c.value for c in ws[report.HEADER_ROW + 1]][:7]
    # 全市目標 50%: its line is the baseline × 0.5, beside the 取組基準's.
    assert values == ["2022年4月", 700, 1000, 700, 500, pytest.approx(0.3), 2]
    ws = workbook["グラフ_所属別"]
    assert ws.cell(row=report.HEADER_ROW + 1, column=2).value == "企画総務課"


def test_not_reported_sheet_counts_days_overdue(workbook):
    ws = workbook["未報告の所属"]
    values = [c.value for c in ws[report.HEADER_ROW + 1]]
    assert values[1] == "子育て支援課"
    assert values[-1] == 5


def test_report_without_a_city_goal_says_only_the_threshold():
    wb = openpyxl.load_workbook(io.BytesIO(report.meeting_report(sample(city_goal=None))))
    note = wb.worksheets[0]["A3"].value
    assert "取組基準 削減率30%" in note and "全市目標" not in note


def test_table_workbook_neutralises_text_and_keeps_numbers():
    body = report.table_workbook(
        title="所属別の削減率",
        header=["所属", "削減率"],
        rows=[["@SUM(A1)", 0.25], ["市民課", None]],
        formats={1: "0.0%"},
    )
    ws = openpyxl.load_workbook(io.BytesIO(body)).active
    assert ws["A1"].value == "所属別の削減率"
    assert [c.value for c in ws[report.HEADER_ROW]] == ["所属", "削減率"]
    assert ws.cell(row=5, column=1).value == "'@SUM(A1)"
    assert ws.cell(row=5, column=2).value == 0.25
    assert ws.cell(row=5, column=2).number_format == "0.0%"
    assert ws.page_setup.orientation == "landscape"


def test_chart_sheets_hold_native_charts_with_the_threshold_and_goal_lines(workbook):
    areas = workbook["グラフ_区役所・局別"]
    (bars,) = areas._charts
    assert bars.series  # the rates, with the 取組基準 and 全市目標 lines combined in
    (monthly,) = workbook["グラフ_月別推移"]._charts
    assert len(monthly.series) == 4  # 実績, 基準年度同月, 取組基準, 全市目標
    (departments,) = workbook["グラフ_所属別"]._charts
    assert departments.type == "bar"  # horizontal: names never collide


def test_lagging_rows_are_shaded_and_the_date_is_in_reiwa(workbook):
    ws = workbook["区役所・局別"]
    assert ws.cell(row=6, column=1).fill.fgColor.rgb.endswith("FBE3E3")  # 中区役所, 未達
    assert not ws.cell(row=5, column=1).fill.fgColor.rgb.endswith("FBE3E3")
    assert "作成日：令和5年2月15日" in ws["A2"].value


def test_a_ward_s_report_names_its_sheets_after_the_ward():
    ward = sample(unit_name="中区役所", sheet_prefix="中区役所_")
    book = openpyxl.load_workbook(io.BytesIO(report.meeting_report(ward)))
    assert book.sheetnames[1] == "中区役所_未達の所属"

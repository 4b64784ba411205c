"""Every surface says the figures the core computes (DESIGN.md §2, Status; issue 11).

For every department, the rate, status and gap on the city page's department table,
the CSV export, the meeting report workbook, the summary JSON and the weekly e-mails
agree; no lagging unit is called 達成 anywhere or given a 余裕. The fixture holds the
awkward cases: a unit at 29.97% (base 1,001, current 701), which shows 29.9% and
あと 1枚 everywhere, and one that states exclusions only in the current year.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl
import pytest
import time_machine

from paperless.alerts import emails
from paperless.alerts.data import alert_data_load
from paperless.alerts.planning import plan_week, week_timing
from paperless.core import wording
from paperless.core.fiscal import fiscal_months
from paperless.core.rates import LAGGING
from tests.conftest import add_counts

pytestmark = pytest.mark.django_db

TODAY = date(2023, 2, 15)  # FY2022 to date: April 2022 – January 2023
JANUARY = date(2023, 1, 1)
BASE = fiscal_months(2020)
FY22 = [m for m in fiscal_months(2022) if m <= JANUARY]
AT_2997 = "110100"


@pytest.fixture
def counts(tree):
    # 1 − 701 / 1,001 = 29.97%: lagging by 0.3 sheets, which is one sheet to cut.
    add_counts(tree["sakai_shimin"], BASE, 601, 400)
    add_counts(tree["sakai_shimin"], [JANUARY], 401, 300)
    # Exclusions stated only in the current year: no adjusted rate, gross 20% lagging.
    add_counts(tree["sakai_kikaku"], BASE, 600, 400)
    add_counts(tree["sakai_kikaku"], FY22, 500, 300, excluded=400)
    # 40%: achieved with a margin.
    add_counts(tree["naka_shimin"], BASE, 600, 400)
    add_counts(tree["naka_shimin"], FY22, 400, 200)
    return tree


@pytest.fixture
def client_(client, users, counts):
    client.force_login(users["executive"])
    with time_machine.travel(TODAY, tick=False):
        yield client


def summary_units(client) -> dict[str, dict]:
    body = client.get("/api/summary.json?unit=100000").json()
    return {u["code"]: u for u in body["units"] if u["kind"] == "department"}


def expected(unit: dict) -> tuple[str, str, int | None]:
    """(rate as shown, status label, gap) the core's figures give."""
    return (
        wording.percent(unit["rate"], unit["status"]),
        wording.status_label(unit["status"]),
        unit["gap"],
    )


def test_the_core_gives_the_awkward_units_their_figures(client_):
    units = summary_units(client_)
    assert units[AT_2997]["status"] == LAGGING and units[AT_2997]["gap"] == 1
    assert expected(units[AT_2997])[0] == "29.9%"
    assert units["110200"]["adjusted_rate"] is None and units["110200"]["status"] == LAGGING
    assert units["120100"]["status"] == "achieved"


def test_city_page_table_says_the_core_figures(client_):
    units = summary_units(client_)
    response = client_.get("/?unit=100000&per_page=100")
    table = response.context["table"]
    html = {
        row.record["code"]: str(cells)
        for row, cells in zip(table.paginated_rows, table.body(), strict=True)
    }
    for code, unit in units.items():
        rate, label, gap = expected(unit)
        assert rate in html[code] if unit["rate"] is not None else True
        assert f">{label}<" in html[code]
        if gap is not None:
            assert f">{gap:,}<" in html[code]
    # The rate beside the status (the year-end projection, its own figure, may read 30%).
    assert '<td class="num">29.9%</td>' in html[AT_2997]
    page = response.content.decode()
    assert "報告率：" in page and "比較可能率：" in page


def test_csv_export_says_the_core_figures(client_):
    units = summary_units(client_)
    body = client_.get("/export/departments.csv?unit=100000").content.decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(body)))
    at = {
        name: header.index(name) for name in ("所属コード", "削減率", "判定", "取組基準までの枚数")
    }
    by_code = {row[at["所属コード"]]: row for row in rows}
    for code, unit in units.items():
        row = by_code[code]
        shown = wording.shown_rate(unit["rate"], unit["status"])
        assert row[at["削減率"]] == ("" if shown is None else str(shown))
        assert row[at["判定"]] == wording.status_label(unit["status"])
        assert row[at["取組基準までの枚数"]] == ("" if unit["gap"] is None else str(unit["gap"]))
    assert by_code[AT_2997][at["削減率"]] == "0.299"
    assert "報告率" in header and "比較可能率" in header


def test_meeting_report_says_the_core_figures(client_):
    units = summary_units(client_)
    book = openpyxl.load_workbook(
        io.BytesIO(client_.get("/report/meeting.xlsx?unit=100000").content)
    )
    ws = book["グラフ_所属別"]
    names = {f"{u['name']}": code for code, u in units.items()}
    seen = set()
    for row in ws.iter_rows(min_row=5, values_only=True):
        if not row[1]:
            continue
        code = names[row[1]]
        unit = units[code]
        seen.add(code)
        assert row[2] == pytest.approx(wording.shown_rate(unit["rate"], unit["status"]))
        assert row[3] == wording.status_text(unit["status"])
        assert row[4] == unit["gap"]
    assert AT_2997 in seen
    lagging = book["未達の所属"]
    shown = {r[1]: r for r in lagging.iter_rows(min_row=5, values_only=True) if r[1]}
    at_2997 = shown[units[AT_2997]["name"]]
    assert at_2997[2] == pytest.approx(0.299) and at_2997[3] == 1
    texts = [c for ws in book for row in ws.iter_rows(values_only=True) for c in row]
    assert not any(isinstance(t, str) and "余裕" in t for t in texts)


def test_weekly_emails_say_the_core_figures_and_never_call_a_lagging_unit_achieved(client_):
    units = summary_units(client_)
    timing = week_timing(TODAY, deadline_day=10)
    plan = plan_week(alert_data_load(timing), as_of=TODAY, deadline_day=10, site_url="https://x")
    checked = set()
    for message in plan.messages:
        mail = emails.render(message.kind, message.context)
        if message.kind != "lagging":
            continue
        for dept in message.context["departments"]:
            unit = units[dept["code"]]
            assert dept["rate"] == pytest.approx(unit["rate"], abs=1e-4)
            assert (dept["status"], dept["gap"]) == (unit["status"], unit["gap"])
            rate, _label, gap = expected(unit)
            assert f"削減率 {rate}" in mail.text
            assert wording.gap_text(gap, 0.3) in mail.text
            checked.add(dept["code"])
        assert "余裕" not in mail.text and "を達成" not in mail.text
        assert "余裕" not in mail.html and "を達成" not in mail.html
    assert {AT_2997, "110200"} <= checked
    at_2997 = next(m for m in plan.messages if AT_2997 in m.units and m.kind == "lagging")
    text = emails.render(at_2997.kind, at_2997.context).text
    assert "29.9%" in text and "あと 1枚" in text and "30.0%" not in text


def test_department_page_says_29_9_and_one_sheet(client_):
    page = client_.get(f"/units/{AT_2997}/").content.decode()
    assert '<p class="value">29.9%</p>' in page
    assert "<strong>1枚</strong>" in page
    assert "報告率" in page and "比較可能率" in page

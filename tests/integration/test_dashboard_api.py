"""The JSON summary for the city's data platform, and the meeting report download."""

from __future__ import annotations

import io
from urllib.parse import unquote

import openpyxl
import pytest
import time_machine

from tests.integration.dashboard_data import TODAY, counts

pytestmark = pytest.mark.django_db
__all__ = ["counts"]

FIELDS = {
    "code",
    "name",
    "kind",
    "current",
    "baseline",
    "rate",
    "adjusted_rate",
    "status",
    "gap",
    "coverage",
    "adjusted_coverage",
    "reporting",
}


@pytest.fixture
def as_user(client, counts, users):
    def login(name: str):
        client.force_login(users[name])
        return client

    with time_machine.travel(TODAY, tick=False):
        yield login


def test_summary_json_has_the_period_and_every_unit_below_the_city(as_user):
    response = as_user("executive").get("/api/summary.json")
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["period"] == {"from": "2022-04", "to": "2023-01"}
    codes = [u["code"] for u in body["units"]]
    assert codes == ["100000", "110000", "110100", "110200", "120000", "120100", "200000",
                     "201000", "201100"]  # fmt: skip
    assert all(set(u) == FIELDS for u in body["units"])
    units = {u["code"]: u for u in body["units"]}
    assert units["110100"]["rate"] == 0.4 and units["110100"]["status"] == "achieved"
    assert units["201100"]["rate"] is None and units["201100"]["gap"] is None
    assert units["201100"]["status"] == "no_data"
    assert units["120100"]["coverage"] == 0.9


def test_summary_json_takes_the_period_and_unit_of_the_command(as_user):
    body = as_user("executive").get("/api/summary.json?from=2022-04&to=2022-06&unit=120000").json()
    assert body["period"] == {"from": "2022-04", "to": "2022-06"}
    assert [u["code"] for u in body["units"]] == ["120000", "120100"]
    assert body["units"][0]["current"] == 2700 and body["units"][0]["rate"] == 0.1


def test_summary_json_is_filtered_to_what_the_user_may_see(as_user):
    client = as_user("manager")
    assert [u["code"] for u in client.get("/api/summary.json").json()["units"]] == [
        "110000",
        "110100",
        "110200",
    ]
    refused = client.get("/api/summary.json?unit=100000")
    assert refused.status_code == 403 and "権限" in refused.json()["error"]


def test_summary_json_needs_a_login_and_says_so_without_redirecting(client, counts):
    response = client.get("/api/summary.json")
    assert response.status_code == 401
    assert response.json() == {"error": "ログインが必要です。"}


def test_summary_json_explains_a_bad_period(as_user):
    response = as_user("executive").get("/api/summary.json?fy=二〇二二")
    assert response.status_code == 400
    assert "年度「二〇二二」を読めません" in response.json()["error"]
    assert as_user("executive").get("/api/summary.json?unit=999999").status_code == 404


def test_meeting_report_is_titled_by_fiscal_year_and_last_month(as_user):
    response = as_user("executive").get("/report/meeting.xlsx?from=2022-04&to=2022-12")
    assert response.status_code == 200
    disposition = unquote(response["Content-Disposition"])
    assert "令和4年度_ペーパーレスの取組状況（12月末現在）.xlsx" in disposition
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    assert wb.properties.title == "令和4年度 ペーパーレスの取組状況（12月末現在）"
    summary = wb["区役所・局別"]
    names = [summary.cell(row=r, column=1).value for r in range(5, summary.max_row + 1)]
    assert names == ["堺区役所", "中区役所", "財政局", "堺市"]
    lagging = wb["未達の所属"]
    assert lagging.cell(row=5, column=2).value == "中区 市民課"
    assert lagging.cell(row=5, column=4).value == 1800  # April–December: 8,100 − 0.7 × 9,000


def test_meeting_report_lists_the_latest_note_of_each_lagging_department(as_user, users, tree):
    from paperless.models import ActionNote

    for day, text in ((1, "古い取組"), (10, "新しい取組")):
        ActionNote.objects.create(
            department=tree["naka_shimin"],
            author=users["head"],
            text=text,
            noted_on=TODAY.replace(day=day),
        )
    wb = openpyxl.load_workbook(
        io.BytesIO(as_user("executive").get("/report/meeting.xlsx").content)
    )
    ws = wb["未達の所属"]
    header = [c.value for c in ws[4]]
    row = dict(zip(header, [c.value for c in ws[5]], strict=True))
    assert row["改善の取組（最新）"] == "新しい取組"


def test_meeting_report_of_a_ward_for_its_manager(as_user):
    client = as_user("manager")
    response = client.get("/report/meeting.xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    # A ward's report carries its own name: title, file name and sheet names.
    summary = wb["堺区役所_区役所・局別"]
    assert "堺区役所" in summary["A1"].value
    assert "堺区役所" in unquote(response["Content-Disposition"])
    assert summary.cell(row=5, column=1).value == "堺区 市民課"
    assert "堺区役所の内訳" in summary["A2"].value
    assert client.get("/report/meeting.xlsx?unit=100000").status_code == 403

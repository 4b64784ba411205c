"""The city page: headline figures, ward/bureau charts, not reported, projection."""

from __future__ import annotations

import re
from datetime import date

import pytest
import time_machine

from paperless.core.series import PROJECTION_METHOD
from paperless.models import MonthlyCount, Unit
from tests.conftest import add_counts
from tests.integration.dashboard_data import BASE, FY22, TODAY, counts, figures, rows_by_code

pytestmark = pytest.mark.django_db
__all__ = ["counts"]


@pytest.fixture
def city(client, users, counts):
    client.force_login(users["executive"])
    with time_machine.travel(TODAY, tick=False):
        yield client


def test_city_rates_gross_and_adjusted_against_threshold_and_goal(city):
    response = city.get("/")
    head = response.context["headline"]
    # Comparable months only: 中区 has no January, so its January baseline is left out.
    current = 10 * 600 + 7 * 600 + 3 * 900 + 9 * 900
    baseline = 10 * 1000 + 10 * 1000 + 9 * 1000
    assert head["unit"]["rate"] == pytest.approx(1 - current / baseline)
    # Adjusted: only 堺区 市民課 states its excluded sheets, on both sides, so only its
    # ten months are compared net of them.
    adjusted = (10 * (600 - 200)) / (10 * (1000 - 200))
    assert head["unit"]["adjusted_rate"] == pytest.approx(1 - adjusted)
    assert head["unit"]["adjusted_months"] == 10
    assert (head["threshold"], head["city_goal"]) == (0.3, 0.5)
    body = response.content.decode()
    assert "取組基準：削減率 30%" in body and "全市目標：50%" in body
    assert "令和4年度（2022年4月〜2023年1月）" in body


def test_departments_are_counted_by_status_with_the_at_risk_ones(city):
    head = city.get("/").context["headline"]
    assert head["by_status"] == {"lagging": 1, "no_data": 1, "no_baseline": 0, "achieved": 2}
    assert head["at_risk"] == 1
    assert head["not_reported"] == 2


def test_sheets_saved_and_what_they_stand_for(city, settings):
    settings.PAPERLESS_SHEETS_PER_TREE = 1000
    settings.PAPERLESS_CO2_G_PER_SHEET = 10
    settings.PAPERLESS_YEN_PER_SHEET = 2
    head = city.get("/").context["headline"]
    saved = head["unit"]["baseline"] - head["unit"]["current"]
    eq = head["equivalents"]
    assert eq.saved_sheets == saved == 29000 - 21000
    assert (eq.trees, eq.co2_kg, eq.yen) == (8.0, 80.0, 16000.0)
    body = city.get("/").content.decode()
    assert "8,000枚" in body and "換算の根拠" in body and "1枚あたり10" in body


def test_ward_and_bureau_charts_come_as_json_with_the_threshold_line(city):
    found = figures(city.get("/").content.decode())
    wards, bureaus = found["figure-wards"], found["figure-bureaus"]
    assert wards["data"][0]["type"] == "bar"
    assert wards["data"][0]["x"] == ["堺区役所", "中区役所"]
    assert wards["data"][0]["marker"]["pattern"]["shape"] == ["", "/"]
    assert wards["data"][0]["text"][1].startswith("▲未達")
    assert {s["name"]: s["y0"] for s in wards["layout"]["shapes"]} == {
        "threshold": 0.3,
        "city_goal": 0.5,
    }
    assert bureaus["data"][0]["x"] == ["財政局"]
    assert set(found) >= {"figure-series", "figure-departments"}


def test_ward_table_beside_the_chart_is_its_text_equivalent(city):
    body = city.get("/").content.decode()
    table = body[body.index("<caption>区役所別の削減率</caption>") :]
    table = table[: table.index("</table>")]
    assert "堺区役所" in table and "中区役所" in table
    assert "status-lagging" in table and "未達" in table


def test_pages_run_no_inline_script_and_fetch_nothing_from_outside(city):
    body = city.get("/").content.decode()
    scripts = re.findall(r"<script([^>]*)>", body)
    assert scripts, "the page draws its charts with scripts"
    for attrs in scripts:
        assert 'type="application/json"' in attrs or 'src="/static/' in attrs, attrs
    assert 'src="/static/vendor/plotly.min.js"' in body
    assert not re.search(r'(?:src|href|action)="(?:https?:)?//', body)
    assert "cdn" not in body.lower()


def test_not_reported_lists_missing_departments_with_days_overdue(city):
    response = city.get("/")
    missing = {r["code"]: r for r in response.context["page"].not_reported}
    assert set(missing) == {"120100", "201100"}
    assert missing["120100"]["deadline"] == date(2023, 2, 10)
    assert missing["120100"]["days_overdue"] == 5
    assert "5日超過" in response.content.decode()


def test_before_the_deadline_missing_departments_are_not_overdue(client, users, counts):
    client.force_login(users["executive"])
    with time_machine.travel(date(2023, 2, 8), tick=False):
        response = client.get("/")
    assert all(r["days_overdue"] == 0 for r in response.context["page"].not_reported)
    assert "期限前" in response.content.decode()


def test_deadline_day_comes_from_the_settings(client, users, counts, settings):
    settings.PAPERLESS_UPLOAD_DEADLINE_DAY = 5
    client.force_login(users["executive"])
    with time_machine.travel(TODAY, tick=False):
        missing = client.get("/").context["page"].not_reported
    assert {r["days_overdue"] for r in missing} == {10}


def test_table_shows_change_since_previous_month_and_at_risk(city):
    rows = rows_by_code(city.get("/"))
    kikaku = rows["110200"]
    # Rate to January minus the rate to December: 31% − 33.3%.
    assert kikaku["change"] == pytest.approx(0.31 - (1 - 6000 / 9000))
    assert kikaku["at_risk"] is True
    assert kikaku["projected_rate"] == pytest.approx(1 - (6900 + 2 * 900) / 12000)
    assert rows["110100"]["at_risk"] is False


def test_page_states_how_the_projection_is_made(city):
    body = city.get("/").content.decode()
    assert PROJECTION_METHOD in body
    assert "要注意（年度末見込み未達）" in body


@pytest.mark.parametrize(
    ("query", "label"),
    [
        ("?fy=2021", "令和3年度（2021年4月〜2022年3月）"),
        ("?from=2022-07&to=2022-12", "令和4年度（2022年7月〜2022年12月）"),
        ("?latest=1", "令和4年度（2023年1月）"),
    ],
)
def test_period_can_be_a_fiscal_year_a_month_range_or_the_latest_month(city, query, label):
    response = city.get("/" + query)
    assert response.context["period"].label == label
    assert label in response.content.decode()


def test_unreadable_period_says_why_and_shows_this_year(city):
    response = city.get("/?from=2022-13&to=2023-01")
    assert response.status_code == 200
    assert response.context["period"].kind == "fytd"
    assert "開始月「2022-13」を年月として読めません" in response.content.decode()


def test_monthly_lines_for_a_chosen_ward(city):
    response = city.get("/?series=120000")
    assert response.context["data"].series_unit == "120000"
    title = figures(response.content.decode())["figure-series"]["layout"]["title"]["text"]
    assert title.startswith("中区役所の月別枚数")
    # A code that is not on the page falls back to the city.
    assert city.get("/?series=999999").context["data"].series_unit == "100000"


def test_report_and_export_links_carry_the_period_and_unit(city):
    body = city.get("/?fy=2021").content.decode()
    assert "/report/meeting.xlsx?from=2021-04&amp;to=2022-03&amp;unit=100000" in body
    assert "/export/departments.csv?from=2021-04&amp;to=2022-03" in body


def test_city_page_query_count_does_not_grow_with_departments(
    client, users, counts, tree, django_assert_max_num_queries
):
    from django.core.cache import cache

    client.force_login(users["executive"])
    with time_machine.travel(TODAY, tick=False):
        with django_assert_max_num_queries(20) as small:
            client.get("/")
        new = Unit.objects.bulk_create(
            Unit(code=f"13{i:04d}", name=f"課{i}", kind="department", parent=tree["naka"])
            for i in range(50)
        )
        for unit in new:
            add_counts(unit, BASE + FY22, 500, 300)
        cache.clear()
        with django_assert_max_num_queries(len(small.captured_queries)):
            response = client.get("/")
    assert response.context["department_count"] == 54


def test_figures_are_cached_until_the_counts_change(city):
    before = city.get("/").context["headline"]["unit"]["current"]
    count = MonthlyCount.objects.get(department__code="120100", month=date(2022, 12, 1))
    count.print_sheets += 1000
    count.save()  # as an upload does: with a history row
    after = city.get("/").context["headline"]["unit"]["current"]
    assert after == before + 1000


def test_figures_are_cached_until_counts_are_deleted_or_added_in_bulk(city):
    def current() -> int:
        return city.get("/").context["headline"]["unit"]["current"]

    before = current()
    gone = MonthlyCount.objects.filter(department__code="120100", month=date(2022, 12, 1))
    sheets = sum(c.print_sheets + c.copy_sheets for c in gone)
    gone.delete()  # as the admin's "delete selected" does
    assert current() == before - sheets
    MonthlyCount.objects.bulk_create(  # no history row: a new highest id
        [
            MonthlyCount(
                department=Unit.objects.get(code="120100"),
                month=date(2022, 12, 1),
                print_sheets=1,
                copy_sheets=2,
            )
        ]
    )
    assert current() == before - sheets + 3


def test_cached_page_runs_fewer_queries_than_the_first(
    client, users, counts, django_assert_max_num_queries
):
    client.force_login(users["executive"])
    with time_machine.travel(TODAY, tick=False):
        with django_assert_max_num_queries(20) as first:
            client.get("/")
        with django_assert_max_num_queries(len(first.captured_queries) - 4):
            client.get("/")

"""Periods the data allows: the base year has no rate, months not yet closed are refused,
the years one may choose follow the policies and the counts (FY1995 works like FY2020),
and request values that key the page cache are checked first."""

from __future__ import annotations

import json
import re
from datetime import date
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from paperless.core.fiscal import fiscal_months
from paperless.dashboard.pages import fy_choices
from paperless.models import Policy
from tests.conftest import add_counts
from tests.integration.dashboard_data import TODAY, counts, rows_by_code

pytestmark = pytest.mark.django_db
__all__ = ["counts"]


@pytest.fixture
def city(client, users, counts):
    client.force_login(users["executive"])
    with time_machine.travel(TODAY, tick=False):
        yield client


def summary_command(*args: str, today: date = TODAY) -> dict:
    out = StringIO()
    with time_machine.travel(today, tick=False):
        call_command("paperless_summary", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


# --- the base year -------------------------------------------------------------------


def test_the_base_year_says_it_has_no_rate_instead_of_listing_everyone_as_lagging(city):
    response = city.get("/?fy=2020")
    body = response.content.decode()
    assert "令和2年度は基準年度のため、削減率はありません" in body
    assert response.context["period"].fy == 2020  # shown, not replaced by another year
    head = response.context["headline"]
    assert head["by_status"]["lagging"] == head["by_status"]["achieved"] == 0
    rows = rows_by_code(response)
    assert all(row["rate"] is None and row["gap"] is None for row in rows.values())
    assert head["unit"]["rate"] is None
    assert all(month["rate"] is None for month in response.context["page"].series_rows)


def test_a_period_reaching_into_the_base_year_has_no_rate_either(city):
    response = city.get("/?from=2021-01&to=2021-06")
    assert "令和2年度は基準年度のため" in response.content.decode()
    assert response.context["headline"]["by_status"]["lagging"] == 0


def test_the_base_year_in_the_json_summary_and_the_command_is_a_400_and_an_error(city):
    response = city.get("/api/summary.json?fy=2020")
    assert response.status_code == 400
    assert "令和2年度は基準年度のため" in response.json()["error"]
    with pytest.raises(CommandError, match="令和2年度は基準年度のため"):
        summary_command("--fy", "2020")


# --- months not yet closed -----------------------------------------------------------


def test_a_period_after_the_latest_complete_month_is_refused(city):
    response = city.get("/?from=2022-12&to=2023-02")
    assert response.context["period"].kind == "fytd"  # the default period instead
    assert "2023年2月はまだ締まっていません" in response.content.decode()
    api = city.get("/api/summary.json?from=2022-12&to=2023-02")
    assert api.status_code == 400 and "2023年2月はまだ締まっていません" in api.json()["error"]
    with pytest.raises(CommandError, match="2023年2月はまだ締まっていません"):
        summary_command("--from", "2022-12", "--to", "2023-02")


def test_the_json_summary_honours_latest(city):
    body = city.get("/api/summary.json?latest=1").json()
    assert body["period"] == {"from": "2023-01", "to": "2023-01"}
    assert summary_command("--latest")["period"] == {"from": "2023-01", "to": "2023-01"}


# --- the years one may choose --------------------------------------------------------


def test_the_years_to_choose_run_from_the_base_year_to_the_current_one(city):
    choices = city.get("/").context["fy_choices"]
    assert choices == [(2022, "令和4年度"), (2021, "令和3年度"), (2020, "令和2年度")]
    assert (
        "2019年度は選べません。2020年度から2022年度まで" in city.get("/?fy=2019").content.decode()
    )


def test_fiscal_year_choices_are_the_years_given_newest_first():
    expected = [(1997, "平成9年度"), (1996, "平成8年度"), (1995, "平成7年度")]
    assert fy_choices((1995, 1997)) == expected


def test_counts_before_the_base_year_widen_the_choice(city, tree):
    add_counts(tree["zeimu"], [date(2017, 5, 1)], 10, 10)
    choices = city.get("/").context["fy_choices"]
    assert choices[-1] == (2017, "平成29年度")


def rate_text(body: str, value: str) -> bool:
    """Whether the page shows the rate, with either minus sign."""
    return re.search(rf"[-−]{re.escape(value)}%", body) is not None


@pytest.mark.parametrize(
    ("base_fy", "era"),
    [(2016, "平成28年度"), (1995, "平成7年度")],
)
def test_a_programme_against_an_older_base_year_works_like_one_against_fy2020(
    client, users, tree, base_fy, era
):
    Policy.objects.create(fiscal_year=base_fy, base_fiscal_year=base_fy)
    base, this_year = fiscal_months(base_fy), fiscal_months(base_fy + 1)
    add_counts(tree["sakai_shimin"], base, 600, 400)
    add_counts(tree["sakai_shimin"], this_year, 300, 200)  # −50%: achieved
    add_counts(tree["sakai_kikaku"], base, 600, 400)
    add_counts(tree["sakai_kikaku"], this_year, 700, 420)  # use went up 12%: lagging
    today = date(base_fy + 2, 4, 20)  # the whole of the next year is closed
    client.force_login(users["executive"])
    with time_machine.travel(today, tick=False):
        response = client.get(f"/?fy={base_fy + 1}")
        body = response.content.decode()
        rows = rows_by_code(response)
        assert (rows["110100"]["rate"], rows["110100"]["status"]) == (0.5, "achieved")
        assert rows["110200"]["rate"] == pytest.approx(-0.12)
        assert rows["110200"]["status"] == "lagging"
        assert rows["110200"]["gap"] == 12 * (1120 - 700)
        assert rate_text(body, "12.0") and "未達" in body
        years = [fy for fy, _label in response.context["fy_choices"]]
        assert years == [base_fy + 1, base_fy]  # the current year: the one just closed
        assert (base_fy, era) in response.context["fy_choices"]
        assert f"{era}は基準年度のため" in client.get(f"/?fy={base_fy}").content.decode()
        api = client.get(f"/api/summary.json?fy={base_fy + 1}").json()
    by_code = {row["code"]: row for row in api["units"]}
    assert by_code["110200"]["rate"] == pytest.approx(-0.12)
    assert by_code["110200"]["status"] == "lagging"
    printed = summary_command("--fy", str(base_fy + 1), today=today)
    assert {row["code"]: row["rate"] for row in printed["units"]}["110200"] == -0.12
    with pytest.raises(CommandError, match=f"{base_fy - 1}年度は選べません"):
        summary_command("--fy", str(base_fy - 1), today=today)


# --- request values in the cache key -------------------------------------------------


def test_a_series_unit_that_is_not_among_the_choices_is_the_page_unit(city):
    assert city.get("/?series=120000").context["data"].series_unit == "120000"
    # A department two levels down is not one of the city page's lines.
    assert city.get("/?series=110100").context["data"].series_unit == "100000"
    assert city.get("/?series=999999").context["data"].series_unit == "100000"


def test_a_malformed_series_unit_is_404(city):
    assert city.get("/?series=%01").status_code == 404
    assert city.get("/?series=" + "1" * 300).status_code == 404

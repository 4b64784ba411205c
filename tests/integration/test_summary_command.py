"""``paperless_summary``: the JSON summary from the command line."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from paperless.core.fiscal import months_between
from paperless.models import MonthlyCount, Unit
from tests.conftest import add_counts
from tests.integration.dashboard_data import FY22, TODAY, counts

pytestmark = pytest.mark.django_db
__all__ = ["counts"]


def run(*args: str) -> dict:
    out = StringIO()
    with time_machine.travel(TODAY, tick=False):
        call_command("paperless_summary", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_prints_the_city_and_every_unit_below_it(counts):
    body = run()
    assert body["period"] == {"from": "2022-04", "to": "2023-01"}
    assert [u["code"] for u in body["units"]][:3] == ["100000", "110000", "110100"]
    assert len(body["units"]) == 9
    assert list(body["units"][0]) == [
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
    ]


def test_unit_and_fiscal_year_options(counts):
    body = run("--unit", "110000", "--fy", "2022")
    assert [u["code"] for u in body["units"]] == ["110000", "110100", "110200"]
    assert body["units"][1]["rate"] == 0.4
    assert body["units"][1]["adjusted_rate"] == 0.5  # (600 − 200) / (1,000 − 200)


def test_a_unit_summary_equals_the_city_summary_for_its_units(counts, tree):
    heir = Unit.objects.create(
        code="120900", name="中区 統合窓口課", kind="department", parent=tree["naka"]
    )
    heir.predecessors.add(tree["sakai_shimin"])  # its baseline comes from 堺区
    add_counts(heir, FY22, 300, 200)
    city = {u["code"]: u for u in run()["units"]}
    ward = run("--unit", "120000")["units"]
    assert [u["code"] for u in ward] == ["120000", "120100", "120900"]
    assert ward == [city[u["code"]] for u in ward]
    assert ward[2]["rate"] == 0.5  # 500 a month against the 1,000 it inherited


def test_month_range_option(counts):
    body = run("--from", "2022-11", "--to", "2023-01", "--unit", "110200")
    assert body["period"] == {"from": "2022-11", "to": "2023-01"}
    assert body["units"][0]["rate"] == 0.1
    assert body["units"][0]["status"] == "lagging"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--unit", "999999"], "所属コード「999999」はありません。"),
        (["--from", "2022-04"], "両方を指定"),
        (["--fy", "2030"], "2030年度は選べません"),
    ],
)
def test_mistakes_end_with_a_japanese_message(counts, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


# Sakai's published first year of the drive: July 2021 – March 2022 against the same
# months of FY2020, 38.5M → 24.2M sheets (−37.2%) and, without the sheets required on
# paper, 28.0M → 13.7M (−51.2%). Totals as imported, spread over the nine months.
PUBLISHED = {
    "baseline": 38_500_000,
    "baseline_excluded": 10_500_000,
    "current": 24_178_000,
    "current_excluded": 10_514_000,
}


def spread(total: int, months: int) -> list[int]:
    share, rest = divmod(total, months)
    return [share + (1 if i < rest else 0) for i in range(months)]


def test_city_published_yearly_totals_come_back_with_the_published_rates(db):
    city = Unit.objects.create(code="271403", name="堺市", kind="city")
    dept = Unit.objects.create(code="271403-01", name="全庁", kind="department", parent=city)
    base = months_between(date(2020, 7, 1), date(2021, 3, 1))
    current = months_between(date(2021, 7, 1), date(2022, 3, 1))
    rows = []
    for months, total, excluded in (
        (base, PUBLISHED["baseline"], PUBLISHED["baseline_excluded"]),
        (current, PUBLISHED["current"], PUBLISHED["current_excluded"]),
    ):
        for month, sheets, kept in zip(months, spread(total, 9), spread(excluded, 9), strict=True):
            rows.append(
                MonthlyCount(
                    department=dept,
                    month=month,
                    print_sheets=sheets // 2,
                    copy_sheets=sheets - sheets // 2,
                    excluded_sheets=kept,
                )
            )
    MonthlyCount.objects.bulk_create(rows)
    body = run("--from", "2021-07", "--to", "2022-03")
    city_row = body["units"][0]
    assert (city_row["current"], city_row["baseline"]) == (24_178_000, 38_500_000)
    assert round(city_row["rate"], 3) == 0.372
    assert round(city_row["adjusted_rate"], 3) == 0.512
    assert f"{city_row['rate']:.1%}" == "37.2%" and f"{city_row['adjusted_rate']:.1%}" == "51.2%"
    assert city_row["coverage"] == 1.0

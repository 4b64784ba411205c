"""Reading the period a page, the JSON URL or the command asks for."""

from __future__ import annotations

from datetime import date

import pytest

from paperless.core.period import Period, PeriodError, base_year_problem, parse_period
from paperless.core.tree import ancestors, areas, preorder

TODAY = date(2023, 2, 15)  # latest complete month: January 2023, in FY2022


def months(first: str, count: int) -> tuple[date, ...]:
    year, month = map(int, first.split("-"))
    out = []
    for i in range(count):
        index = year * 12 + month - 1 + i
        out.append(date(index // 12, index % 12 + 1, 1))
    return tuple(out)


def test_default_is_this_fiscal_year_to_the_latest_complete_month():
    period = parse_period(today=TODAY)
    assert period.months == months("2022-04", 10)
    assert (period.fy, period.kind) == (2022, "fytd")
    assert period.label == "令和4年度（2022年4月〜2023年1月）"


def test_a_past_fiscal_year_is_whole_and_the_current_one_to_date():
    assert parse_period(fy="2021", today=TODAY).months == months("2021-04", 12)
    assert parse_period(fy=2022, today=TODAY).months == months("2022-04", 10)


def test_a_month_range_wins_over_a_fiscal_year():
    period = parse_period(fy="2020", start="2021-07", end="2022-03", today=TODAY)
    assert period.months == months("2021-07", 9)
    assert (period.fy, period.kind) == (2021, "range")
    assert period.params == {"from": "2021-07", "to": "2022-03"}


def test_latest_month_alone():
    period = parse_period(latest=True, today=TODAY)
    assert period.months == (date(2023, 1, 1),)
    assert period.label == "令和4年度（2023年1月）"
    assert period.previous_months == (date(2022, 12, 1),)


def test_previous_period_ends_one_month_earlier():
    period = parse_period(today=TODAY)
    assert period.previous_months == months("2022-04", 9)


def test_range_across_fiscal_years_is_labelled_by_its_months():
    period = parse_period(start="2022-01", end="2022-06", today=TODAY)
    assert period.label == "2022年1月〜2022年6月"
    assert period.fy == 2022


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"start": "2022-07"}, "両方を指定"),
        ({"start": "2022-13", "end": "2023-01"}, "開始月「2022-13」を年月として読めません"),
        ({"start": "2022-07", "end": "R4.9"}, "終了月「R4.9」"),
        ({"start": "2022-07", "end": "2022-06"}, "終了月が開始月より前"),
        ({"start": "2019-01", "end": "2022-06"}, "36か月以内"),
        ({"fy": "R4"}, "年度「R4」を読めません"),
        ({"fy": "2023"}, "2023年度は選べません"),
        ({"fy": "1999"}, "1999年度は選べません"),
    ],
)
def test_unreadable_periods_say_what_is_wrong_in_japanese(kwargs, message):
    with pytest.raises(PeriodError, match=message):
        parse_period(today=TODAY, years=(2000, 2022), **kwargs)


def test_a_range_ending_after_the_latest_complete_month_is_refused():
    with pytest.raises(PeriodError, match="2023年2月はまだ締まっていません。2023年1月までの月で"):
        parse_period(start="2022-12", end="2023-02", today=TODAY)
    assert parse_period(start="2022-12", end="2023-01", today=TODAY).last == date(2023, 1, 1)


def test_the_years_on_record_bound_the_fiscal_year_whatever_they_are():
    assert parse_period(fy=1995, today=TODAY, years=(1995, 2022)).months == months("1995-04", 12)
    assert parse_period(fy=2016, today=TODAY, years=(2016, 2022)).fy == 2016
    with pytest.raises(PeriodError, match="2015年度は選べません。2016年度から2022年度まで"):
        parse_period(fy=2015, today=TODAY, years=(2016, 2022))
    with pytest.raises(PeriodError, match="2023年度は選べません"):
        parse_period(fy=2023, today=TODAY, years=(2016, 2030))


@pytest.mark.parametrize(
    ("period", "base_fy", "message"),
    [
        (parse_period(fy=2020, today=TODAY), 2020, "令和2年度は基準年度のため、削減率はありません"),
        (parse_period(fy=2016, today=TODAY), 2016, "平成28年度は基準年度のため"),
        (parse_period(start="2021-01", end="2021-06", today=TODAY), 2020, "令和2年度は基準年度"),
        (parse_period(fy=2019, today=TODAY), 2020, "令和元年度は基準年度（令和2年度）より前"),
        (parse_period(fy=2021, today=TODAY), 2020, None),
        (parse_period(fy=1996, today=TODAY), 1995, None),
    ],
)
def test_a_period_in_or_before_the_base_year_has_no_rate(period, base_fy, message):
    problem = base_year_problem(period, base_fy)
    assert problem is None if message is None else message in problem


def test_period_is_a_value():
    assert Period(months=(date(2022, 4, 1),), fy=2022) == Period(
        months=(date(2022, 4, 1),), fy=2022
    )


def units_frame():
    import pandas as pd

    rows = [
        ("100000", None, 0),
        ("200000", "100000", 2),
        ("110000", "100000", 1),
        ("201000", "200000", 3),
        ("201100", "201000", 4),
        ("110100", "110000", 5),
    ]
    return pd.DataFrame(rows, columns=["code", "parent", "sort_order"]).sort_values("sort_order")


def test_tree_walks_in_display_order_parents_first():
    units = units_frame()
    assert preorder(units, "100000") == ["100000", "110000", "110100", "200000", "201000", "201100"]
    assert preorder(units, "200000") == ["200000", "201000", "201100"]


def test_each_unit_belongs_to_the_ward_or_bureau_below_the_root():
    found = areas(units_frame()).to_dict()
    assert found == {
        "100000": None,
        "110000": "110000",
        "110100": "110000",
        "200000": "200000",
        "201000": "200000",
        "201100": "200000",
    }
    assert ancestors(units_frame(), "201100") == ["100000", "200000", "201000"]
    assert ancestors(units_frame(), "100000") == []

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paperless.core.fiscal import (
    add_months,
    era_year,
    fiscal_months,
    fiscal_year,
    format_month_iso,
    fy_end_month,
    fy_era_label,
    fy_label,
    fy_start,
    fy_to_date_months,
    latest_complete_month,
    month_era_label,
    month_label,
    month_start,
    months_between,
    parse_month,
    parse_month_iso,
    shift_to_fiscal_year,
)

JAN_2022 = date(2022, 1, 1)
months = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)).map(month_start)


def full_width(text: str) -> str:
    """Write ASCII as typed on a Japanese keyboard in 全角 (full-width) mode."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def test_full_width_helper_writes_zenkaku_characters():
    # Escapes, because full-width letters in source look like ASCII to a reviewer.
    assert full_width("R4.1") == "\uff32\uff14\uff0e\uff11"
    assert full_width("2022年1月") == "\uff12\uff10\uff12\uff12年\uff11月"


# --- months -----------------------------------------------------------------------


def test_month_start_drops_the_day_and_the_time():
    assert month_start(date(2022, 1, 31)) == JAN_2022
    assert month_start(datetime(2022, 1, 31, 23, 59)) == JAN_2022


@pytest.mark.parametrize(
    ("m", "n", "expected"),
    [
        (date(2022, 1, 1), 1, date(2022, 2, 1)),
        (date(2022, 12, 1), 1, date(2023, 1, 1)),
        (date(2022, 1, 1), -1, date(2021, 12, 1)),
        (date(2022, 3, 1), 12, date(2023, 3, 1)),
        (date(2022, 3, 1), -27, date(2019, 12, 1)),
        (date(2022, 3, 31), 0, date(2022, 3, 1)),
    ],
)
def test_add_months_crosses_year_boundaries(m, n, expected):
    assert add_months(m, n) == expected


def test_months_between_includes_both_ends():
    assert months_between(date(2021, 11, 1), date(2022, 2, 15)) == [
        date(2021, 11, 1),
        date(2021, 12, 1),
        date(2022, 1, 1),
        date(2022, 2, 1),
    ]


def test_months_between_a_single_month_is_that_month():
    assert months_between(JAN_2022, JAN_2022) == [JAN_2022]


def test_months_between_is_empty_when_end_is_before_start():
    assert months_between(date(2022, 2, 1), JAN_2022) == []


@given(months, st.integers(min_value=-600, max_value=600))
def test_add_months_is_undone_by_adding_the_opposite(m, n):
    assert add_months(add_months(m, n), -n) == m


@given(months, st.integers(min_value=0, max_value=240))
def test_months_between_has_one_entry_per_month(m, n):
    span = months_between(m, add_months(m, n))
    assert len(span) == n + 1
    assert span[0] == m
    assert span[-1] == add_months(m, n)


# --- fiscal years -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("d", "fy"),
    [
        (date(2022, 4, 1), 2022),
        (date(2022, 3, 31), 2021),
        (date(2023, 3, 15), 2022),
        (date(2022, 12, 31), 2022),
        (date(2023, 1, 1), 2022),
        (date(2023, 4, 1), 2023),
    ],
)
def test_fiscal_year_runs_from_april_to_march(d, fy):
    assert fiscal_year(d) == fy


def test_fiscal_months_are_april_to_the_next_march():
    months_of_2022 = fiscal_months(2022)
    assert len(months_of_2022) == 12
    assert months_of_2022[0] == date(2022, 4, 1) == fy_start(2022)
    assert months_of_2022[8] == date(2022, 12, 1)
    assert months_of_2022[9] == date(2023, 1, 1)
    assert months_of_2022[-1] == date(2023, 3, 1) == fy_end_month(2022)


@given(months)
def test_every_month_is_one_of_its_fiscal_years_months(m):
    fy = fiscal_year(m)
    assert m in fiscal_months(fy)
    assert fy_start(fy) <= m <= fy_end_month(fy)


def test_fy_to_date_months_stops_at_the_latest_month():
    assert fy_to_date_months(2021, date(2022, 1, 20)) == months_between(date(2021, 4, 1), JAN_2022)


def test_fy_to_date_months_is_only_april_in_april():
    assert fy_to_date_months(2022, date(2022, 4, 1)) == [date(2022, 4, 1)]


def test_fy_to_date_months_is_empty_before_the_fiscal_year_starts():
    assert fy_to_date_months(2022, date(2022, 3, 31)) == []


def test_fy_to_date_months_is_the_whole_year_once_it_has_ended():
    assert fy_to_date_months(2021, date(2023, 6, 1)) == fiscal_months(2021)


@pytest.mark.parametrize(
    ("m", "fy", "expected"),
    [
        (date(2022, 1, 1), 2020, date(2021, 1, 1)),
        (date(2022, 4, 1), 2020, date(2020, 4, 1)),
        (date(2023, 3, 1), 2019, date(2020, 3, 1)),
        (date(2022, 12, 1), 2022, date(2022, 12, 1)),
    ],
)
def test_shift_to_fiscal_year_keeps_the_calendar_month(m, fy, expected):
    assert shift_to_fiscal_year(m, fy) == expected


@given(months, st.integers(min_value=1990, max_value=2100))
def test_shifted_month_lands_in_the_target_fiscal_year(m, fy):
    shifted = shift_to_fiscal_year(m, fy)
    assert fiscal_year(shifted) == fy
    assert shifted.month == m.month


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2022, 2, 1), date(2022, 1, 1)),
        (date(2022, 2, 28), date(2022, 1, 1)),
        (date(2022, 1, 15), date(2021, 12, 1)),
    ],
)
def test_latest_complete_month_is_the_month_before_today(today, expected):
    assert latest_complete_month(today) == expected


# --- labels and eras --------------------------------------------------------------


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(2022, 1, 1), ("令和", 4)),
        (date(2019, 5, 1), ("令和", 1)),
        (date(2019, 4, 30), ("平成", 31)),
        (date(1989, 1, 8), ("平成", 1)),
        (date(1989, 1, 7), ("昭和", 64)),
        (datetime(2019, 5, 1, 9, 0), ("令和", 1)),
    ],
)
def test_era_year_changes_on_the_day_the_era_began(d, expected):
    assert era_year(d) == expected


def test_era_year_rejects_dates_before_showa():
    with pytest.raises(ValueError, match="before the 昭和 era"):
        era_year(date(1926, 12, 24))


@pytest.mark.parametrize(
    ("fy", "expected"),
    [
        (2022, "令和4年度"),
        (2020, "令和2年度"),
        (2019, "令和元年度"),
        (2018, "平成30年度"),
        (1989, "平成元年度"),
        (1988, "昭和63年度"),
    ],
)
def test_fy_era_label_names_era_change_years_as_offices_do(fy, expected):
    assert fy_era_label(fy) == expected


def test_fy_label_is_the_western_year():
    assert fy_label(2022) == "2022年度"


def test_month_label_has_no_leading_zero():
    assert month_label(JAN_2022) == "2022年1月"
    assert month_label(date(2022, 11, 1)) == "2022年11月"


@pytest.mark.parametrize(
    ("m", "expected"),
    [
        (date(2022, 1, 1), "令和4年1月"),
        (date(2019, 5, 1), "令和元年5月"),
        (date(2019, 4, 1), "平成31年4月"),
        (date(1989, 1, 1), "平成元年1月"),
        (date(1988, 12, 1), "昭和63年12月"),
    ],
)
def test_month_era_label_writes_the_first_year_as_gan(m, expected):
    assert month_era_label(m) == expected


def test_format_month_iso_pads_the_month():
    assert format_month_iso(JAN_2022) == "2022-01"


def test_parse_month_iso_reads_what_format_month_iso_writes():
    assert parse_month_iso("2022-01") == JAN_2022


@pytest.mark.parametrize(
    "value", ["2022-1", "2022/01", "2022-13", "2022-00", "202201", "", " 2022-01"]
)
def test_parse_month_iso_rejects_anything_but_yyyy_mm(value):
    with pytest.raises(ValueError, match="not a YYYY-MM month"):
        parse_month_iso(value)


# --- parse_month ------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "2022-01",
        "2022-1",
        "2022/1",
        "2022/01",
        "2022.1",
        "2022.01",
        "202201",
        "2022-01-01",
        "2022/1/1",
        "2022/1/31",
        "2022年1月",
        "2022年01月",
        "2022年1月分",
        "2022年1月1日",
        "令和4年1月",
        "令和4年1月分",
        "令和04年01月",
        "R4.1",
        "R4/1",
        "R4-1",
        "R04.01",
        "r4.1",
        "R4年1月",
        full_width("2022年1月"),
        full_width("R4.1"),
        full_width("2022/01"),
        full_width("2022-01"),
        full_width("r04.01"),
        "㋿4年1月",
        " 2022 - 01 ",
        "2022年 1月",
        "\t2022/1\n",
        "2022-01-01 00:00:00",
        "2022/1/1 0:00",
        "2022-01-01T00:00:00",
        202201,
        202201.0,
        date(2022, 1, 1),
        date(2022, 1, 31),
        datetime(2022, 1, 31, 12, 30),
    ],
)
def test_parse_month_reads_every_form_offices_write(value):
    assert parse_month(value) == JAN_2022


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("令和元年5月", date(2019, 5, 1)),
        ("R1.5", date(2019, 5, 1)),
        ("H31.4", date(2019, 4, 1)),
        ("h31/4", date(2019, 4, 1)),
        ("平成31年4月", date(2019, 4, 1)),
        ("平成元年1月", date(1989, 1, 1)),
        ("H1.1", date(1989, 1, 1)),
        ("平成30年12月", date(2018, 12, 1)),
        ("昭和64年1月", date(1989, 1, 1)),
        ("S64.1", date(1989, 1, 1)),
        ("昭和元年12月", date(1926, 12, 1)),
        ("1900-01", date(1900, 1, 1)),
        ("2200-12", date(2200, 12, 1)),
    ],
)
def test_parse_month_accepts_each_era_up_to_its_boundary_month(value, expected):
    assert parse_month(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "4月",
        "1月分",
        "2022",
        "2022年",
        "R4",
        "令和4年度",
        "22年1月",
        "22/1",
        "元年1月",
        "2022-13",
        "2022-00",
        "202213",
        "202200",
        "2022/1/32",
        "2022/2/30",
        "2022/1-1",
        "2022-1-",
        "20220101",
        "令和0年1月",
        "R0.1",
        "令和元年4月",
        "平成31年5月",
        "H31.5",
        "平成32年1月",
        "昭和64年2月",
        "昭和元年11月",
        "X4.1",
        "1899-12",
        "2201-01",
        "",
        "   ",
        "未定",
        "2022年1月分分",
        "٢٠٢٢-01",
    ],
)
def test_parse_month_rejects_text_without_a_real_month(value):
    assert parse_month(value) is None


@pytest.mark.parametrize(
    "value",
    [
        2022,
        1,
        20220101,
        44562,  # an Excel serial date: not accepted, it cannot be told from a count
        202201.5,
        float("nan"),
        float("inf"),
        True,
        None,
        date(1899, 12, 31),
        ["2022-01"],
    ],
)
def test_parse_month_rejects_numbers_other_than_yyyymm_and_other_types(value):
    assert parse_month(value) is None


@given(months)
def test_parse_month_reads_back_month_label(m):
    assert parse_month(month_label(m)) == m


@given(months)
def test_parse_month_reads_back_month_era_label(m):
    assert parse_month(month_era_label(m)) == m


@given(months)
def test_parse_month_reads_back_format_month_iso(m):
    assert parse_month(format_month_iso(m)) == m
    assert parse_month_iso(format_month_iso(m)) == m


@given(st.text())
def test_parse_month_never_raises_on_arbitrary_text(value):
    result = parse_month(value)
    assert result is None or (isinstance(result, date) and result.day == 1)


@given(st.one_of(st.integers(), st.floats()))
def test_parse_month_never_raises_on_arbitrary_numbers(value):
    result = parse_month(value)
    assert result is None or (isinstance(result, date) and result.day == 1)

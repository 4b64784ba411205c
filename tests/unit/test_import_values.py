"""One cell as the counts import reads it: counts, months, codes, fiscal-year titles."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paperless.importing.counts.values import (
    parse_code,
    parse_count,
    parse_fiscal_year,
    parse_month_value,
)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (12345, 12345),
        (12000.0, 12000),
        ("12000.0", 12000),
        ("12,345", 12345),
        ("１２，３４５", 12345),
        ("  4210 ", 4210),
        ("　４２１０　", 4210),
        ("1 234", 1234),
        ("1,234枚", 1234),
        ("1.2E+05", 120000),
        ("0", 0),
        (0.0, 0),
        ("+15", 15),
    ],
)
def test_count_forms_offices_write_are_read(cell, expected):
    assert parse_count(cell) == (expected, None)


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        (-1, "negative_count"),
        ("-5", "negative_count"),
        ("－５", "negative_count"),
        ("△120", "negative_count"),
        ("(300)", "negative_count"),
        (12.5, "fractional_count"),
        ("12.5", "fractional_count"),
        ("abc", "not_a_number"),
        ("十二", "not_a_number"),
        ("1-2", "not_a_number"),
        (True, "not_a_number"),
        (float("nan"), "not_a_number"),
        (datetime(2022, 1, 1), "not_a_number"),
        ("1e13", "count_too_large"),
    ],
)
def test_bad_counts_name_what_is_wrong(cell, code):
    assert parse_count(cell) == (None, code)


@pytest.mark.parametrize("cell", [None, "", "   ", "　"])
def test_blank_count_is_neither_value_nor_error(cell):
    assert parse_count(cell) == (None, None)


@given(st.integers(min_value=0, max_value=10**12))
def test_any_count_written_with_separators_or_full_width_reads_back(number):
    written = f"{number:,}".translate(str.maketrans("0123456789,", "０１２３４５６７８９，"))
    assert parse_count(written) == (number, None)
    assert parse_count(float(number)) == (number, None)


@pytest.mark.parametrize(
    "cell",
    [
        date(2022, 12, 1),
        date(2022, 12, 15),
        datetime(2022, 12, 1, 0, 0),
        "2022-12",
        "2022/12",
        "2022/12/1",
        "2022年12月",
        "2022年12月分",
        "令和4年12月",
        "R4.12",
        "２０２２年１２月",
        "202212",
        202212.0,
        44896.0,  # a date cell that lost its format: 2022-12-01 as a day serial
        "2022-12-01T00:00:00",
    ],
)
def test_month_forms_are_one_month(cell):
    assert parse_month_value(cell) == date(2022, 12, 1)


@pytest.mark.parametrize("cell", [None, "", "12月", "2022年13月", "来月", 12.0, "平成31年5月"])
def test_unreadable_months_give_none(cell):
    assert parse_month_value(cell) is None


@pytest.mark.parametrize(
    "cell", [110100, 110100.0, "110100", "１１０１００", " 110100 ", "110100.0"]
)
def test_codes_compare_as_one_text(cell):
    assert parse_code(cell) == "110100"


def test_text_codes_keep_leading_zeros():
    assert parse_code("011000") == "011000"


@pytest.mark.parametrize(
    ("title", "fy"),
    [
        ("令和4年度 印刷枚数", 2022),
        ("2022年度", 2022),
        ("R4年度", 2022),
        ("令和元年度", 2019),
        ("平成30年度", 2018),
        ("印刷枚数", None),
    ],
)
def test_fiscal_year_in_a_title(title, fy):
    assert parse_fiscal_year(title) == fy

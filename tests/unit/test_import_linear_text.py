"""Cell text that made the old patterns backtrack: read correctly, and in one pass.

Each pattern applied to cell text starts a match only where a month, a year or a number
can start, and takes every run of spaces or digits once; text longer than any label is
never searched. These tests check the answers on the inputs that used to take seconds
(the time itself is measured in benchmarks/bench_adversarial.py), and that the rewritten
patterns find exactly what the old ones found on ordinary titles.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paperless.core.fiscal import parse_month
from paperless.importing.cells import MAX_LABEL_CHARS
from paperless.importing.counts.headers import field_of
from paperless.importing.counts.layout import _MONTH_IN_TEXT, month_in_title
from paperless.importing.counts.values import (
    _FISCAL_YEAR,
    _NUMBER,
    month_number,
    parse_code,
    parse_count,
    parse_fiscal_year,
    parse_month_value,
)

SPACES = " " * 32_000
# The patterns as they were, to show that the rewrite changes no answer.
OLD_MONTH_IN_TEXT = re.compile(
    r"(?:令和|平成|昭和|[RHS])?\s*(?:元|\d{1,4})\s*年\s*\d{1,2}\s*月|\d{4}\s*[-/.]\s*\d{1,2}"
)
OLD_FISCAL_YEAR = re.compile(r"((?:令和|平成|昭和|[RHS])?\s*(?:元|\d{1,4}))\s*年度")
OLD_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", re.ASCII)


@pytest.mark.parametrize(
    "text",
    [
        SPACES + "x",
        "x" + SPACES,
        "R" + SPACES + "x",
        "令和" + SPACES + "4",
        "4" + SPACES + "年",
        "2022年" + SPACES + "12",
        "2022年12" + SPACES,
        "2022" + SPACES + "-",
        "2022-" + SPACES,
        "1 " * 16_000 + "x",
        "R1年" * 8_000,
        "2022年12月 " + "印刷" * 200,  # a month, but in text too long to be a title
        "1" * 32_000 + "x",
    ],
)
def test_month_title_matcher_on_pathological_text_finds_nothing(text):
    assert month_in_title(text) is None


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("令和4年12月分 印刷枚数", date(2022, 12, 1)),
        ("R 4 年 12 月分", date(2022, 12, 1)),
        ("2022/12 実績", date(2022, 12, 1)),
        ("  2022年12月  ", date(2022, 12, 1)),
        ("2022年12月" + SPACES, date(2022, 12, 1)),  # padding is no text
        (" " * 150 + "令和4年12月分" + " " * 40, date(2022, 12, 1)),
        ("x" * (MAX_LABEL_CHARS - 8) + "2022年12月", date(2022, 12, 1)),
        ("令和4年度 印刷枚数", None),
        ("x" * (MAX_LABEL_CHARS - 7) + "2022年12月", None),
    ],
)
def test_month_title_matcher_reads_titles_up_to_the_label_length(text, month):
    assert month_in_title(text) == month


def test_other_cell_parsers_on_pathological_text():
    assert parse_count(SPACES + "x") == (None, "not_a_number")
    assert parse_count("1" * 32_000 + "x") == (None, "not_a_number")
    assert parse_count("1" * 150 + "x") == (None, "not_a_number")
    assert parse_count(" " * 1_000 + "1,234" + " " * 1_000) == (1234, None)
    assert parse_fiscal_year("R" + SPACES + "x") is None
    assert parse_fiscal_year("4" + SPACES + "年度") is None
    assert parse_fiscal_year("R " + "4 年度") == 2022
    assert parse_month_value(SPACES + "x") is None
    assert parse_month_value("2022-01-01" + SPACES + "0:00x") is None
    assert parse_month_value(" 2022-01-01 00:00:00 ") == date(2022, 1, 1)
    assert month_number(SPACES + "4月") == 4
    assert month_number("4" * 32_000) is None
    assert field_of(SPACES + "印刷枚数") == "print"
    assert field_of("印刷枚数" + "x" * 32_000) is None
    assert parse_code("1" * 32_000 + ".0") == "1" * 32_000 + ".0"
    assert parse_code("110100.00") == "110100"


_TITLE_CHARS = st.sampled_from(list("0123456789 　年月元令和平成昭RHS-/.分x度"))


@given(st.text(_TITLE_CHARS, max_size=24))
def test_rewritten_month_pattern_finds_the_same_months(text):
    old = [parse_month(m) for m in OLD_MONTH_IN_TEXT.findall(text)]
    new = [parse_month(m) for m in _MONTH_IN_TEXT.findall(text)]
    assert new == old


@given(st.text(_TITLE_CHARS, max_size=24))
def test_rewritten_fiscal_year_pattern_finds_the_same_year(text):
    old, new = OLD_FISCAL_YEAR.search(text), _FISCAL_YEAR.search(text)
    assert (old is None) == (new is None)
    if old and new:
        assert parse_month(f"{old[1]}年12月") == parse_month(f"{new[1]}年12月")


@given(st.text(st.sampled_from(list("0123456789.+-eE")), max_size=16))
def test_rewritten_number_pattern_accepts_the_same_text(text):
    assert bool(_NUMBER.fullmatch(text)) == bool(OLD_NUMBER.fullmatch(text))

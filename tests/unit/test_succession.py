"""Reorganisation links: shares parsed, checked and turned into the numbers baselines use."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

from paperless.core.baselines import prepare
from paperless.core.succession import (
    Link,
    check_links,
    effective_shares,
    parse_link,
    parse_share,
)


def test_shares_are_read_as_fractions_or_percentages_in_any_width():
    assert parse_share("0.4") == Decimal("0.4")
    assert parse_share("40%") == Decimal("0.4")
    assert parse_share("４０％") == Decimal("0.4")
    assert parse_share(" .25 ") == Decimal("0.25")
    assert parse_share("100%") == Decimal(1)


@pytest.mark.parametrize("text", ["", "abc", "40%%", "1.5", "120%", "-0.1", "0.4.1"])
def test_unreadable_or_out_of_range_shares_are_refused_in_japanese(text):
    with pytest.raises(ValueError, match="引継割合"):
        parse_share(text)


def test_an_entry_is_a_code_with_an_optional_share():
    assert parse_link("H", "110100", str.strip) == Link("H", "110100", None)
    assert parse_link("H", "110100：30%", str.strip) == Link("H", "110100", Decimal("0.3"))


def test_one_heir_of_an_abolished_predecessor_needs_no_share():
    assert check_links([Link("C", "A"), Link("C", "B")], {"A": False, "B": False}) == []


def test_a_split_without_shares_is_refused_naming_the_heirs():
    [problem] = check_links([Link("B1", "A"), Link("B2", "A")], {"A": False})
    assert problem.heirs == ("B1", "B2")
    assert "A:40%" in problem.message


def test_a_split_s_shares_must_sum_to_one():
    ok = [Link("B1", "A", Decimal("0.5")), Link("B2", "A", Decimal("0.5"))]
    assert check_links(ok, {"A": False}) == []
    near = [Link("B1", "A", Decimal("0.3333")), Link("B2", "A", Decimal("0.6667"))]
    assert check_links(near, {"A": False}) == []
    short = [Link("B1", "A", Decimal("0.4")), Link("B2", "A", Decimal("0.4"))]
    [problem] = check_links(short, {"A": False})
    assert "合計が 80% です" in problem.message


def test_an_active_predecessor_needs_a_share_and_keeps_the_rest():
    [problem] = check_links([Link("N", "A")], {"A": True})
    assert problem.heirs == ("N",) and "存続する所属" in problem.message
    assert check_links([Link("N", "A", Decimal("0.3"))], {"A": True}) == []
    over = [Link("N1", "A", Decimal("0.7")), Link("N2", "A", Decimal("0.7"))]
    assert "100%を超えて" in check_links(over, {"A": True})[0].message


def test_self_links_and_cycles_are_refused():
    assert check_links([Link("A", "A")], {})[0].heirs == ("A",)
    problems = check_links([Link("A", "B"), Link("B", "A")], {})
    assert {p.heirs for p in problems} == {("A",), ("B",)}


def test_effective_shares_fill_the_unstated_share_and_what_an_active_unit_keeps():
    links = [Link("C", "A"), Link("N", "K", Decimal("0.3"))]
    shares, kept = effective_shares(links, {"A": False, "K": True})
    assert shares == {("C", "A"): 1.0, ("N", "K"): 0.3}
    assert kept == {"K": pytest.approx(0.7)}


def test_counts_that_hold_no_unit_of_a_reorganisation_prepare_without_error():
    """A preview reads only the file's departments: the links may name none of them."""
    counts = pd.DataFrame(
        [("A", date(2020, 4, 1), 600, 400, None), ("A", date(2022, 4, 1), 300, 200, None)],
        columns=["department", "month", "print_sheets", "copy_sheets", "excluded_sheets"],
    )
    links = pd.DataFrame(
        [("HEIR", "OLD", 1.0, False)],
        columns=["unit", "predecessor", "share", "predecessor_active"],
    )
    prepared = prepare(counts, links, base_fy=2020)
    assert prepared.rows["baseline"].notna().any()

"""Reduction rates, status, gap, coverage and projection (paperless.core): pure, no db."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperless.core.baselines import Prepared, baseline_frame, prepare
from paperless.core.rates import Rules, reduction_rate
from paperless.core.records import to_records
from paperless.core.rollup import comparable_frame, period_rates, reported_frame, summarize
from paperless.core.series import PROJECTION_METHOD, monthly_series, project_fiscal_year

COUNT_COLUMNS = ["department", "month", "print_sheets", "copy_sheets", "excluded_sheets"]
UNIT_COLUMNS = ["code", "name", "kind", "parent", "active"]
NO_PREDECESSORS = pd.DataFrame({"unit": [], "predecessor": []}, dtype=object)
FY2022_H1 = [date(2022, m, 1) for m in range(4, 10)]


def m(year: int, month: int) -> date:
    return date(year, month, 1)


def base_month(month: date) -> date:
    """The FY2020 month a FY2022 month is compared with."""
    return date(2020 if month.month >= 4 else 2021, month.month, 1)


def counts_frame(rows: list[tuple]) -> pd.DataFrame:
    """Rows of (department, month, total[, excluded]); the total is put in print_sheets."""
    full = [(d, mo, total, 0, *(rest or [None])) for d, mo, total, *rest in rows]
    return pd.DataFrame(full, columns=COUNT_COLUMNS)


def city(wards: dict[str, list[str]], *, inactive: tuple[str, ...] = ()) -> pd.DataFrame:
    """A city C with ward offices and their departments, plus an empty bureau."""
    rows = [("C", "堺市", "city", None, True), ("EMPTY", "空局", "bureau", "C", True)]
    for ward, departments in wards.items():
        rows.append((ward, f"{ward}区役所", "ward_office", "C", True))
        rows += [(d, f"{d}課", "department", ward, d not in inactive) for d in departments]
    return pd.DataFrame(rows, columns=UNIT_COLUMNS)


def predecessors_frame(pairs: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(pairs, columns=["unit", "predecessor"])


def same(a: float | None, b: float | None) -> bool:
    """Equal rates, treating None and NaN alike as "no rate"."""
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or (isinstance(b, float) and math.isnan(b))
    return b is not None and not math.isnan(b) and a == pytest.approx(b, rel=1e-12)


def spread(total: int, parts: int) -> list[int]:
    """``total`` split into ``parts`` whole numbers that add up exactly."""
    share = total // parts
    return [share] * (parts - 1) + [total - share * (parts - 1)]


# --- Sakai's published first year ------------------------------------------------------

SAKAI_MONTHS = [m(2021, mo) for mo in range(7, 13)] + [m(2022, mo) for mo in range(1, 4)]


@pytest.mark.parametrize("departments", [["D1"], ["D1", "D2", "D3"]])
def test_sakai_first_year_gives_published_gross_and_adjusted_rates(departments):
    # FY2021 Jul-Mar vs FY2020: 38.5M -> 24.2M gross, 28.0M -> 13.7M net of exclusions.
    n = len(departments)
    rows = []
    for month, base_total, base_excl, cur_total, cur_excl in zip(
        SAKAI_MONTHS,
        spread(38_500_000, 9),
        spread(10_500_000, 9),
        spread(24_200_000, 9),
        spread(10_500_000, 9),
        strict=True,
    ):
        for dept, bt, be, ct, ce in zip(
            departments,
            spread(base_total, n),
            spread(base_excl, n),
            spread(cur_total, n),
            spread(cur_excl, n),
            strict=True,
        ):
            rows += [(dept, base_month(month), bt, be), (dept, month, ct, ce)]
    summary = summarize(
        counts_frame(rows),
        city({"W": departments}),
        NO_PREDECESSORS,
        months=SAKAI_MONTHS,
        rules=Rules(base_fy=2020),
    )
    sakai = summary.loc["C"]
    assert (sakai["current"], sakai["baseline"]) == (24_200_000, 38_500_000)
    assert (sakai["current_adjusted"], sakai["baseline_adjusted"]) == (13_700_000, 28_000_000)
    assert round(sakai["rate"], 3) == 0.371
    assert round(sakai["adjusted_rate"], 3) == 0.511
    assert sakai["status"] == "achieved"
    assert sakai["coverage"] == 1.0


# --- Missing months and aggregation (Hypothesis) ---------------------------------------

sheets = st.integers(min_value=0, max_value=50_000)


@st.composite
def department_months(draw, *, months: int = 6) -> list[tuple[int | None, int | None]]:
    """Per period month: (current total or None, baseline total or None)."""
    return draw(
        st.lists(
            st.tuples(st.none() | sheets, st.none() | sheets), min_size=months, max_size=months
        )
    )


def rows_for(dept: str, pairs: list[tuple[int | None, int | None]]) -> list[tuple]:
    rows = []
    for month, (current, baseline) in zip(FY2022_H1, pairs, strict=True):
        if current is not None:
            rows.append((dept, month, current))
        if baseline is not None:
            rows.append((dept, base_month(month), baseline))
    return rows


@settings(max_examples=60, deadline=None)
@given(
    pairs=st.lists(
        st.tuples(sheets, st.integers(min_value=1, max_value=50_000)), min_size=2, max_size=6
    ),
    data=st.data(),
)
def test_missing_month_is_not_counted_as_reduction(pairs, data):
    months = FY2022_H1[: len(pairs)]
    dropped = data.draw(st.integers(min_value=0, max_value=len(pairs) - 1))
    rows = []
    for i, (month, (current, baseline)) in enumerate(zip(months, pairs, strict=True)):
        rows.append(("D", base_month(month), baseline))
        if i != dropped:
            rows.append(("D", month, current))
    kept = [p for i, p in enumerate(pairs) if i != dropped]
    expected = reduction_rate(sum(c for c, _ in kept), sum(b for _, b in kept))

    row = summarize(
        counts_frame(rows), city({"W": ["D"]}), NO_PREDECESSORS, months=months, rules=Rules()
    ).loc["D"]
    assert same(expected, row["rate"])
    assert row["coverage"] == pytest.approx((len(pairs) - 1) / len(pairs))
    assert row["comparable_months"] == len(pairs) - 1
    assert row["baseline"] == sum(b for _, b in kept)


@settings(max_examples=60, deadline=None)
@given(st.lists(department_months(), min_size=1, max_size=4))
def test_ward_rate_is_rate_of_summed_comparable_months_of_its_departments(depts):
    names = [f"D{i}" for i in range(len(depts))]
    rows = [r for name, pairs in zip(names, depts, strict=True) for r in rows_for(name, pairs)]
    both = [(c, b) for pairs in depts for c, b in pairs if c is not None and b is not None]
    current = sum(c for c, _ in both)
    baseline = sum(b for _, b in both)

    summary = summarize(
        counts_frame(rows),
        city({"W": names}),
        NO_PREDECESSORS,
        months=FY2022_H1,
        rules=Rules(),
    )
    ward = summary.loc["W"]
    assert (ward["current"], ward["baseline"]) == (current, baseline)
    assert same(reduction_rate(current, baseline), ward["rate"])
    assert ward["comparable_months"] == len(both)
    assert ward["expected_months"] == 6 * len(names)
    assert ward["current_all"] == sum(c for p in depts for c, _ in p if c is not None)
    assert summary.loc[names, "current"].sum() == ward["current"]
    assert summary.loc["C", ["current", "baseline"]].tolist() == [current, baseline]


@settings(max_examples=60, deadline=None)
@given(st.lists(department_months(), min_size=1, max_size=4), st.integers(1, 6))
def test_period_rates_are_the_rates_summarize_gives(depts, length):
    names = [f"D{i}" for i in range(len(depts))]
    rows = [r for name, pairs in zip(names, depts, strict=True) for r in rows_for(name, pairs)]
    prepared = prepare(counts_frame(rows), NO_PREDECESSORS, base_fy=2020)
    units = city({"W": names})
    months = FY2022_H1[:length]
    full = summarize(prepared, units, NO_PREDECESSORS, months=months, rules=Rules())
    rates = period_rates(prepared, units, NO_PREDECESSORS, months=months, rules=Rules())
    pd.testing.assert_frame_equal(rates, full[["rate", "adjusted_rate"]])


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(sheets, st.integers(min_value=0, max_value=60_000), sheets, sheets),
        min_size=1,
        max_size=6,
    )
)
def test_rate_never_exceeds_one(values):
    # Excluded sheets may even be stated above the total: they are capped by it.
    rows = []
    for month, (current, cur_excl, baseline, base_excl) in zip(FY2022_H1, values, strict=False):
        rows += [("D", month, current, cur_excl), ("D", base_month(month), baseline, base_excl)]
    summary = summarize(
        counts_frame(rows), city({"W": ["D"]}), NO_PREDECESSORS, months=FY2022_H1, rules=Rules()
    )
    for column in ("rate", "adjusted_rate"):
        rates = summary[column].dropna()
        assert (rates <= 1).all()
    series = monthly_series(
        counts_frame(rows),
        city({"W": ["D"]}),
        NO_PREDECESSORS,
        unit="W",
        months=FY2022_H1,
        rules=Rules(),
    )
    assert (series["rate"].dropna() <= 1).all()


@settings(max_examples=50, deadline=None)
@given(
    current=st.lists(st.none() | sheets, min_size=6, max_size=6).filter(
        lambda xs: any(x is not None for x in xs)
    ),
    baseline=st.lists(st.none() | st.just(0), min_size=6, max_size=6),
)
def test_zero_or_missing_baseline_gives_no_baseline_not_an_error(current, baseline):
    rows = rows_for("D", list(zip(current, baseline, strict=True)))
    summary = summarize(
        counts_frame(rows), city({"W": ["D"]}), NO_PREDECESSORS, months=FY2022_H1, rules=Rules()
    )
    for code in ("D", "W", "C"):
        row = summary.loc[code]
        assert row["status"] == "no_baseline"
        assert math.isnan(row["rate"]) and math.isnan(row["adjusted_rate"])
        assert row["gap"] is pd.NA
    assert reduction_rate(sum(x or 0 for x in current), 0) is None


@settings(max_examples=30, deadline=None)
@given(baseline=st.lists(st.none() | sheets, min_size=6, max_size=6))
def test_no_current_value_gives_no_data(baseline):
    rows = rows_for("D", [(None, b) for b in baseline])
    # A current value outside the period does not count either.
    rows.append(("D", m(2022, 12), 10))
    summary = summarize(
        counts_frame(rows), city({"W": ["D"]}), NO_PREDECESSORS, months=FY2022_H1, rules=Rules()
    )
    assert set(summary["status"]) == {"no_data"}
    assert summary.loc["D", "reported_months"] == 0
    assert summary.loc["D", "coverage"] == 0.0


# --- Status, threshold, gap, coverage ----------------------------------------------------


@settings(max_examples=99, deadline=None)
@given(percent=st.integers(min_value=1, max_value=99), scale=st.integers(1, 1000))
def test_rate_exactly_at_threshold_is_achieved(percent, scale):
    # 1 - 80/100 is 0.19999999999999996 in floating point: still exactly 20%.
    baseline = 100 * scale
    rows = [("D", m(2022, 4), baseline - percent * scale), ("D", m(2020, 4), baseline)]
    rules = Rules(threshold=percent / 100)
    summary = summarize(
        counts_frame(rows), city({"W": ["D"]}), NO_PREDECESSORS, months=[m(2022, 4)], rules=rules
    )
    assert summary.loc["D", "status"] == "achieved"
    assert summary.loc["D", "gap"] == 0


def test_thirty_percent_is_achieved_and_just_below_is_lagging():
    rows = [("A", m(2022, 4), 70), ("A", m(2020, 4), 100)]
    rows += [("B", m(2022, 4), 71), ("B", m(2020, 4), 100)]
    summary = summarize(
        counts_frame(rows),
        city({"W": ["A", "B"]}),
        NO_PREDECESSORS,
        months=[m(2022, 4)],
        rules=Rules(threshold=0.30),
    )
    assert summary.loc["A", "status"] == "achieved"
    assert summary.loc["B", "status"] == "lagging"
    assert summary.loc["W", "rate"] == pytest.approx(59 / 200)
    assert summary.loc["W", "status"] == "lagging"


def test_gap_is_positive_for_what_must_still_be_cut():
    rows = [("A", m(2022, 4), 80_000), ("A", m(2020, 4), 100_000)]
    rows += [("B", m(2022, 4), 60_000), ("B", m(2020, 4), 100_000)]
    summary = summarize(
        counts_frame(rows),
        city({"W": ["A", "B"]}),
        NO_PREDECESSORS,
        months=[m(2022, 4)],
        rules=Rules(),
    )
    assert summary.loc["A", "gap"] == 10_000
    assert summary.loc["B", "gap"] == -10_000
    assert summary.loc["W", "gap"] == 0
    assert summary.loc["A", "status"] == "lagging"


def test_coverage_counts_missing_months_and_active_departments():
    rows = [("A", mo, 50) for mo in FY2022_H1[:3]] + [("B", mo, 50) for mo in FY2022_H1[:2]]
    rows += [(d, base_month(mo), 100) for d in "AB" for mo in FY2022_H1[:3]]
    units = city({"W": ["A", "B", "Q", "OLD"]}, inactive=("OLD",))
    summary = summarize(
        counts_frame(rows), units, NO_PREDECESSORS, months=FY2022_H1[:3], rules=Rules()
    )
    assert summary.loc["A", "coverage"] == 1.0
    assert summary.loc["B", "coverage"] == pytest.approx(2 / 3)
    assert summary.loc["Q", "coverage"] == 0.0
    assert summary.loc["Q", "status"] == "no_data"
    # OLD is inactive and silent: not expected. Q is active and silent: expected.
    assert summary.loc["W", "expected_months"] == 3 * 3
    assert summary.loc["W", "coverage"] == pytest.approx(5 / 9)
    assert math.isnan(summary.loc["EMPTY", "coverage"])
    assert summary.loc["EMPTY", "expected_months"] == 0


def test_month_without_baseline_is_reported_but_not_comparable():
    rows = [("A", m(2022, 4), 50), ("A", m(2022, 5), 60), ("A", m(2020, 4), 100)]
    # Baselines come from the base FY only: May 2021 is FY2021, not FY2020.
    rows.append(("A", m(2021, 5), 100))
    counts = counts_frame(rows)
    months = [m(2022, 4), m(2022, 5)]
    comparable = comparable_frame(counts, NO_PREDECESSORS, months=months, base_fy=2020)
    reported = reported_frame(counts, months=months)
    assert comparable["month"].tolist() == [m(2022, 4)]
    assert comparable.iloc[0][["current", "baseline"]].tolist() == [50, 100]
    assert reported["month"].tolist() == months
    row = summarize(counts, city({"W": ["A"]}), NO_PREDECESSORS, months=months, rules=Rules())
    assert row.loc["A", "current_all"] == 110
    assert row.loc["A", "current"] == 50
    assert (row.loc["A", "reported_months"], row.loc["A", "comparable_months"]) == (2, 1)


def test_january_is_compared_with_january_of_the_base_fiscal_year():
    # January 2022 belongs to FY2021; its FY2020 baseline is January 2021, not 2020.
    rows = [("A", m(2022, 1), 60), ("A", m(2021, 1), 100), ("A", m(2020, 1), 1_000)]
    comparable = comparable_frame(
        counts_frame(rows), NO_PREDECESSORS, months=[m(2022, 1)], base_fy=2020
    )
    assert comparable["baseline"].tolist() == [100]


def test_status_basis_adjusted_switches_status():
    # Gross 100 -> 80 (20%), net of 50 excluded each: 50 -> 30 (40%).
    rows = [("A", m(2022, 4), 80, 50), ("A", m(2020, 4), 100, 50)]
    args = (counts_frame(rows), city({"W": ["A"]}), NO_PREDECESSORS)
    gross = summarize(*args, months=[m(2022, 4)], rules=Rules()).loc["A"]
    adjusted = summarize(*args, months=[m(2022, 4)], rules=Rules(status_basis="adjusted")).loc["A"]
    assert (gross["rate"], gross["adjusted_rate"]) == pytest.approx((0.2, 0.4))
    assert gross["status"] == "lagging"
    assert adjusted["status"] == "achieved"
    assert gross["gap"] == 10
    assert adjusted["gap"] == 30 - 35


def test_unknown_status_basis_is_rejected():
    with pytest.raises(ValueError, match="status_basis"):
        Rules(status_basis="net")


# --- Reorganisations ---------------------------------------------------------------------


def test_department_created_from_two_predecessors_gets_the_sum_of_their_baselines():
    rows = [("OLD1", m(2020, 4), 300, 30), ("OLD2", m(2020, 4), 200, 20)]
    rows += [("OLD1", m(2020, 5), 300), ("NEW", m(2022, 4), 250), ("NEW", m(2022, 5), 150)]
    counts = counts_frame(rows)
    preds = predecessors_frame([("NEW", "OLD1"), ("NEW", "OLD2")])
    base = baseline_frame(counts, preds, base_fy=2020).set_index(["department", "month"])
    assert base.loc[("NEW", m(2020, 4))].tolist() == [500, 50]
    # Only OLD1 has May: NEW's May baseline is incomplete, so May is not comparable
    # (never compared against a partial sum).
    assert ("NEW", m(2020, 5)) not in base.index

    units = city({"W": ["NEW", "OLD1", "OLD2"]}, inactive=("OLD1", "OLD2"))
    months = [m(2022, 4), m(2022, 5)]
    summary = summarize(counts, units, preds, months=months, rules=Rules())
    assert summary.loc["NEW", "baseline"] == 500
    assert summary.loc["NEW", "rate"] == pytest.approx(0.5)
    assert summary.loc["NEW", "comparable_months"] == 1
    assert summary.loc["W", "expected_months"] == 2


def test_an_heir_that_reported_in_the_base_year_adds_its_predecessors_to_its_own():
    rows = [("OLD1", m(2020, 4), 300), ("OLD2", m(2020, 4), 200), ("NEW", m(2020, 4), 120)]
    preds = predecessors_frame([("NEW", "OLD1"), ("NEW", "OLD2")])
    base = baseline_frame(counts_frame(rows), preds, base_fy=2020)
    # No base sheet is lost: NEW's own 120 and the 500 it took over.
    assert base.loc[base["department"] == "NEW", "total"].tolist() == [620]


def test_predecessor_of_a_predecessor_passes_its_baseline_on():
    rows = [("GRAND", m(2020, 4), 400), ("SIB", m(2020, 4), 100)]
    preds = predecessors_frame([("NEWEST", "MID"), ("MID", "GRAND"), ("NEWEST", "SIB")])
    base = baseline_frame(counts_frame(rows), preds, base_fy=2020)
    totals = dict(zip(base["department"], base["total"], strict=True))
    assert totals == {"GRAND": 400, "SIB": 100, "MID": 400, "NEWEST": 500}


def test_predecessor_cycle_does_not_loop():
    rows = [("A", m(2020, 4), 100)]
    preds = predecessors_frame([("A", "B"), ("B", "A")])
    base = baseline_frame(counts_frame(rows), preds, base_fy=2020)
    assert base["department"].tolist() == ["A"]


# --- Series and projection -------------------------------------------------------------


def test_monthly_series_sums_comparable_departments_per_month():
    rows = [("A", m(2022, 4), 60), ("A", m(2020, 4), 100), ("B", m(2022, 4), 90)]
    rows += [("B", m(2020, 4), 100), ("A", m(2022, 5), 999), ("B", m(2020, 5), 100)]
    series = monthly_series(
        counts_frame(rows),
        city({"W": ["A", "B"], "V": ["Z"]}),
        NO_PREDECESSORS,
        unit="W",
        months=[m(2022, 5), m(2022, 4)],
        rules=Rules(),
    )
    assert series["month"].tolist() == [m(2022, 4), m(2022, 5)]
    april, may = series.iloc[0], series.iloc[1]
    assert (april["current"], april["baseline"]) == (150, 200)
    assert april["threshold_path"] == pytest.approx(140)
    assert april["rate"] == pytest.approx(0.25)
    assert april["comparable_departments"] == 2
    # In May, A has no baseline and B no current value: nothing is comparable.
    assert math.isnan(may["rate"]) and math.isnan(may["current"])
    assert may["comparable_departments"] == 0
    with pytest.raises(KeyError):
        monthly_series(
            counts_frame(rows),
            city({"W": ["A"]}),
            NO_PREDECESSORS,
            unit="NOPE",
            months=FY2022_H1,
            rules=Rules(),
        )


def test_projection_flags_a_unit_whose_recent_pace_falls_below_the_threshold():
    # FY2022 to September. FAST cut 50% in Apr-Jun, only 10% in Jul-Sep: 30% to date,
    # but Oct-Mar continue at 10%. STEADY cuts 40% every month.
    rows = []
    for month in [m(2022, mo) for mo in range(4, 13)] + [m(2023, mo) for mo in range(1, 4)]:
        rows += [("FAST", base_month(month), 100), ("STEADY", base_month(month), 100)]
        if month <= m(2022, 9):
            rows.append(("FAST", month, 50 if month <= m(2022, 6) else 90))
            rows.append(("STEADY", month, 60))
    result = project_fiscal_year(
        counts_frame(rows),
        city({"W": ["FAST"], "V": ["STEADY"]}),
        NO_PREDECESSORS,
        fy=2022,
        latest=date(2022, 9, 30),
        rules=Rules(),
    )
    fast, steady = result.loc["FAST"], result.loc["STEADY"]
    assert fast["current_rate"] == pytest.approx(0.30)
    assert fast["projected_rate"] == pytest.approx(1 - (420 + 6 * 90) / 1200)
    assert bool(fast["at_risk"]) is True
    assert steady["projected_rate"] == pytest.approx(0.4)
    assert bool(steady["at_risk"]) is False
    assert result.loc["W", "at_risk"]
    assert (result.loc["C", "projected_current"], result.loc["C", "projected_baseline"]) == (
        960 + 720,
        2400,
    )
    assert not result.loc["EMPTY", "at_risk"]
    assert "直近3か月" in PROJECTION_METHOD


def test_projection_without_a_rate_assumes_no_reduction():
    # NEW reported in April but has no baseline for it: its remaining months stay as is.
    rows = [("NEW", m(2022, 4), 10), ("NEW", m(2020, 5), 100)]
    result = project_fiscal_year(
        counts_frame(rows),
        city({"W": ["NEW"]}),
        NO_PREDECESSORS,
        fy=2022,
        latest=m(2022, 4),
        rules=Rules(),
    )
    assert math.isnan(result.loc["NEW", "current_rate"])
    assert result.loc["NEW", "projected_rate"] == pytest.approx(0.0)
    assert not result.loc["NEW", "at_risk"]


def test_projection_follows_the_adjusted_basis_when_status_does():
    # 100 -> 80 sheets with 50 excluded on both sides: gross 20%, adjusted 40%.
    rows = []
    for month in FY2022_H1:
        rows += [("A", base_month(month), 100, 50), ("A", month, 80, 50)]
    for month in [m(2022, mo) for mo in range(10, 13)]:
        rows.append(("A", base_month(month), 100, 50))
    args = (counts_frame(rows), city({"W": ["A"]}), NO_PREDECESSORS)
    gross = project_fiscal_year(*args, fy=2022, latest=m(2022, 9), rules=Rules()).loc["A"]
    adjusted = project_fiscal_year(
        *args, fy=2022, latest=m(2022, 9), rules=Rules(status_basis="adjusted")
    ).loc["A"]
    assert (gross["current_rate"], gross["projected_rate"]) == pytest.approx((0.2, 0.2))
    assert (adjusted["current_rate"], adjusted["projected_rate"]) == pytest.approx((0.4, 0.4))
    assert gross["projected_baseline"] == 900
    assert adjusted["projected_baseline"] == 450


# --- Counts prepared once ------------------------------------------------------------------


def test_one_prepared_counts_serves_every_period_unit_and_function():
    rows = [("OLD", m(2020, mo), 100, 10) for mo in range(4, 10)]
    rows += [("A", m(2020, mo), 200) for mo in range(4, 8)]
    rows += [("A", m(2022, mo), 150, 20) for mo in range(4, 10)]
    rows += [("NEW", m(2022, mo), 60 + mo) for mo in range(4, 10)]
    rows += [("B", m(2022, 4), 40)]  # no baseline at all
    counts = counts_frame(rows)
    units = city({"W": ["A", "NEW"], "V": ["B", "OLD"]}, inactive=("OLD",))
    preds = predecessors_frame([("NEW", "OLD")])
    copies = [counts.copy(deep=True), preds.copy(deep=True)]
    rules = Rules(status_basis="adjusted")
    prepared = prepare(counts, preds, base_fy=2020)
    assert isinstance(prepared, Prepared)

    for months in (FY2022_H1, [m(2022, 5)], FY2022_H1[:3]):
        for fn, kwargs in (
            (summarize, {"months": months, "rules": rules}),
            (monthly_series, {"unit": "W", "months": months, "rules": rules}),
            (project_fiscal_year, {"fy": 2022, "latest": months[-1], "rules": rules}),
        ):
            expected = fn(counts, units, preds, **kwargs)
            pd.testing.assert_frame_equal(fn(prepared, units, preds, **kwargs), expected)
        pd.testing.assert_frame_equal(
            comparable_frame(prepared, preds, months=months, base_fy=2020),
            comparable_frame(counts, preds, months=months, base_fy=2020),
        )
        pd.testing.assert_frame_equal(
            reported_frame(prepared, months=months), reported_frame(counts, months=months)
        )
    pd.testing.assert_frame_equal(
        baseline_frame(prepared, preds, base_fy=2020), baseline_frame(counts, preds, base_fy=2020)
    )
    assert (
        summarize(prepared, units, preds, months=FY2022_H1, rules=rules).loc["NEW", "baseline"]
        == 6 * 100
    )
    for original, copy in zip([counts, preds], copies, strict=True):
        pd.testing.assert_frame_equal(original, copy)


def test_counts_prepared_for_another_base_year_are_rejected():
    prepared = prepare(counts_frame([("A", m(2020, 4), 100)]), NO_PREDECESSORS, base_fy=2020)
    with pytest.raises(ValueError, match="base FY 2020"):
        summarize(
            prepared,
            city({"W": ["A"]}),
            NO_PREDECESSORS,
            months=FY2022_H1,
            rules=Rules(base_fy=2021),
        )


def test_counts_dated_later_in_the_month_or_repeated_fold_into_one_month():
    rows = [
        ("A", date(2022, 4, 15), 30, 5),
        ("A", m(2022, 4), 20, 5),
        ("A", date(2020, 4, 30), 100, 0),  # 0 excluded: stated, so adjusted compares
    ]
    rows += [("B", "2022-04-01", 70), ("B", "2020-04-01", 100)]
    counts = counts_frame(rows)
    summary = summarize(
        counts, city({"W": ["A", "B"]}), NO_PREDECESSORS, months=[m(2022, 4)], rules=Rules()
    )
    assert summary.loc["A", ["current", "current_adjusted", "baseline"]].tolist() == [50, 40, 100]
    assert summary.loc["A", "comparable_months"] == 1
    assert summary.loc["W", ["current", "baseline"]].tolist() == [120, 200]
    reported = reported_frame(counts, months=[m(2022, 4)])
    assert reported[["department", "month", "current"]].values.tolist() == [
        ["A", m(2022, 4), 50],
        ["B", m(2022, 4), 70],
    ]


def test_a_loop_in_the_unit_tree_does_not_hang_and_counts_each_unit_once():
    units = city({"W": ["A"]})
    loop = pd.DataFrame(
        [("X", "X課", "division", "Y", True), ("Y", "Y課", "division", "X", True)],
        columns=UNIT_COLUMNS,
    )
    units = pd.concat(
        [units, loop, pd.DataFrame([("D", "D課", "department", "X", True)], columns=UNIT_COLUMNS)],
        ignore_index=True,
    )
    rows = [
        ("A", m(2022, 4), 60),
        ("A", m(2020, 4), 100),
        ("D", m(2022, 4), 30),
        ("D", m(2020, 4), 50),
    ]
    summary = summarize(
        counts_frame(rows), units, NO_PREDECESSORS, months=[m(2022, 4)], rules=Rules()
    )
    assert summary.loc["X", ["current", "baseline"]].tolist() == [30, 50]
    assert summary.loc["Y", ["current", "baseline"]].tolist() == [30, 50]
    assert summary.loc["C", ["current", "baseline"]].tolist() == [60, 100]
    series = monthly_series(
        counts_frame(rows), units, NO_PREDECESSORS, unit="Y", months=[m(2022, 4)], rules=Rules()
    )
    assert series["current"].tolist() == [30]


# --- Contracts -----------------------------------------------------------------------------


def test_inputs_are_not_mutated():
    rows = [("A", m(2022, 4), 60, None), ("A", m(2020, 4), 100, 5), ("NEW", m(2022, 5), 10)]
    counts = counts_frame(rows)
    units = city({"W": ["A", "NEW"]})
    preds = predecessors_frame([("NEW", "A")])
    copies = [counts.copy(deep=True), units.copy(deep=True), preds.copy(deep=True)]
    rules = Rules()
    summarize(counts, units, preds, months=FY2022_H1, rules=rules)
    monthly_series(counts, units, preds, unit="W", months=FY2022_H1, rules=rules)
    project_fiscal_year(counts, units, preds, fy=2022, latest=m(2022, 5), rules=rules)
    baseline_frame(counts, preds, base_fy=2020)
    comparable_frame(counts, preds, months=FY2022_H1, base_fy=2020)
    reported_frame(counts, months=FY2022_H1)
    for original, copy in zip([counts, units, preds], copies, strict=True):
        pd.testing.assert_frame_equal(original, copy)


def test_empty_counts_make_every_unit_no_data():
    units = city({"W": ["A", "B"], "V": ["Z"]})
    summary = summarize(counts_frame([]), units, NO_PREDECESSORS, months=FY2022_H1, rules=Rules())
    assert summary.index.tolist() == units["code"].tolist()
    assert set(summary["status"]) == {"no_data"}
    assert summary["rate"].isna().all()
    assert summary.loc["C", "expected_months"] == 18
    assert summary.loc["C", "coverage"] == 0.0
    assert comparable_frame(counts_frame([]), NO_PREDECESSORS, months=FY2022_H1, base_fy=2020).empty


def test_to_records_gives_plain_values_and_none_for_missing():
    rows = [("A", m(2022, 4), 60), ("A", m(2020, 4), 100), ("B", m(2022, 4), 5)]
    summary = summarize(
        counts_frame(rows),
        city({"W": ["A", "B"]}),
        NO_PREDECESSORS,
        months=[m(2022, 4)],
        rules=Rules(),
    )
    records = {r["code"]: r for r in to_records(summary)}
    assert records["B"]["rate"] is None and records["B"]["gap"] is None
    assert records["B"]["status"] == "no_baseline"
    assert records["C"]["parent"] is None
    assert type(records["A"]["current"]) is int and type(records["A"]["gap"]) is int
    assert records["A"]["rate"] == pytest.approx(0.4)


def test_to_records_converts_every_kind_of_column():
    frame = pd.DataFrame(
        {
            "count": np.array([1, 2], dtype="int64"),
            "flag": [True, False],
            "rate": [0.5, np.nan],
            "gap": pd.array([3, None], dtype="Int64"),
            "when": pd.to_datetime(["2023-01-05", None], utc=True),
            "text": ["a", None],
            "boxed": pd.Series([np.int64(7), np.float64("nan")], dtype=object),
        }
    )
    first, second = to_records(frame)
    assert [type(first[k]) for k in ("count", "flag", "rate", "gap", "text", "boxed")] == [
        int, bool, float, int, str, int,
    ]  # fmt: skip
    assert first["when"].year == 2023
    assert all(second[k] is None for k in ("rate", "gap", "when", "text", "boxed"))
    assert second["count"] == 2 and second["flag"] is False


def test_reduction_rate_scalar():
    assert reduction_rate(70, 100) == pytest.approx(0.3)
    assert reduction_rate(150, 100) == pytest.approx(-0.5)
    assert reduction_rate(0, 0) is None
    assert reduction_rate(10, float("nan")) is None
    assert reduction_rate(0, 5) == 1.0


def test_baseline_sources_follow_predecessors_back_through_generations_and_cycles():
    from paperless.core.baselines import baseline_sources

    preds = pd.DataFrame(
        {"unit": ["C", "B", "X", "Y"], "predecessor": ["B", "A", "Y", "X"]}, dtype=object
    )
    assert baseline_sources(["C"], preds) == {"C", "B", "A"}
    assert baseline_sources(["B", "Q"], preds) == {"B", "A", "Q"}
    assert baseline_sources(["X"], preds) == {"X", "Y"}  # a cycle ends
    assert baseline_sources([], NO_PREDECESSORS) == set()

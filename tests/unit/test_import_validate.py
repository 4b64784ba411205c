"""Validation against the database's view, as plain data: no database needed."""

from __future__ import annotations

from datetime import date

from paperless.importing.counts.parse import Record
from paperless.importing.counts.validate import Context, Existing, UnitInfo, validate

COLUMNS = {"month": "A", "code": "B", "name": "C", "print": "D", "copy": "E"}
UNITS = {
    "110100": UnitInfo(1, "110100", "堺区 市民課", "department"),
    "011000": UnitInfo(2, "011000", "美原区 市民課", "department"),
    "110000": UnitInfo(3, "110000", "堺区役所", "ward_office"),
}


def record(code="110100", month=date(2022, 12, 1), p=100, c=50, e=None, name=None, row=2):
    return Record(code, month, p, c, e, "", name, row, COLUMNS)


def context(**kwargs) -> Context:
    values = {"units": UNITS, "today": date(2023, 1, 15), "base_fy": 2020} | kwargs
    return Context(**values)


def codes(issues) -> list[tuple[str, int | None, str | None]]:
    return [(i.code, i.row, i.column) for i in issues]


def test_unknown_code_and_a_code_that_is_not_a_department():
    result = validate([record("999999"), record("110000", row=3)], context(), sheet="枚数")
    assert codes(result.errors) == [("unknown_department", 2, "B"), ("not_a_department", 3, "B")]
    assert result.errors[0].sheet == "枚数" and result.changes == []


def test_codes_of_rows_left_out_for_a_bad_cell_are_checked_too():
    others = [("999999", 4, "B"), ("110000", 5, "B"), ("110100", 6, "B"), ("999999", 7, "B")]
    result = validate([record("999999", row=2)], context(), sheet="枚数", other_codes=others)
    # 999999 is reported where a record names it, not again for its left-out rows; a
    # known department's left-out row has no code problem.
    assert codes(result.errors) == [("unknown_department", 2, "B"), ("not_a_department", 5, "B")]
    scoped = validate([], context(scope=frozenset({2})), other_codes=[("110100", 3, "B")])
    assert codes(scoped.errors) == [("out_of_scope", 3, "B")]
    assert scoped.errors[0].value == "110100"


def test_code_that_lost_its_leading_zero_in_excel_is_found():
    (change,) = validate([record("11000")], context()).changes
    assert change.unit.code == "011000"


def test_name_must_match_the_code_ignoring_width_and_spaces():
    result = validate(
        [record(name="堺区　市民課"), record(name="ｻｶｲ", month=date(2022, 11, 1), row=3)], context()
    )
    assert codes(result.errors) == [("name_mismatch", 3, "C")]
    assert "「堺区 市民課」" in result.errors[0].message


def test_department_outside_scope_is_an_error():
    result = validate([record(), record("011000", row=3)], context(scope=frozenset({2})))
    assert codes(result.errors) == [("out_of_scope", 2, "B")]


def test_future_month_is_an_error_current_month_a_warning():
    result = validate(
        [record(month=date(2023, 2, 1)), record(month=date(2023, 1, 1), row=3)], context()
    )
    assert codes(result.errors) == [("future_month", 2, "A")]
    assert codes(result.warnings) == [("current_month", 3, "A")]


def test_month_before_the_base_fiscal_year_is_a_warning():
    result = validate([record(month=date(2020, 3, 1))], context())
    assert codes(result.warnings) == [("before_base_year", 2, "A")]
    assert result.errors == [] and len(result.changes) == 1


def test_values_far_from_the_baseline_month_are_warned():
    baseline = {(1, 12): 1000, (1, 11): 1000}
    result = validate(
        [record(p=3000, c=1), record(month=date(2022, 11, 1), p=50, c=49, row=3)],
        context(baseline=baseline),
    )
    assert codes(result.warnings) == [("outlier_high", 2, "D"), ("outlier_low", 3, "D")]
    assert [c.baseline for c in result.changes] == [1000, 1000]


def test_existing_values_decide_new_changed_unchanged_and_warn_on_replace():
    existing = {
        (1, date(2022, 12, 1)): Existing(7, 100, 50, None, ""),
        (1, date(2022, 11, 1)): Existing(8, 90, 50, None, ""),
    }
    result = validate(
        [record(), record(month=date(2022, 11, 1), row=3), record(month=date(2022, 10, 1), row=4)],
        context(existing=existing),
    )
    assert [c.status for c in result.changes] == ["unchanged", "changed", "new"]
    assert codes(result.warnings) == [("replaces_existing", 3, "D")]
    assert "印刷 90 → 100" in result.warnings[0].message


def test_more_than_a_thousand_errors_keep_the_first_and_count_the_rest():
    records = [record(f"9{i:05d}", row=i + 2) for i in range(2_500)]
    result = validate(records, context(), sheet="枚数")
    assert len(result.errors) == 1_000 and result.more_errors == {"unknown_department": 1_500}
    assert [e.row for e in result.errors] == list(range(2, 1_002))  # the first, in order


def test_left_out_rows_counted_per_code_are_reported_as_counts():
    others = [("999999", 4, "B"), ("110100", 5, "B")]
    result = validate([], context(), other_codes=others, other_repeats={"999999": 7, "110100": 3})
    # 110100 is a department: its left-out rows have no code problem.
    assert codes(result.errors) == [("unknown_department", 4, "B")]
    assert result.more_errors == {"unknown_department": 7}

"""Meter readings → monthly counts: the month-closing rule, splits, counters and errors."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from paperless.core import meters, register
from paperless.core.meters import Assignment, Reading, closing_month, monthly_usage

TODAY = date(2024, 12, 1)
REGISTER = [Assignment("SN1", "", "D1", date(2020, 1, 1))]


def reading(day: str, printed: int, copied: int, serial: str = "SN1", dept_id: str = "", row=2):
    return Reading(serial, dept_id, date.fromisoformat(day), printed, copied, "検針", row)


def usage(readings, register=REGISTER, **kwargs):
    return monthly_usage(readings, register, today=TODAY, **kwargs)


def test_a_reading_from_the_11th_closes_its_own_month_before_it_the_previous_one():
    assert closing_month(date(2024, 5, 11)) == date(2024, 5, 1)
    assert closing_month(date(2024, 5, 20)) == date(2024, 5, 1)
    assert closing_month(date(2024, 5, 31)) == date(2024, 5, 1)
    assert closing_month(date(2024, 5, 10)) == date(2024, 4, 1)
    assert closing_month(date(2024, 5, 1)) == date(2024, 4, 1)
    assert closing_month(date(2024, 5, 5), close_day=5) == date(2024, 5, 1)


def test_readings_at_month_ends_give_exact_months():
    result = usage(
        [
            reading("2024-03-31", 1000, 500),
            reading("2024-04-30", 1300, 600),
            reading("2024-05-31", 1500, 650),
        ]
    )
    assert result.departments == {
        ("D1", date(2024, 4, 1)): (300, 100),
        ("D1", date(2024, 5, 1)): (200, 50),
    }
    assert result.problems == []


def test_readings_on_the_20th_give_the_month_the_later_one_closes():
    result = usage([reading("2024-04-20", 0, 0), reading("2024-05-20", 310, 0)])
    assert result.departments == {("D1", date(2024, 5, 1)): (310, 0)}


def test_readings_on_the_first_close_the_month_before():
    result = usage([reading("2024-05-01", 0, 0), reading("2024-06-01", 310, 31)])
    assert result.departments == {("D1", date(2024, 5, 1)): (310, 31)}


def test_the_first_reading_is_only_the_starting_point():
    result = usage([reading("2024-04-30", 5_000, 7_000)])
    assert result.departments == {}
    assert result.problems == []


def test_a_missed_month_is_split_by_days_with_a_warning():
    result = usage([reading("2024-03-31", 0, 0), reading("2024-06-30", 9_100, 91)])
    assert result.departments == {
        ("D1", date(2024, 4, 1)): (3_000, 30),
        ("D1", date(2024, 5, 1)): (3_100, 31),
        ("D1", date(2024, 6, 1)): (3_000, 30),
    }
    assert [p.code for p in result.warnings] == [meters.SPREAD]
    assert "3か月分" in result.warnings[0].message


def test_a_split_never_loses_or_creates_a_sheet():
    assert meters.split_by_days(10, [date(2024, 2, 1), date(2024, 3, 1), date(2024, 4, 1)]) == [
        3,
        4,
        3,
    ]
    assert sum(meters.split_by_days(1, [date(2024, 4, 1), date(2024, 5, 1)])) == 1


def test_a_shared_device_feeds_each_department_through_its_department_id():
    register = [
        Assignment("MFP", "001", "D1", date(2020, 1, 1)),
        Assignment("MFP", "002", "D2", date(2020, 1, 1)),
    ]
    result = usage(
        [
            reading("2024-04-30", 100, 10, "MFP", "001"),
            reading("2024-04-30", 200, 20, "MFP", "002"),
            reading("2024-05-31", 150, 15, "MFP", "001"),
            reading("2024-05-31", 260, 26, "MFP", "002"),
        ],
        register,
    )
    assert result.departments == {
        ("D1", date(2024, 5, 1)): (50, 5),
        ("D2", date(2024, 5, 1)): (60, 6),
    }
    assert result.counters[("MFP", "001", date(2024, 5, 1))] == (50, 5)


def test_a_department_id_row_wins_over_the_whole_device_row():
    register = [
        Assignment("MFP", "", "D1", date(2020, 1, 1)),
        Assignment("MFP", "009", "D9", date(2020, 1, 1)),
    ]
    result = usage(
        [
            reading("2024-04-30", 0, 0, "MFP", "009"),
            reading("2024-05-31", 40, 0, "MFP", "009"),
            reading("2024-04-30", 0, 0, "MFP", "001"),
            reading("2024-05-31", 70, 0, "MFP", "001"),
        ],
        register,
    )
    assert result.departments == {
        ("D9", date(2024, 5, 1)): (40, 0),
        ("D1", date(2024, 5, 1)): (70, 0),
    }


def test_a_device_replaced_mid_year_continues_from_the_new_counter():
    register = [
        Assignment("OLD", "", "D1", date(2020, 1, 1), date(2024, 9, 30)),
        Assignment("NEW", "", "D1", date(2024, 10, 1)),
    ]
    result = usage(
        [
            reading("2024-08-31", 90_000, 0, "OLD"),
            reading("2024-09-30", 90_400, 0, "OLD"),
            reading("2024-09-30", 0, 0, "NEW"),  # installed on the last day, read at zero
            reading("2024-10-31", 500, 0, "NEW"),
        ],
        register,
    )
    assert result.departments == {
        ("D1", date(2024, 9, 1)): (400, 0),
        ("D1", date(2024, 10, 1)): (500, 0),
    }


def test_usage_goes_to_the_department_assigned_on_the_later_reading():
    register = [
        Assignment("SN1", "", "D1", date(2020, 1, 1), date(2024, 4, 30)),
        Assignment("SN1", "", "D2", date(2024, 5, 1)),
    ]
    result = usage([reading("2024-04-30", 0, 0), reading("2024-05-31", 80, 8)], register)
    assert result.departments == {("D2", date(2024, 5, 1)): (80, 8)}


def test_a_counter_going_backwards_is_an_error_naming_the_previous_reading():
    result = usage([reading("2024-04-30", 1000, 0), reading("2024-05-31", 900, 0, row=7)])
    [error] = result.errors
    assert error.code == meters.BACKWARDS
    assert error.reading.row == 7
    assert "前回の検針値より小さくなっています" in error.message
    assert "機器台帳に新しい機器番号を登録してください" in error.message


def test_a_counter_without_an_assignment_on_the_reading_day_is_an_error():
    register = [Assignment("SN1", "", "D1", date(2024, 5, 1))]
    result = usage([reading("2024-04-30", 0, 0), reading("2024-05-31", 5, 0)], register)
    assert [e.code for e in result.errors] == [meters.UNASSIGNED]
    assert result.errors[0].reading.read_on == date(2024, 4, 30)
    unknown = usage([reading("2024-05-31", 5, 0, serial="NOBODY")])
    assert [e.code for e in unknown.errors] == [meters.UNASSIGNED]


def test_two_different_readings_of_one_counter_on_one_day_are_an_error():
    same = usage([reading("2024-04-30", 5, 5), reading("2024-04-30", 5, 5, row=3)])
    assert same.errors == []
    different = usage([reading("2024-04-30", 5, 5), reading("2024-04-30", 6, 5, row=3)])
    assert [e.code for e in different.errors] == [meters.CONFLICTING]
    assert different.errors[0].reading.row == 3


def test_a_reading_in_the_future_is_an_error():
    result = usage([reading((TODAY + timedelta(days=1)).isoformat(), 5, 5)])
    assert [e.code for e in result.errors] == [meters.FUTURE]


def test_usage_above_the_monthly_limit_is_a_warning():
    result = usage(
        [reading("2024-04-30", 0, 0), reading("2024-05-31", 60_000, 0)], monthly_limit=50_000
    )
    assert result.errors == []
    assert [w.code for w in result.warnings] == [meters.IMPLAUSIBLE]


def test_stored_readings_are_the_starting_point_of_a_new_file():
    stored = Reading("SN1", "", date(2024, 4, 30), 1000, 100)
    result = usage([stored, reading("2024-05-31", 1250, 130)])
    assert result.departments == {("D1", date(2024, 5, 1)): (250, 30)}
    assert result.touched == {("D1", date(2024, 5, 1))}


def test_months_of_stored_intervals_are_computed_but_not_touched():
    older = [Reading("SN1", "", date(2024, m, 28), m * 100, 0) for m in (3, 4)]
    result = usage([*older, reading("2024-05-31", 600, 0)])
    assert result.departments[("D1", date(2024, 4, 1))] == (100, 0)
    assert result.touched == {("D1", date(2024, 5, 1))}


@given(
    st.lists(
        st.tuples(st.integers(1, 400), st.integers(0, 5_000), st.integers(0, 5_000)),
        min_size=2,
        max_size=20,
    )
)
def test_every_counter_s_months_sum_to_its_last_minus_first_reading(steps):
    day, printed, copied = date(2021, 4, 1), 0, 0
    readings = []
    for gap, more_print, more_copy in steps:
        day += timedelta(days=gap)
        printed += more_print
        copied += more_copy
        readings.append(Reading("SN1", "", day, printed, copied, "検針", len(readings) + 2))
    result = monthly_usage(readings, REGISTER, today=date(2099, 1, 1))
    months = list(result.counters.values())
    assert sum(p for p, _ in months) == printed - readings[0].print_counter
    assert sum(c for _, c in months) == copied - readings[0].copy_counter
    assert result.errors == []


def test_the_register_refuses_an_end_before_the_start():
    row = Assignment("SN1", "", "D1", date(2024, 5, 1), date(2024, 4, 30))
    assert [m for _, m in register.register_problems([row])] == [
        "利用終了日が利用開始日より前です。"
    ]


def test_the_register_refuses_overlapping_periods_of_one_counter():
    rows = [
        Assignment("SN1", "01", "D1", date(2024, 4, 1), date(2024, 9, 30)),
        Assignment("SN1", "01", "D2", date(2024, 9, 30)),
        Assignment("SN1", "02", "D3", date(2024, 4, 1)),
    ]
    [(row, message)] = register.register_problems(rows)
    assert row.department == "D2" and "同じカウンターの利用期間が重なっています" in message


def test_a_whole_device_row_may_not_overlap_a_department_id_row():
    rows = [
        Assignment("SN1", "", "D1", date(2024, 4, 1), date(2024, 9, 30)),
        Assignment("SN1", "01", "D2", date(2024, 9, 1)),
        Assignment("SN1", "", "D1", date(2024, 10, 1)),  # overlaps the open 01 row too
    ]
    problems = register.register_problems(rows)
    assert len(problems) == 2
    assert all("機器全体の割り当てと部門IDの割り当て" in m for _, m in problems)


def test_problems_for_new_rows_are_named_on_them_whichever_row_starts_first():
    registered = [Assignment("SN1", "", "D1", date(2024, 4, 1))]
    # starts before the registered row, which register_problems would name instead
    earlier = Assignment("SN1", "01", "D2", date(2024, 1, 1), date(2024, 6, 30))
    later = Assignment("SN1", "", "D3", date(2024, 9, 1))
    problems = register.register_problems_for([earlier, later], registered)
    assert [(row.department, m) for row, m in problems] == [
        ("D2", "機器全体の割り当てと部門IDの割り当てが重なっています（機器全体 2024年4月1日〜）。"),
        ("D3", "同じカウンターの利用期間が重なっています（機器全体 2024年4月1日〜）。"),
    ]
    assert (
        register.register_problems_for([Assignment("SN2", "", "D1", earlier.start)], registered)
        == []
    )

"""Done when: a register and two fiscal years of month-end readings give, through
`import_devices`, `import_counts` and `paperless_summary --json`, the rates computed by hand.

The devices (on the conftest tree):
  MFP-A  shared by department IDs: 001 → 堺区 市民課 (110100), 002 → 堺区 企画総務課 (110200)
  OLD-B  → 中区 市民課 (120100) until 30 September 2021, replaced by NEW-B from 1 October
  PRN-C  → 市民税課 (201100)
Monthly sheets (print, copy), FY2020 (the base year) → FY2021:
  110100  (1,000, 500) → (600, 300)                 rate 1 − 10,800 / 18,000 = 40%
  110200  (800, 200) → (700, 200)                   rate 1 − 10,800 / 12,000 = 10%
  120100  (2,000, 1,000) → Apr–Sep (1,500, 700) on OLD-B, Oct–Mar (1,200, 600) on NEW-B
                                                    rate 1 − 24,000 / 36,000 = 33.33%
  201100  (500, 0) → (500, 0)                       rate 0
  堺区役所 1 − 21,600 / 30,000 = 28%; 中区役所 33.33%; 財政局 0;
  city 1 − 51,600 / 72,000 = 28.33%
"""

from __future__ import annotations

import json
from datetime import date

import pytest
import time_machine

from paperless.core.fiscal import fiscal_months, fiscal_year
from paperless.models import MeterReading, MonthlyCount
from tests.meter_files import month_end, readings_xlsx, register_xlsx, run_command

TODAY = date(2022, 5, 16)
pytestmark = pytest.mark.django_db

REGISTER = [
    ["MFP-A", "001", "110100", "2020/3/1", "", "IM C4500", "堺区役所 2階"],
    ["MFP-A", "002", "110200", "2020/3/1", "", "IM C4500", "堺区役所 2階"],
    ["OLD-B", "", "120100", "2020/3/1", "2021/9/30", "MP C3003", "中区役所 1階"],
    ["NEW-B", "", "120100", "2021/10/1", "", "IM C3010", "中区役所 1階"],
    ["PRN-C", "", "201100", "2020/3/1", "", "SP 6450", "本庁 5階"],
]
REPLACED = date(2021, 10, 1)
COUNTERS = [("MFP-A", "001"), ("MFP-A", "002"), ("OLD-B", ""), ("NEW-B", ""), ("PRN-C", "")]


def usage(counter: tuple[str, str], month: date) -> tuple[int, int]:
    base = month < date(2021, 4, 1)
    return {
        ("MFP-A", "001"): (1_000, 500) if base else (600, 300),
        ("MFP-A", "002"): (800, 200) if base else (700, 200),
        ("OLD-B", ""): (2_000, 1_000) if base else (1_500, 700),
        ("NEW-B", ""): (1_200, 600),
        ("PRN-C", ""): (500, 0),
    }[counter]


def counter_months(counter: tuple[str, str]) -> list[date]:
    months = fiscal_months(2020) + fiscal_months(2021)
    if counter[0] == "OLD-B":
        return [m for m in months if m < REPLACED]
    if counter[0] == "NEW-B":
        return [m for m in months if m >= REPLACED]
    return months


def readings(fy: int) -> list[list]:
    """One fiscal year's month-end readings; a counter's first reading, its starting
    point, comes with the year of its first month."""
    rows = []
    for counter in COUNTERS:
        months = counter_months(counter)
        printed, copied = (0, 0) if counter[0] == "NEW-B" else (50_000, 20_000)
        if fiscal_year(months[0]) == fy:
            first = REPLACED if counter[0] == "NEW-B" else date(2020, 3, 31)
            rows.append([*counter, first.isoformat(), printed, copied])
        for month in months:
            p, c = usage(counter, month)
            printed, copied = printed + p, copied + c
            if fiscal_year(month) == fy:
                rows.append([*counter, month_end(month).isoformat(), printed, copied])
    return rows


def import_counts(*args) -> tuple[int, str, str]:
    return run_command("import_counts", *map(str, args))


def summary(*args: str) -> dict:
    code, out, err = run_command("paperless_summary", "--json", *args)
    assert code == 0, err
    return {u["code"]: u for u in json.loads(out)["units"]}


def state() -> tuple:
    return (
        sorted(MonthlyCount.objects.values_list("department__code", "month", "print_sheets")),
        MonthlyCount.history.count(),
        MeterReading.objects.count(),
    )


def test_register_and_two_years_of_readings_give_the_rates_computed_by_hand(tree, tmp_path):
    with time_machine.travel(TODAY, tick=False):
        assert run_command("import_devices", str(register_xlsx(tmp_path, *REGISTER)))[0] == 0
        fy2020 = readings_xlsx(tmp_path, *readings(2020), name="検針_2020年度.xlsx")
        fy2021 = readings_xlsx(tmp_path, *readings(2021), name="検針_2021年度.xlsx")
        for path in (fy2020, fy2021):
            code, _out, err = import_counts(path)
            assert code == 0, err

        units = summary("--fy", "2021")

        assert MonthlyCount.objects.count() == 4 * 24
        rates = {code: units[code]["rate"] for code in ("110100", "110200", "120100", "201100")}
        assert rates == {"110100": 0.4, "110200": 0.1, "120100": 0.3333, "201100": 0.0}
        assert units["110000"]["rate"] == 0.28
        assert units["120000"]["rate"] == 0.3333
        assert units["200000"]["rate"] == 0.0
        assert units["100000"]["rate"] == 0.2833
        assert (units["100000"]["current"], units["100000"]["baseline"]) == (51_600, 72_000)

        # Re-importing the readings changes nothing.
        before = state()
        for path in (fy2020, fy2021):
            assert import_counts(path)[0] == 0
        assert state() == before
        assert summary("--fy", "2021") == units


def test_a_counter_going_backwards_or_an_unregistered_serial_refuses_the_file(tree, tmp_path):
    with time_machine.travel(TODAY, tick=False):
        run_command("import_devices", str(register_xlsx(tmp_path, *REGISTER)))
        import_counts(readings_xlsx(tmp_path, *readings(2020), name="fy2020.xlsx"))
        before = state()
        last = next(r for r in reversed(readings(2020)) if r[0] == "PRN-C")
        bad = [
            ["PRN-C", "", "2021-04-30", last[3] - 1, last[4]],
            ["UNKNOWN-9", "", "2021-04-30", 10, 10],
        ]

        code, out, _err = import_counts(readings_xlsx(tmp_path, *bad, name="bad.xlsx"), "--json")

        assert code == 1
        errors = [(e["sheet"], e["row"], e["code"]) for e in json.loads(out)["errors"]]
        assert errors == [
            ("検針値", 2, "counter_went_backwards"),
            ("検針値", 3, "counter_unassigned"),
        ]
        assert state() == before

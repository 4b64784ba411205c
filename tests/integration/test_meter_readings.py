"""Meter-reading files through `manage.py import_counts`: layouts, months, idempotence, errors."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
import time_machine

from paperless.models import CounterAssignment, MeterReading, MonthlyCount, Upload
from tests.conftest import add_counts
from tests.meter_files import readings_csv, readings_xlsx, run_command

TODAY = date(2024, 12, 15)
APR, MAY, JUN = date(2024, 4, 1), date(2024, 5, 1), date(2024, 6, 1)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def register(tree):
    """A device shared by 堺区's two departments, and 中区's device replaced in October."""
    rows = [
        ("C318R220101", "0101", tree["sakai_shimin"], date(2020, 4, 1), None),
        ("C318R220101", "0102", tree["sakai_kikaku"], date(2020, 4, 1), None),
        ("C308P800455", "", tree["naka_shimin"], date(2020, 4, 1), date(2024, 9, 30)),
        ("C319R330877", "", tree["naka_shimin"], date(2024, 10, 1), None),
    ]
    for serial, account, unit, start, end in rows:
        CounterAssignment.objects.create(
            device_serial=serial, account=account, department=unit, start_date=start, end_date=end
        )
    return tree


def import_counts(*args) -> tuple[int, str, str]:
    return run_command("import_counts", *map(str, args))


def counts() -> dict[tuple[str, date], tuple]:
    return {
        (c.department.code, c.month): (c.print_sheets, c.copy_sheets, c.excluded_sheets)
        for c in MonthlyCount.objects.select_related("department")
    }


SHARED = [
    ["C318R220101", "0101", "2024/3/31", 10_000, 5_000],
    ["C318R220101", "0102", "2024/3/31", 20_000, 8_000],
    ["C318R220101", "0101", "2024/4/30", 10_400, 5_100],
    ["C318R220101", "0102", "2024/4/30", 20_700, 8_300],
    ["C318R220101", "0101", "2024/5/31", 10_900, 5_150],
    ["C318R220101", "0102", "2024/5/31", 21_000, 8_320],
]


def test_a_shared_device_feeds_each_department_through_its_department_id(register, tmp_path):
    code, out, err = import_counts(readings_xlsx(tmp_path, *SHARED))

    assert code == 0, err
    assert counts() == {
        ("110100", APR): (400, 100, None),
        ("110100", MAY): (500, 50, None),
        ("110200", APR): (700, 300, None),
        ("110200", MAY): (300, 20, None),
    }
    upload = Upload.objects.get()
    assert (upload.original_name, upload.status, upload.summary["layout"]) == (
        "検針.xlsx",
        Upload.Status.COMMITTED,
        "meter",
    )
    assert MeterReading.objects.filter(upload=upload).count() == 6
    assert {c.upload_id for c in MonthlyCount.objects.all()} == {upload.pk}
    history = MonthlyCount.history.filter(history_change_reason=f"upload:{upload.pk}")
    assert history.count() == 4
    assert "検針値 6件（機器 1台、未登録の検針値 6件）" in out and "登録しました（新規 4件" in out


def test_re_importing_the_same_readings_changes_nothing(register, tmp_path):
    path = readings_xlsx(tmp_path, *SHARED)
    import_counts(path)
    before = (counts(), MonthlyCount.history.count(), MeterReading.objects.count())

    code, out, err = import_counts(path)

    assert code == 0, err
    assert (counts(), MonthlyCount.history.count(), MeterReading.objects.count()) == before
    assert Upload.objects.latest("pk").status == Upload.Status.NO_CHANGE
    assert "変更はありません" in out


def test_the_next_file_continues_from_the_last_reading_on_record(register, tmp_path):
    import_counts(readings_xlsx(tmp_path, *SHARED))
    later = [["C318R220101", "0101", "2024/6/30", 11_000, 5_400]]

    code, _out, err = import_counts(readings_xlsx(tmp_path, *later, name="6月.xlsx"))

    assert code == 0, err
    assert counts()[("110100", JUN)] == (100, 250, None)  # from the May reading on record
    assert ("110200", JUN) not in counts()


def test_a_department_month_sums_all_its_counters_also_those_not_in_the_file(register, tmp_path):
    CounterAssignment.objects.create(
        device_serial="PRN-01", department=register["sakai_shimin"], start_date=date(2020, 4, 1)
    )
    other = [["PRN-01", "", "2024/3/31", 0, 0], ["PRN-01", "", "2024/4/30", 1_000, 0]]
    import_counts(readings_xlsx(tmp_path, *other, name="prn.xlsx"))
    assert counts()[("110100", APR)] == (1_000, 0, None)

    import_counts(readings_xlsx(tmp_path, *SHARED[:4]))

    assert counts()[("110100", APR)] == (1_400, 100, None)


def test_excluded_sheets_and_notes_entered_by_the_department_are_kept(register, tmp_path):
    add_counts(register["sakai_shimin"], [APR], 999, 999, excluded=120)
    MonthlyCount.objects.filter(month=APR).update(note="窓口の証明書")

    code, _out, err = import_counts(readings_xlsx(tmp_path, *SHARED[:4]))

    assert code == 0, err
    row = MonthlyCount.objects.get(department=register["sakai_shimin"], month=APR)
    assert (row.print_sheets, row.copy_sheets, row.excluded_sheets, row.note) == (
        400,
        100,
        120,
        "窓口の証明書",
    )
    assert "印刷 999 → 400、コピー 999 → 100" in err  # the replaced value is named


def test_a_device_replaced_mid_year_continues_on_the_new_counter(register, tmp_path):
    rows = [
        ["C308P800455", "", "2024/8/31", 90_000, 30_000],
        ["C308P800455", "", "2024/9/30", 90_400, 30_100],
        ["C319R330877", "", "2024/10/1", 0, 0],
        ["C319R330877", "", "2024/10/31", 500, 60],
        ["C319R330877", "", "2024/11/30", 1_200, 100],
    ]
    code, _out, err = import_counts(readings_xlsx(tmp_path, *rows))

    assert code == 0, err
    assert counts() == {
        ("120100", date(2024, 9, 1)): (400, 100, None),
        ("120100", date(2024, 10, 1)): (500, 60, None),
        ("120100", date(2024, 11, 1)): (700, 40, None),
    }


# --- layouts ------------------------------------------------------------------------


def test_english_headers_in_a_csv(register, tmp_path):
    header = ["device_serial", "department_id", "read_on", "print_counter", "copy_counter"]
    path = readings_csv(tmp_path, [header, *SHARED[:2], *SHARED[2:4]], name="readings.csv")

    code, _out, err = import_counts(path)

    assert code == 0, err
    assert counts()[("110200", APR)] == (700, 300, None)
    assert Upload.objects.get().summary["sheet"] is None


def test_cp932_full_width_digits_and_every_date_form(register, tmp_path):
    days = [
        "2024/3/31",
        "2024年4月30日",
        "R6.5.31",
        "令和6年6月30日",
        "２０２４０７３１",
        "2024-08-31 0:00",
    ]
    rows = [["Ｃ３１９Ｒ３３０８７７", day, f"{i}００", f"{i}０"] for i, day in enumerate(days, 1)]
    CounterAssignment.objects.filter(device_serial="C319R330877").update(
        start_date=date(2024, 3, 1)
    )
    path = readings_csv(
        tmp_path,
        [["機器番号", "検針日", "印刷カウンター", "コピーカウンター"], *rows],
        name="k.csv",
        encoding="cp932",
    )

    code, _out, err = import_counts(path)

    assert code == 0, err
    assert {m: v for (c, m), v in counts().items() if c == "120100"} == {
        date(2024, m, 1): (100, 10, None) for m in range(4, 9)
    }


def test_date_cells_and_a_header_below_a_title_on_a_later_sheet(register, tmp_path):
    from tests.import_files import xlsx

    rows = [
        ["3月・4月の検針結果"],
        ["機器番号", "部門ID", "検針日", "印刷カウンター", "コピーカウンター", "設置場所"],
        ["C318R220101", "0101", datetime(2024, 3, 31), 100.0, 50.0, "2階"],
        ["C318R220101", "0101", date(2024, 4, 30), "1,100", "60枚", "2階"],
    ]
    data = xlsx(rows, title="検針", sheets=[("説明", [["このブックは検針値です"]])])
    path = tmp_path / "book.xlsx"
    path.write_bytes(data)

    code, _out, err = import_counts(path)

    assert code == 0, err
    assert counts() == {("110100", APR): (1_000, 10, None)}


def test_a_ricoh_style_counter_csv_is_summed_into_print_and_copy(register, tmp_path):
    header = [
        "IP Address",
        "Device Display Name",
        "Serial Number",
        "Total Counter",
        "Copier: Black & White",
        "Copier: Full Color",
        "Copier Single Color Counter",
        "Copier Two-color Counter",
        "Printer B&W Counter",
        "Printer: Full Color",
        "Printer Single Color",
        "Printer: Two-color",
    ]
    march = ["10.0.0.5", "中区 1階", "C319R330877", 0, 0, 0, 0, 0, 0, 0, 0, 0]
    april = ["10.0.0.5", "中区 1階", "C319R330877", 999, 100, 20, 3, 4, 500, 60, "", 7]
    CounterAssignment.objects.filter(device_serial="C319R330877").update(
        start_date=date(2024, 3, 1)
    )
    readings_csv(tmp_path, [header, march], name="counter_20240331.csv")
    path = readings_csv(tmp_path, [header, april], name="counter_20240430.csv")

    import_counts(tmp_path / "counter_20240331.csv")
    code, _out, err = import_counts(path)

    assert code == 0, err
    assert counts() == {("120100", APR): (567, 127, None)}
    assert Upload.objects.latest("pk").summary["layout"] == "meter_ricoh"


def test_a_ricoh_style_file_takes_its_date_column(register, tmp_path):
    header = ["Serial Number", "Read Date", "Printer: B&W", "Copier: Black & White"]
    rows = [header, ["C319R330877", "2024/03/31", 0, 0], ["C319R330877", "2024/04/30", 30, 20]]
    CounterAssignment.objects.filter(device_serial="C319R330877").update(
        start_date=date(2024, 3, 1)
    )

    code, _out, err = import_counts(readings_csv(tmp_path, rows, name="export.csv"))

    assert code == 0, err
    assert counts() == {("120100", APR): (30, 20, None)}


def test_a_ricoh_style_file_without_a_reading_date_is_refused(register, tmp_path):
    rows = [["Serial Number", "Printer: B&W", "Copier: B&W"], ["C319R330877", 0, 0]]

    code, _out, err = import_counts(readings_csv(tmp_path, rows, name="export.csv"))

    assert code == 1
    assert "検針日がわかりません" in err and "counter_20240430.csv" in err
    assert not MeterReading.objects.exists()


def test_json_output_keeps_its_fields_and_adds_readings_and_devices(register, tmp_path):
    code, out, _err = import_counts(readings_xlsx(tmp_path, *SHARED), "--json", "--dry-run")

    assert code == 0
    body = json.loads(out)
    assert list(body) == [
        "file",
        "ok",
        "records",
        "departments",
        "months",
        "print_total",
        "copy_total",
        "readings",
        "devices",
        "errors",
        "warnings",
    ]
    assert (body["records"], body["months"], body["readings"], body["devices"]) == (
        4,
        ["2024-04", "2024-05"],
        6,
        1,
    )
    assert not MonthlyCount.objects.exists() and not MeterReading.objects.exists()


# --- errors: the row named, nothing written -----------------------------------------


def rejected(tmp_path, *rows, user: str | None = None) -> list[dict]:
    args = [readings_xlsx(tmp_path, *rows), "--json"] + (["--user", user] if user else [])
    code, out, _err = import_counts(*args)
    assert code == 1, out
    assert not MonthlyCount.objects.exists() and not MeterReading.objects.exists()
    assert Upload.objects.latest("pk").status == Upload.Status.REJECTED
    return json.loads(out)["errors"]


def test_a_counter_lower_than_its_previous_reading_is_refused(register, tmp_path):
    rows = [SHARED[0], ["C318R220101", "0101", "2024/4/30", 9_000, 5_100]]
    (error,) = rejected(tmp_path, *rows)
    assert (error["sheet"], error["row"], error["code"]) == (
        "検針値",
        3,
        "counter_went_backwards",
    )
    assert "前回の検針値より小さくなっています" in error["message"]
    assert "機器を交換した場合は機器台帳に新しい機器番号を登録してください" in error["message"]


def test_a_reading_higher_than_the_next_one_on_record_is_refused(register, tmp_path):
    import_counts(readings_xlsx(tmp_path, SHARED[0], SHARED[4], name="first.xlsx"))
    before = counts(), MeterReading.objects.count()

    path = readings_xlsx(tmp_path, ["C318R220101", "0101", "2024/4/30", 11_000, 5_100])
    code, out, _err = import_counts(path, "--json")

    assert code == 1
    (error,) = json.loads(out)["errors"]
    assert (error["row"], error["code"]) == (2, "counter_went_backwards")
    assert "登録済みの次の検針値（2024年5月31日" in error["message"]
    assert (counts(), MeterReading.objects.count()) == before


def test_a_serial_or_department_id_without_an_assignment_is_refused(register, tmp_path):
    rows = [
        ["UNKNOWN-1", "", "2024/4/30", 1, 1],
        ["C318R220101", "0199", "2024/4/30", 1, 1],
        ["C308P800455", "", "2024/10/31", 1, 1],  # after its end date
    ]
    errors = rejected(tmp_path, *rows)
    assert [(e["row"], e["code"]) for e in errors] == [
        (2, "counter_unassigned"),
        (3, "counter_unassigned"),
        (4, "counter_unassigned"),
    ]
    assert (
        "機器番号「C318R220101」部門ID「0199」は、検針日 2024年4月30日 時点で"
        in errors[1]["message"]
    )


def test_two_different_readings_of_one_counter_on_one_day_are_refused(register, tmp_path):
    rows = [SHARED[0], ["C318R220101", "0101", "2024/3/31", 10_001, 5_000]]
    (error,) = rejected(tmp_path, *rows)
    assert (error["row"], error["code"]) == (3, "conflicting_readings")


def test_a_reading_in_the_future_is_refused(register, tmp_path):
    (error,) = rejected(tmp_path, ["C318R220101", "0101", "2024/12/16", 1, 1])
    assert (error["row"], error["code"]) == (2, "reading_in_future")
    assert "未来の日付" in error["message"]


def test_bad_cells_are_named_with_their_column(register, tmp_path):
    errors = rejected(
        tmp_path,
        ["C318R220101", "0101", "来月", 1, 1],
        ["C318R220101", "0101", "2024/4/30", "-5", ""],
        ["", "0101", "2024/4/30", 1, 1],
    )
    assert [(e["row"], e["column"], e["code"]) for e in errors] == [
        (2, "C", "bad_date"),
        (3, "D", "negative_count"),
        (3, "E", "missing_count"),
        (4, "A", "missing_value"),
    ]


def test_only_administrators_load_readings(register, users, tmp_path):
    (error,) = rejected(tmp_path, *SHARED, user="manager")
    assert error["code"] == "readings_not_allowed"


def test_usage_above_the_monthly_limit_and_a_missed_month_are_warnings(
    register, tmp_path, settings
):
    settings.PAPERLESS_METER_MONTHLY_LIMIT = 500
    rows = [SHARED[0], ["C318R220101", "0101", "2024/6/30", 12_000, 5_000]]
    code, out, _err = import_counts(readings_xlsx(tmp_path, *rows), "--json")

    assert code == 0
    warnings = json.loads(out)["warnings"]
    assert {w["code"] for w in warnings} == {"usage_spread_over_months", "usage_implausible"}
    assert all(w["row"] == 3 for w in warnings)
    # 2,000 sheets over 30 + 31 + 30 days, the odd sheet to the earlier of the equal months
    assert counts() == {
        ("110100", APR): (660, 0, None),
        ("110100", MAY): (681, 0, None),
        ("110100", JUN): (659, 0, None),
    }


def test_excluded_sheets_above_the_derived_total_are_refused(register, tmp_path):
    add_counts(register["sakai_shimin"], [APR], 999, 999, excluded=900)
    errors = rejected_keeping_counts(tmp_path, *SHARED[:4])
    assert [(e["row"], e["code"]) for e in errors] == [(4, "excluded_exceeds_total")]
    assert (
        "登録済みの除外枚数 900 が、検針値から求めた印刷＋コピーの合計 500 を"
        in errors[0]["message"]
    )


def rejected_keeping_counts(tmp_path, *rows) -> list[dict]:
    before = counts()
    code, out, _err = import_counts(readings_xlsx(tmp_path, *rows), "--json")
    assert code == 1, out
    assert counts() == before and not MeterReading.objects.exists()
    return json.loads(out)["errors"]

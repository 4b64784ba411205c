"""The device register import (`manage.py import_devices FILE`), end to end through the command."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from paperless.models import CounterAssignment

JA = ["機器番号", "部門ID", "所属コード", "利用開始日", "利用終了日", "機種", "設置場所"]
EN = ["device_serial", "department_id", "department_code", "start_date", "end_date", "model"]
REGISTER = [
    ["C318R220101", "0101", "110100", "2020/4/1", "", "MP C3004", "堺区役所 2階"],
    ["C318R220101", "0102", "110200", "2020/4/1", "", "MP C3004", "堺区役所 2階"],
    ["C308P800455", "", "120100", "2020-04-01", "2023-09-30", "MP C3003", "中区役所 1階"],
    ["C319R330877", "", "120100", "令和5年10月1日", "", "IM C3000", "中区役所 1階"],
]


@dataclass
class Outcome:
    code: int
    out: str
    err: str

    @property
    def error_lines(self) -> list[str]:
        return self.err.splitlines()


def run(path: Path, *args: str) -> Outcome:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_devices", str(path), *args, stdout=out, stderr=err)
    except CommandError as exc:
        return Outcome(exc.returncode, out.getvalue(), err.getvalue() + str(exc))
    return Outcome(0, out.getvalue(), err.getvalue())


def xlsx(tmp_path: Path, rows: list[list], *, title: str = "機器台帳") -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    path = tmp_path / "devices.xlsx"
    workbook.save(path)
    return path


def csv_file(tmp_path: Path, rows: list[list], *, encoding: str = "utf-8") -> Path:
    path = tmp_path / "devices.csv"
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def register_state() -> list[tuple]:
    return list(
        CounterAssignment.objects.order_by("device_serial", "account", "start_date").values_list(
            "device_serial",
            "account",
            "department__code",
            "start_date",
            "end_date",
            "model_name",
            "location",
        )
    )


def assert_rejected(outcome: Outcome, *expected_lines: str) -> None:
    assert outcome.code == 1, outcome
    for line in expected_lines:
        assert line in outcome.error_lines, outcome.error_lines
    assert f"{len(expected_lines)}件のエラーがあるため、何も登録していません。" in outcome.err


# --- success -------------------------------------------------------------------------


def test_xlsx_with_japanese_headers_creates_the_register(tmp_path, tree):
    outcome = run(xlsx(tmp_path, [["堺市 機器台帳"], [], JA, *REGISTER]))

    assert outcome.code == 0, outcome
    assert "新規 4件、更新 0件、変更なし 0件" in outcome.out
    assert register_state() == [
        (
            "C308P800455",
            "",
            "120100",
            date(2020, 4, 1),
            date(2023, 9, 30),
            "MP C3003",
            "中区役所 1階",
        ),
        ("C318R220101", "0101", "110100", date(2020, 4, 1), None, "MP C3004", "堺区役所 2階"),
        ("C318R220101", "0102", "110200", date(2020, 4, 1), None, "MP C3004", "堺区役所 2階"),
        ("C319R330877", "", "120100", date(2023, 10, 1), None, "IM C3000", "中区役所 1階"),
    ]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_csv_in_each_office_encoding(tmp_path, tree, encoding):
    outcome = run(csv_file(tmp_path, [JA, *REGISTER], encoding=encoding))

    assert outcome.code == 0, outcome
    assert CounterAssignment.objects.get(account="0102").location == "堺区役所 2階"


def test_english_headers_full_width_serials_and_date_cells(tmp_path, tree):
    rows = [
        EN,
        ["ｃ３１８ｒ２２０１０１", "０１０１", "１１０１００", date(2020, 4, 1), None, "MP"],
    ]
    outcome = run(xlsx(tmp_path, rows))

    assert outcome.code == 0, outcome
    assert register_state() == [
        ("c318r220101", "0101", "110100", date(2020, 4, 1), None, "MP", ""),
    ]


def test_the_same_file_twice_changes_nothing(tmp_path, tree):
    path = xlsx(tmp_path, [JA, *REGISTER])
    run(path)
    before = (register_state(), CounterAssignment.history.count())

    outcome = run(path)

    assert outcome.code == 0, outcome
    assert "新規 0件、更新 0件、変更なし 4件" in outcome.out
    assert (register_state(), CounterAssignment.history.count()) == before


def test_a_row_is_updated_by_its_serial_department_id_and_start(tmp_path, tree):
    run(xlsx(tmp_path, [JA, *REGISTER]))
    changed = [["C318R220101", "0101", "110200", "2020/4/1", "2025/3/31", "MP C3004", "3階"]]

    outcome = run(xlsx(tmp_path, [JA, *changed]))

    assert outcome.code == 0, outcome
    assert "新規 0件、更新 1件、変更なし 0件" in outcome.out
    row = CounterAssignment.objects.get(account="0101")
    assert (row.department.code, row.end_date, row.location) == ("110200", date(2025, 3, 31), "3階")
    assert row.history.first().history_change_reason == "機器台帳取込: devices.xlsx"


def test_optional_columns_left_out_keep_what_is_stored(tmp_path, tree):
    run(xlsx(tmp_path, [JA, *REGISTER]))

    outcome = run(xlsx(tmp_path, [JA[:4], REGISTER[2][:4]]))

    assert outcome.code == 0, outcome
    assert "変更なし 1件" in outcome.out
    row = CounterAssignment.objects.get(device_serial="C308P800455")
    assert (row.end_date, row.model_name) == (date(2023, 9, 30), "MP C3003")


def test_dry_run_writes_nothing(tmp_path, tree):
    outcome = run(xlsx(tmp_path, [JA, *REGISTER]), "--dry-run")

    assert outcome.code == 0, outcome
    assert "試行のみ" in outcome.out and "新規 4件" in outcome.out
    assert not CounterAssignment.objects.exists()


# --- errors: every one names its row, and nothing is written -------------------------


def test_unknown_department_codes_and_units_that_are_not_departments(tmp_path, tree):
    rows = [
        JA,
        ["SN1", "", "999999", "2024/4/1"],
        ["SN2", "", "110000", "2024/4/1"],
        REGISTER[0],
    ]
    outcome = run(xlsx(tmp_path, rows))

    assert_rejected(
        outcome,
        "機器台帳 行2 列「所属コード」: 所属コード「999999」は組織マスタに登録されていません。",
        "機器台帳 行3 列「所属コード」: 所属コード「110000」は区役所です。"
        "機器は枚数を報告する所属（種別「所属」）に割り当ててください。",
    )
    assert not CounterAssignment.objects.exists()


def test_an_end_before_the_start(tmp_path, tree):
    outcome = run(xlsx(tmp_path, [JA, ["SN1", "", "110100", "2024/4/1", "2024/3/31"]]))

    assert_rejected(outcome, "機器台帳 行2 列「利用終了日」: 利用終了日が利用開始日より前です。")


def test_overlapping_periods_of_one_counter_in_the_file(tmp_path, tree):
    rows = [
        JA,
        ["SN1", "01", "110100", "2024/4/1", "2024/9/30"],
        ["SN1", "01", "110200", "2024/9/30", ""],
    ]
    outcome = run(csv_file(tmp_path, rows))

    assert_rejected(
        outcome,
        "devices.csv 行3 列「利用開始日」: 同じカウンターの利用期間が重なっています"
        "（部門ID「01」 2024年4月1日〜2024年9月30日）。",
    )


def test_a_whole_device_row_overlapping_a_department_id_row_already_registered(tmp_path, tree):
    run(xlsx(tmp_path, [JA, REGISTER[0]]))  # C318R220101 / 0101 from 2020-04-01
    rows = [JA, ["C318R220101", "", "110200", "2019/4/1", "2020/4/30"]]

    outcome = run(xlsx(tmp_path, rows))

    assert_rejected(
        outcome,
        "機器台帳 行2 列「利用開始日」: 機器全体の割り当てと部門IDの割り当てが重なっています"
        "（部門ID「0101」 2020年4月1日〜）。",
    )
    assert len(register_state()) == 1


def test_the_same_row_twice_and_unreadable_cells(tmp_path, tree):
    rows = [
        JA,
        ["SN1", "", "110100", "2024/4/1"],
        ["SN1", "", "110200", "2024/4/1"],
        ["SN2", "", "110100", "来年度"],
        ["", "", "110100", "2024/4/1"],
    ]
    outcome = run(xlsx(tmp_path, rows))

    assert_rejected(
        outcome,
        "機器台帳 行3 列「利用開始日」: 機器番号・部門ID・利用開始日が同じ行が行2にもあります。"
        "どちらか一方にしてください。",
        "機器台帳 行4 列「利用開始日」: 「来年度」を日付として読めません"
        "（2024-04-01、2024/4/1、2024年4月1日、R6.4.1 のように入力してください）。",
        "機器台帳 行5 列「機器番号」: 機器番号が空です。",
    )


def test_a_missing_column_is_named(tmp_path, tree):
    outcome = run(xlsx(tmp_path, [["機器番号", "所属コード"], ["SN1", "110100"]]))

    assert_rejected(
        outcome,
        "機器台帳 行1: 必須の列「利用開始日」（または「start_date」）が見出し行にありません。",
    )


def test_an_unreadable_file_exits_2(tmp_path, tree):
    path = tmp_path / "devices.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")

    outcome = run(path)

    assert outcome.code == 2, outcome
    assert not CounterAssignment.objects.exists()
    assert run(tmp_path / "missing.csv").code == 2

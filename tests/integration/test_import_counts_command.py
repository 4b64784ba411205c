"""`manage.py import_counts`: the JSON contract, exit statuses, dry run, scope."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from paperless.models import MonthlyCount, Upload
from tests.import_files import csv_bytes, long_rows, xlsx

TODAY = date(2023, 1, 15)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_counts", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def good_file(tmp_path: Path, name: str = "good.xlsx") -> str:
    return write(
        tmp_path,
        name,
        xlsx(
            long_rows(
                ["2022-12", "110100", "堺区 市民課", 4210, 1980, 100],
                ["2022-11", "110100", "堺区 市民課", 4000, 2000],
                ["2022-12", "120100", "中区 市民課", 10, 20],
            )
        ),
    )


def test_json_is_exactly_one_object_per_file_in_the_documented_shape(tree, tmp_path):
    path = good_file(tmp_path)
    code, out, _err = run(path, "--json", "--dry-run")
    assert code == 0
    (line,) = out.splitlines()
    assert json.loads(line) == {
        "file": path,
        "ok": True,
        "records": 3,
        "departments": 2,
        "months": ["2022-11", "2022-12"],
        "print_total": 8220,
        "copy_total": 4000,
        "errors": [],
        "warnings": [],
    }
    assert list(json.loads(line)) == [
        "file",
        "ok",
        "records",
        "departments",
        "months",
        "print_total",
        "copy_total",
        "errors",
        "warnings",
    ]


def test_json_lists_the_first_thousand_errors_and_counts_the_rest(tree, tmp_path):
    rows = long_rows(*[["2022-12", "110100", "", "x", "y"] for _ in range(1_500)])
    code, out, _err = run(write(tmp_path, "bad.csv", csv_bytes(rows)), "--json", "--dry-run")
    line = json.loads(out)
    assert code == 1 and len(line["errors"]) == 1_000
    assert line["more_errors"] == {"not_a_number": 2_000} and "more_warnings" not in line
    _code, _out, err = run(write(tmp_path, "bad.csv", csv_bytes(rows)), "--dry-run")
    assert "ほかのエラー 数値として読めない値（not_a_number） 2,000件" in err
    assert "3,000件のエラーのため登録しません" in err


def test_dry_run_writes_nothing(tree, tmp_path):
    assert run(good_file(tmp_path), "--dry-run", "--json")[0] == 0
    assert not MonthlyCount.objects.exists() and not Upload.objects.exists()


def test_valid_file_is_committed_with_an_upload_and_history(tree, tmp_path):
    code, _out, _err = run(good_file(tmp_path))
    assert code == 0
    upload = Upload.objects.get()
    assert (upload.status, upload.source, upload.uploaded_by) == ("committed", "command", None)
    count = MonthlyCount.objects.get(department=tree["sakai_shimin"], month=date(2022, 12, 1))
    assert (count.print_sheets, count.copy_sheets, count.excluded_sheets, count.upload) == (
        4210,
        1980,
        100,
        upload,
    )
    history = count.history.get()
    assert (history.history_type, history.history_change_reason, history.upload_id) == (
        "+",
        f"upload:{upload.pk}",
        upload.pk,
    )


def test_errors_name_sheet_row_column_code_and_message(tree, tmp_path):
    path = write(
        tmp_path,
        "bad.xlsx",
        xlsx(long_rows(["2022-12", "110100", "", 1, 2], ["2022-12", "999999", "", -3, 2])),
    )
    code, out, _err = run(path, "--json")
    assert code == 1
    result = json.loads(out)
    assert result["ok"] is False and result["records"] == 1
    # Both problems of row 3 at once: the unknown code too, though the row was left out.
    assert result["errors"] == [
        {
            "sheet": "枚数",
            "row": 3,
            "column": "B",
            "code": "unknown_department",
            "message": "所属コード「999999」は登録されていません。コードを確かめるか、"
            "テンプレートをダウンロードし直してください。",
        },
        {
            "sheet": "枚数",
            "row": 3,
            "column": "D",
            "code": "negative_count",
            "message": "印刷枚数「-3」がマイナスです。0以上の枚数を入力してください。",
        },
    ]
    assert not MonthlyCount.objects.exists()


def test_unreadable_file_exits_2_with_a_file_level_error(tree, tmp_path):
    path = write(tmp_path, "junk.xlsx", b"PK\x03\x04 this is no zip")
    code, out, _err = run(path, "--json")
    assert code == 2
    result = json.loads(out)
    assert result["ok"] is False and result["records"] == 0 and result["months"] == []
    assert [(e["code"], e["sheet"], e["row"], e["column"]) for e in result["errors"]] == [
        ("corrupt_file", None, None, None)
    ]


def test_missing_file_is_refused_not_a_traceback(tree, tmp_path):
    code, out, _err = run(str(tmp_path / "nope.csv"), "--json")
    assert code == 2 and json.loads(out)["errors"][0]["code"] == "not_a_spreadsheet"


def test_each_valid_file_is_committed_on_its_own_in_order(tree, tmp_path):
    good = good_file(tmp_path)
    bad = write(tmp_path, "bad.csv", csv_bytes(long_rows(["2022-12", "110200", "", "x", 1])))
    junk = write(tmp_path, "junk.csv", b"\x00\x01\x02binary")
    code, out, _err = run(bad, good, junk, "--json")
    assert code == 2
    lines = [json.loads(line) for line in out.splitlines()]
    assert [(r["file"], r["ok"]) for r in lines] == [(bad, False), (good, True), (junk, False)]
    assert lines[0]["errors"][0]["sheet"] is None and lines[0]["errors"][0]["row"] == 2
    assert MonthlyCount.objects.count() == 3
    assert set(MonthlyCount.objects.values_list("department__code", flat=True)) == {
        "110100",
        "120100",
    }


def test_user_option_applies_that_users_upload_scope(users, tmp_path):
    path = good_file(tmp_path)
    code, out, _err = run(path, "--json", "--user", "head")
    assert code == 1
    errors = json.loads(out)["errors"]
    assert [(e["code"], e["row"], e["column"]) for e in errors] == [("out_of_scope", 4, "B")]
    assert not MonthlyCount.objects.exists()
    assert run(path, "--json", "--user", "admin")[0] == 0


def test_without_user_the_command_has_no_scope_limit(users, tmp_path):
    assert run(good_file(tmp_path), "--json")[0] == 0
    assert MonthlyCount.objects.count() == 3


def test_unknown_user_is_refused(tree, tmp_path):
    assert run(good_file(tmp_path), "--user", "ghost")[0] == 2


def test_reimporting_the_same_content_changes_nothing(tree, tmp_path):
    path = good_file(tmp_path)
    assert run(path)[0] == 0
    code, out, _err = run(path)
    assert code == 0 and "変更はありません" in out
    assert Upload.objects.order_by("pk").last().status == "no_change"
    assert MonthlyCount.history.count() == 3


def test_warnings_are_listed_but_do_not_block(tree, tmp_path):
    path = write(
        tmp_path,
        "w.xlsx",
        xlsx(long_rows(["2023-01", "110100", "", 1, 2], ["合計", None, None, 1, 2])),
    )
    code, out, _err = run(path, "--json", "--dry-run")
    result = json.loads(out)
    assert code == 0 and result["ok"] is True
    assert [w["code"] for w in result["warnings"]] == ["current_month", "totals_row_skipped"]


def test_human_output_without_json(tree, tmp_path):
    code, out, _err = run(good_file(tmp_path), "--dry-run")
    assert code == 0 and "3件（2所属" in out and "確認のみ" in out

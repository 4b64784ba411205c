"""Hostile and broken files: each refused cleanly, in bounded memory, the process alive.

Every file is parsed in a separate Python process (tests/robustness/probe.py), which
itself reads through the import's resource-limited child: a reader that aborts shows
up here as a failed test, never as the test run dying.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from paperless.importing.counts.parse import parse_bytes
from paperless.importing.files import sandbox
from paperless.importing.files.limits import Limits, TableError
from tests.import_files import csv_bytes, long_rows, xlsx
from tests.robustness import hostile

ROOT = Path(__file__).resolve().parents[2]
# The probe process plus its reader child, each: a parse of these files stays far below.
MAX_RSS_KB = 400 * 1024


def probe(tmp_path: Path, data: bytes, filename: str, **limits) -> dict:
    path = tmp_path / "input.bin"
    path.write_bytes(data)
    done = subprocess.run(
        [sys.executable, "-m", "tests.robustness.probe", str(path), filename, json.dumps(limits)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, f"the process died ({done.returncode}): {done.stderr[-2000:]}"
    result = json.loads(done.stdout)
    assert result["rss_kb"] < MAX_RSS_KB and result["child_rss_kb"] < MAX_RSS_KB, result
    return result


def assert_refused(result: dict, code: str, *words: str) -> None:
    assert result["refused"] and result["codes"] == [code], result
    for word in words:
        assert word in result["messages"][0], result["messages"][0]


def test_far_cell_file_is_refused_before_the_reader_sees_it(tmp_path):
    data = hostile.far_cell()
    assert len(data) < 2000
    assert_refused(probe(tmp_path, data, "far.xlsx"), "too_many_rows", "XFD1048576", "200,000行")


def test_far_column_is_refused(tmp_path):
    assert_refused(
        probe(tmp_path, hostile.far_cell("XFD1"), "far.xlsx"), "too_many_columns", "200列"
    )


def test_sparse_grid_within_row_and_column_limits_is_refused_by_cell_count(tmp_path):
    result = probe(tmp_path, hostile.far_cell("GR200000"), "sparse.xlsx")
    assert_refused(result, "too_many_cells", "GR200000")


@pytest.mark.parametrize(
    ("data", "filename", "code", "words"),
    [
        (
            hostile.far_cell_written('<c\nr="XFD1048576">'),
            "nl.xlsx",
            "too_many_rows",
            ["XFD1048576"],
        ),
        (hostile.far_cell_written("<c r='xfd1048576'>"), "q.xlsx", "too_many_rows", ["XFD1048576"]),
        (hostile.renamed_sheet(), "png.xlsx", "too_many_rows", ["XFD1048576", "シート「枚数」"]),
        (
            hostile.shared_strings('count="1" uniqueCount="4000000000"'),
            "sst.xlsx",
            "too_many_cells",
            ["4,000,000,000個", "uniqueCount"],
        ),
        (
            hostile.legacy_xls([["年月", "所属コード"]], dimensions=(0, 1_048_576, 0, 256)),
            "dim.xls",
            "too_many_rows",
            ["シート「枚数」", "1,048,576行 × 256列"],
        ),
        (
            hostile.legacy_xls([["年月", "所属コード"]], far_cell=(65_535, 255)),
            "far.xls",
            "too_many_columns",
            ["IV65536"],
        ),
    ],
)
def test_walk_arounds_of_the_old_checks_are_refused_before_reading(
    tmp_path, data, filename, code, words
):
    # Each of these made python-calamine ask for gigabytes (the child's limit stopped
    # it); now the checks refuse them first and say what is wrong.
    assert_refused(probe(tmp_path, data, filename), code, *words)


def test_a_lying_dimension_alone_is_harmless(tmp_path):
    result = probe(tmp_path, hostile.lying_dimension(), "ok.xlsx")
    assert not result["refused"] and result["records"] == 1


def test_an_empty_formatted_cell_far_away_is_not_refused(tmp_path):
    result = probe(tmp_path, hostile.empty_styled_far_cell(), "ok.xlsx")
    assert not result["refused"] and result["records"] == 1


def test_cells_without_references_are_read(tmp_path):
    result = probe(tmp_path, hostile.cells_without_references(), "noref.xlsx")
    assert result["codes"] == [] and result["records"] == 1


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"])
def test_billion_laughs_is_refused(tmp_path, part):
    assert_refused(
        probe(tmp_path, hostile.billion_laughs(part), "bomb.xlsx"), "xml_bomb", "DOCTYPE"
    )


def test_zip_bomb_is_refused_by_its_compression_ratio(tmp_path):
    assert_refused(probe(tmp_path, hostile.zip_bomb(), "bomb.xlsx"), "zip_bomb")


def test_zip_bomb_is_refused_by_total_size(tmp_path):
    result = probe(
        tmp_path, xlsx(long_rows(["2022-12", "110100", "", 1, 2])), "x.xlsx", max_uncompressed=2000
    )
    assert_refused(result, "zip_bomb", "展開")


def test_member_larger_than_its_declared_size_is_corrupt(tmp_path):
    assert_refused(probe(tmp_path, hostile.lying_sizes(), "lie.xlsx"), "corrupt_file")


def test_too_many_members(tmp_path):
    assert_refused(probe(tmp_path, hostile.many_members(), "many.xlsx"), "zip_bomb", "部品が多すぎ")


def test_path_traversal_member_name(tmp_path):
    assert_refused(
        probe(tmp_path, hostile.traversal_name(), "evil.xlsx"), "corrupt_file", "不正な名前"
    )


def test_utf16_xml_part_is_refused(tmp_path):
    assert_refused(probe(tmp_path, hostile.utf16_part(), "u.xlsx"), "corrupt_file", "UTF-16")


def test_password_protected_xlsx_says_so(tmp_path):
    assert_refused(
        probe(tmp_path, hostile.encrypted_xlsx(), "secret.xlsx"), "encrypted_file", "パスワード"
    )


def test_legacy_xls_is_read(tmp_path):
    data = hostile.legacy_xls(
        [["年月", "所属コード", "印刷枚数", "コピー枚数"], ["2022-12", "110100", 10, 20]]
    )
    result = probe(tmp_path, data, "old.xls")
    assert result["codes"] == [] and result["records"] == 1


def test_broken_ole_file_names_both_possibilities(tmp_path):
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512
    assert_refused(probe(tmp_path, data, "old.xls"), "corrupt_file", ".xls", "パスワード付き")


@pytest.mark.parametrize(
    ("data", "filename", "code"),
    [
        (b"PK\x03\x04 not really a zip", "x.xlsx", "corrupt_file"),
        (b"", "empty.xlsx", "not_a_spreadsheet"),
        (b"%PDF-1.7\n...", "report.pdf", "not_a_spreadsheet"),
        (b"<html><table><tr><td>1</td></tr></table></html>", "export.xls", "not_a_spreadsheet"),
        (b"a,b\x00,c\n1,2,3\n", "nul.csv", "not_a_spreadsheet"),
        (bytes(range(256)) * 40, "random.csv", "not_a_spreadsheet"),
        (hostile.xlsb(), "book.xlsx", "not_a_spreadsheet"),
        (hostile.word_document(), "letter.xlsx", "not_a_spreadsheet"),
    ],
)
def test_not_a_spreadsheet_or_corrupt(tmp_path, data, filename, code):
    assert_refused(probe(tmp_path, data, filename), code)


def test_truncated_workbook_is_corrupt(tmp_path):
    data = xlsx(long_rows(*[["2022-12", f"11{i:04d}", "", i, i] for i in range(500)]))
    for cut in (len(data) // 2, len(data) - 30):
        assert_refused(probe(tmp_path, data[:cut], "cut.xlsx"), "corrupt_file")


def test_random_bytes_behind_a_zip_signature_never_kill_the_process(tmp_path):
    generator = random.Random(20221231)
    for _ in range(5):
        data = b"PK\x03\x04" + generator.randbytes(generator.randint(10, 5000))
        assert probe(tmp_path, data, "noise.xlsx")["refused"]


def test_flipped_bytes_in_a_real_workbook_end_in_a_result(tmp_path):
    good = bytearray(xlsx(long_rows(*[["2022-12", f"11{i:04d}", "", i, i] for i in range(50)])))
    generator = random.Random(7)
    for _ in range(8):
        data = bytearray(good)
        for _flip in range(generator.randint(1, 20)):
            data[generator.randrange(len(data))] = generator.randrange(256)
        result = probe(tmp_path, bytes(data), "flipped.xlsx")
        assert result["refused"] or result["records"] >= 0


def test_huge_row_count_is_refused(tmp_path):
    rows = long_rows(*[["2022-12", "110100", "", 1, 1]] * 2_100)
    assert_refused(
        probe(tmp_path, csv_bytes(rows), "huge.csv", max_rows=2_000), "too_many_rows", "2,000行"
    )
    assert_refused(probe(tmp_path, xlsx(rows), "huge.xlsx", max_rows=2_000), "too_many_rows")


def test_title_cells_of_32000_spaces_and_a_letter_are_read_at_once(tmp_path):
    # Three such cells took the old month-in-title pattern minutes; now the file is read
    # well within the reader's time limit, and the table under them is found.
    cell = " " * 32_000 + "x"
    rows = [[cell, cell, cell], *long_rows(["2022-12", "110100", "", 1, 2])]
    result = probe(tmp_path, csv_bytes(rows), "spaces.csv", max_seconds=20)
    assert not result["refused"] and result["codes"] == [] and result["records"] == 1


def test_too_large_file_is_refused_before_reading(tmp_path):
    result = probe(tmp_path, b"x" * 5000, "big.csv", max_bytes=4000)
    assert_refused(result, "file_too_large", "大きすぎ")


# --- the child process itself --------------------------------------------------------------


def _sleep(data, *, filename, limits):
    import time

    time.sleep(30)


def _hog(data, *, filename, limits):
    return bytearray(2 * 1024 * 1024 * 1024)


def _abort(data, *, filename, limits):
    import python_calamine

    # Exactly what the safety checks exist to prevent: calamine aborts the process.
    python_calamine.CalamineWorkbook.from_filelike(
        __import__("io").BytesIO(data)
    ).get_sheet_by_index(0)


def test_reader_past_its_time_limit_is_stopped():
    with pytest.raises(TableError) as caught:
        sandbox.run(_sleep, b"", filename="slow.xlsx", limits=Limits(max_seconds=1))
    assert caught.value.code == "timeout" and "1秒" in caught.value.message


def test_reader_past_its_memory_limit_is_stopped():
    with pytest.raises(TableError) as caught:
        sandbox.run(_hog, b"", filename="big.xlsx", limits=Limits(max_memory=256 * 1024 * 1024))
    assert caught.value.code == "corrupt_file" and "メモリ" in caught.value.message


def test_a_stop_by_the_limits_is_reported_as_such_not_as_a_broken_file():
    with pytest.raises(TableError) as caught:
        sandbox.run(_hog, b"", filename="big.xlsx", limits=Limits(max_memory=256 * 1024 * 1024))
    message = caught.value.message
    assert "読み取り処理が上限（メモリ 256 MB・時間 60秒）を超えたため中止しました" in message
    assert "壊れて" not in message


def test_the_readers_own_error_is_logged(caplog):
    # A reference python-calamine refuses ("$"), in a sheet small enough for the checks.
    sheet = hostile.sheet_xml('<row r="1"><c r="$A$1"><v>1</v></c></row>')
    with caplog.at_level("WARNING", logger="paperless.importing.files.sandbox"):
        parsed = parse_bytes(hostile.workbook(sheet), filename="d.xlsx", limits=Limits())
    assert parsed.refused and parsed.errors[0].code == "corrupt_file"
    assert "python-calamine" in caplog.text and "d.xlsx" in caplog.text


def test_a_reader_that_aborts_takes_only_its_child_down():
    with pytest.raises(TableError) as caught:
        sandbox.run(_abort, hostile.far_cell(), filename="far.xlsx", limits=Limits())
    assert caught.value.code == "corrupt_file"


def test_zipfile_helper_builds_valid_zips():
    # Guard for the builders: a valid minimal workbook really is a zip with a sheet.
    import io

    with zipfile.ZipFile(io.BytesIO(hostile.workbook(hostile.good_sheet()))) as archive:
        assert "xl/worksheets/sheet1.xml" in archive.namelist()


def test_macro_workbook_is_read_as_data_only(tmp_path):
    # A vbaProject part is never opened: macros cannot run, the values are read.
    vba = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b'Attribute VB_Name = "Module1"' * 50
    data = hostile.workbook(hostile.good_sheet(), extra={"xl/vbaProject.bin": vba})
    result = probe(tmp_path, data, "macro.xlsm")
    assert result["codes"] == [] and result["records"] == 1

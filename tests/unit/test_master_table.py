"""The master-data table reader: header search, rows by column key, row errors, cell parsers."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest

from paperless.importing.files.limits import Limits
from paperless.importing.files.reader import Row, Sheet
from paperless.importing.master.table import (
    CellError,
    Column,
    RowError,
    Table,
    find_table,
    parse_code,
    parse_date,
    parse_text,
    read_table,
)
from tests.import_files import csv_bytes, xlsx

# The device register's columns: the next master file the reader serves.
DEVICES = (
    Column("serial", "機器番号", ("device_serial", "シリアル番号"), required=True),
    Column("device_id", "部門ID", ("department_id",)),
    Column("code", "所属コード", ("department_code",), required=True),
    Column("start", "利用開始日", ("start_date",), required=True),
    Column("end", "利用終了日", ("end_date",)),
    Column("model", "機種", ("model",)),
    Column("location", "設置場所", ("location",)),
)
JA = ["機器番号", "部門ID", "所属コード", "利用開始日", "利用終了日", "機種", "設置場所"]
KEYS = [c.key for c in DEVICES]
RECORD = ["MX-0001", "0012", "110100", "2024/4/1", None, "MX-3661", "1階 窓口"]


def table_of(data: bytes, filename: str = "devices.xlsx") -> Table:
    return read_table(io.BytesIO(data), DEVICES, filename=filename, limits=Limits())


def sheet(name: str, *rows: list[object]) -> Sheet:
    """A sheet as the reader gives it: non-blank rows numbered from 1."""
    return Sheet(name, [Row(n, tuple(r)) for n, r in enumerate(rows, start=1) if r])


# --- header search ---------------------------------------------------------------------


def test_header_below_title_rows_gives_rows_with_their_excel_numbers():
    rows = [["複合機 台帳"], ["令和6年4月1日現在"], [], JA, RECORD]
    table = table_of(xlsx(rows, title="台帳"))

    assert table.errors == []
    assert (table.sheet, table.header_row) == ("台帳", 4)
    assert list(table) == [(5, dict(zip(KEYS, RECORD, strict=True)))]


def test_english_headers_in_any_order_and_spelling_with_extra_columns_ignored():
    header = ["memo", "Start Date", "DEVICE_SERIAL", "department_code", "ＭＯＤＥＬ"]
    table = table_of(
        csv_bytes([header, ["確認済", "2024-04-01", "MX-0001", "110100", "MX"]]), "devices.csv"
    )

    assert table.errors == []
    assert table.headers == {
        "start": "Start Date",
        "serial": "DEVICE_SERIAL",
        "code": "department_code",
        "model": "ＭＯＤＥＬ",
    }
    assert table.rows == [
        (2, {"start": "2024-04-01", "serial": "MX-0001", "code": "110100", "model": "MX"})
    ]


def test_aliases_and_headers_with_marks_or_notes_are_found():
    header = ["シリアル番号", "所属コード※", "利用開始日（必須）", "設置場所 "]
    table = find_table(
        [sheet("S", header, ["A-1", "110100", "2024/4/1", "2階"])], DEVICES, filename="d.xlsx"
    )

    assert table.errors == []
    assert table.rows == [
        (2, {"serial": "A-1", "code": "110100", "start": "2024/4/1", "location": "2階"})
    ]


def test_the_first_sheet_whose_header_has_every_required_column_is_read():
    notes = [["機器番号", "所属コード"], ["メモだけのシート"]]
    table = table_of(xlsx([JA, RECORD], title="台帳", sheets=[("メモ", notes)]))

    assert table.errors == [] and table.sheet == "台帳"
    assert [number for number, _cells in table] == [2]


def test_a_header_only_in_row_21_is_not_searched():
    rows = [["表題"], *[[f"注記{i}"] for i in range(19)], JA, RECORD]
    table = find_table([sheet("S", *rows)], DEVICES, filename="d.xlsx")

    assert table.rows == []
    assert [str(e) for e in table.errors] == [
        "S: 見出し行が見つかりません。先頭20行のどこかに"
        "「機器番号」「所属コード」「利用開始日」の列見出しを置いてください。"
    ]


def test_missing_required_columns_are_named_in_one_error():
    table = find_table(
        [sheet("台帳", ["機器番号", "機種"], ["MX-0001", "MX"])], DEVICES, filename="d.xlsx"
    )

    assert table.rows == []
    assert table.errors == [
        RowError(
            "台帳",
            1,
            None,
            "必須の列「所属コード」（または「department_code」）、"
            "「利用開始日」（または「start_date」）が見出し行にありません。",
        )
    ]


def test_a_column_headed_twice_is_an_error_naming_both_letters():
    header = ["機器番号", "所属コード", "利用開始日", "所属コード"]
    table = find_table(
        [sheet("S", header, ["A", "1", "2024/4/1", "2"])], DEVICES, filename="d.xlsx"
    )

    assert table.rows == []
    assert [str(e) for e in table.errors] == [
        "S 行1 列「所属コード」: 同じ列が複数あります（B、D列）。"
    ]


def test_no_sheet_at_all_names_the_file():
    table = find_table([], DEVICES, filename="d.xlsx")

    assert table.sheet == "d.xlsx" and len(table.errors) == 1


# --- rows --------------------------------------------------------------------------------


def test_blank_rows_and_rows_with_only_an_ignored_column_are_skipped():
    rows = [[*JA, "備考"], RECORD, [], [None] * 7 + ["メモだけ"], ["", " ", "\u3000"], RECORD]
    table = table_of(xlsx(rows))

    assert [number for number, _cells in table] == [2, 6]


def test_short_rows_give_none_for_the_missing_cells():
    table = find_table([sheet("S", JA, ["MX-0001", None, "110100"])], DEVICES, filename="d")

    ((number, cells),) = table.rows
    assert number == 2
    assert cells["serial"] == "MX-0001" and cells["start"] is None and cells["location"] is None


def test_a_row_error_names_sheet_row_column_as_headed_and_raw_value():
    header = ["device_serial", "department_code", "start_date"]
    table = find_table(
        [sheet("台帳", header, ["MX-0001", "110100", "2024/13/1"])], DEVICES, filename="d.xlsx"
    )
    ((number, cells),) = table.rows

    assert table.cell(number, cells, "start", parse_date, required=True) is None
    (error,) = table.errors
    assert (error.sheet, error.row, error.column, error.value) == (
        "台帳",
        2,
        "start_date",
        "2024/13/1",
    )
    assert str(error) == (
        "台帳 行2 列「start_date」: 「2024/13/1」を日付として読めません"
        "（2024-04-01、2024/4/1、2024年4月1日、R6.4.1 のように入力してください）。"
    )


def test_a_blank_required_cell_and_a_too_long_one_are_errors():
    table = find_table(
        [sheet("S", JA, ["", "1", "110100", "2024/4/1", None, "X" * 5])], DEVICES, filename="d"
    )
    ((number, cells),) = table.rows

    assert table.cell(number, cells, "serial", parse_text, required=True) is None
    assert table.cell(number, cells, "model", parse_text, max_length=4) == "XXXXX"
    assert table.cell(number, cells, "code", parse_code, required=True) == "110100"
    assert [str(e) for e in table.errors] == [
        "S 行2 列「機器番号」: 機器番号が空です。",
        "S 行2 列「機種」: 機種「XXXXX」が長すぎます（4文字まで）。",
    ]


# --- cells -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "2024-04-01",
        "2024/4/1",
        "2024.4.1",
        "2024年4月1日",
        "R6.4.1",
        "r6/4/1",
        "令和6年4月1日",
        "２０２４／４／１",
        "令和６年４月１日",
        " 2024-04-01 00:00:00 ",
        date(2024, 4, 1),
        datetime(2024, 4, 1, 9, 30),
    ],
)
def test_dates_in_every_form_offices_write(value):
    assert parse_date(value) == date(2024, 4, 1)


def test_era_first_years_and_boundaries():
    assert parse_date("令和元年5月1日") == date(2019, 5, 1)
    assert parse_date("H31.4.30") == date(2019, 4, 30)
    assert parse_date(None) is None and parse_date(" ") is None


@pytest.mark.parametrize(
    "value",
    [
        "2024/2/30",
        "2024/13/1",
        "平成31年5月1日",
        "令和元年4月30日",
        "2024-04",
        "24/4/1",
        "元年4月1日",
        "2024-4/1",
        "来年",
        45383,
        True,
    ],
)
def test_a_bad_date_says_which_forms_to_use(value):
    with pytest.raises(CellError) as raised:
        parse_date(value)
    assert raised.value.message.endswith(
        "を日付として読めません（2024-04-01、2024/4/1、2024年4月1日、R6.4.1 のように"
        "入力してください）。"
    )


def test_codes_and_optional_text():
    assert parse_code(110100.0) == parse_code("１１０１００") == "110100"
    assert parse_code("0012") == "0012" and parse_code(" ") is None
    assert parse_text("  1階 窓口 ") == "1階 窓口" and parse_text("\u3000") is None

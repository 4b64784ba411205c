"""Reading files recognised by their columns, and their cells: pure, no database."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from paperless.importing.counts.parse import parse_bytes
from paperless.importing.files.limits import Limits
from paperless.importing.master.table import CellError
from paperless.importing.meters.parse import METER, RICOH, parse_day
from tests.import_files import csv_bytes, long_rows, xlsx


def parse(rows, *, name: str = "k.csv", encoding: str = "utf-8"):
    data = csv_bytes(rows, encoding=encoding) if name.endswith(".csv") else xlsx(rows)
    return parse_bytes(data, filename=name, limits=Limits(), isolate=False)


@pytest.mark.parametrize(
    "value",
    [
        date(2024, 4, 30),
        datetime(2024, 4, 30, 0, 0),
        45412.0,  # the Excel day number of 2024-04-30
        20240430,
        "20240430",
        "２０２４/４/３０",
        "2024-04-30",
        "2024.4.30",
        "2024年4月30日",
        "R6.4.30",
        "令和6年4月30日",
        "2024-04-30 00:00:00",
    ],
)
def test_a_reading_date_in_every_form(value):
    assert parse_day(value) == date(2024, 4, 30)


@pytest.mark.parametrize("value", ["2024/2/30", "来月", "20241340", 123])
def test_a_date_that_is_not_one_is_named(value):
    with pytest.raises(CellError, match="日付として読めません"):
        parse_day(value)


def test_a_count_file_is_not_a_reading_file():
    parsed = parse(long_rows(["2024-04", "110100", "市民課", 10, 20]))
    assert parsed.layout == "long" and parsed.readings == []


def test_a_reading_file_is_known_by_its_serial_and_counters():
    header = ["機器番号", "部門ID", "検針日", "印刷カウンター", "コピーカウンター"]
    parsed = parse([header, ["SN1", "01", "2024/4/30", "1,000", "５００"]])
    assert (parsed.layout, parsed.errors, parsed.records) == (METER, [], [])
    (reading,) = parsed.readings
    assert (reading.counter, reading.read_on, reading.print_counter, reading.copy_counter) == (
        ("SN1", "01"),
        date(2024, 4, 30),
        1000,
        500,
    )
    assert (reading.sheet, reading.row) == (None, 2)


def test_a_reading_file_without_its_date_column_says_so():
    parsed = parse([["機器番号", "印刷カウンター", "コピーカウンター"], ["SN1", 1, 1]])
    assert parsed.layout == METER
    assert [e.code for e in parsed.errors] == ["missing_column"]
    assert "「検針日」（または「read_on」）" in parsed.errors[0].message


@pytest.mark.parametrize(
    ("printer", "copier"),
    [
        ("Printer: Black & White", "Copier: Black & White"),
        ("Printer:B&W", "Copier B&W"),
        ("Printer B&W Counter", "Copier B&W Counter"),
        ("printer: black and white", "COPIER: BLACK & WHITE"),
        ("プリンター：白黒", "コピー：白黒"),
    ],
)
def test_ricoh_counter_names_with_or_without_a_colon(printer, copier):
    parsed = parse(
        [["Serial Number", printer, copier], ["E1", 70, 30]], name="counter_2024-04-30.csv"
    )
    assert parsed.layout == RICOH and parsed.errors == []
    (reading,) = parsed.readings
    assert (reading.read_on, reading.print_counter, reading.copy_counter) == (
        date(2024, 4, 30),
        70,
        30,
    )


def test_ricoh_colour_counters_are_summed_and_blanks_count_nothing():
    header = [
        "Serial Number",
        "Printer: Black & White",
        "Printer: Full Color",
        "Printer: Single Color",
        "Printer: Two-color",
        "Copier: Black & White",
        "Copier: Full Color",
    ]
    parsed = parse([header, ["E1", 1000, 200, 30, 4, 500, None]], name="counter_20240430.csv")
    (reading,) = parsed.readings
    assert (reading.print_counter, reading.copy_counter) == (1234, 500)


def test_cp932_csv_with_a_title_above_the_header():
    rows = [
        ["令和6年4月 検針結果"],
        ["機器番号", "検針日", "印刷カウンター", "コピーカウンター"],
        ["ＳＮ１", "令和6年4月30日", "１２３", "４５"],
    ]
    parsed = parse(rows, encoding="cp932")
    assert parsed.errors == []
    (reading,) = parsed.readings
    assert (reading.serial, reading.row, reading.print_counter) == ("SN1", 3, 123)

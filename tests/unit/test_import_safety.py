"""The byte-level checks that run before any spreadsheet library sees a file."""

from __future__ import annotations

import openpyxl
import pytest

from paperless.importing.files.limits import Limits, TableError, column_letters, column_number
from paperless.importing.files.safety import check_xlsx, sniff
from tests.robustness import hostile


def test_openpyxl_refuses_xml_bombs_because_defusedxml_is_installed():
    assert openpyxl.DEFUSEDXML is True


@pytest.mark.parametrize(
    ("letters", "number"), [("A", 1), ("Z", 26), ("AA", 27), ("GR", 200), ("XFD", 16384)]
)
def test_column_letters_round_trip(letters, number):
    assert column_number(letters) == number and column_letters(number) == letters


@pytest.mark.parametrize(
    ("data", "name", "kind"),
    [
        (b"PK\x03\x04...", "counts.xls", "xlsx"),  # an .xlsx saved under the old name
        (b"PK\x03\x04...", "counts.csv", "xlsx"),
        (hostile.legacy_xls([["a"]]), "counts.xlsx", "xls"),
        (b"a,b\n", "counts.csv", "csv"),
    ],
)
def test_the_content_decides_the_format(data, name, kind):
    assert sniff(data, name) == kind


def refusal(data: bytes, **limits) -> str:
    with pytest.raises(TableError) as caught:
        check_xlsx(data, "x.xlsx", Limits(**limits))
    return caught.value.code


def test_namespace_prefixed_sheet_is_scanned_exactly():
    sheet = (
        '<?xml version="1.0"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/'
        'spreadsheetml/2006/main"><x:sheetData><x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c>'
        '</x:row><x:row r="1048576"><x:c r="XFD1048576"><x:v>1</x:v></x:c></x:row>'
        "</x:sheetData></x:worksheet>"
    )
    assert refusal(hostile.workbook(sheet)) == "too_many_rows"


def test_attribute_order_does_not_hide_a_far_cell():
    sheet = hostile.sheet_xml(
        '<row r="5"><c s="1" r="B5"><v>1</v></c><c t="n" r="HA5"><v>1</v></c></row>'
    )
    assert refusal(hostile.workbook(sheet)) == "too_many_columns"


def test_cells_without_reference_are_counted_in_sequence():
    cells = "<c><v>1</v></c>" * 201
    assert refusal(hostile.workbook(hostile.sheet_xml(f"<row>{cells}</row>"))) == "too_many_columns"


def test_column_message_names_the_first_wide_row():
    sheet = hostile.sheet_xml(
        '<row r="1"><c r="A1"><v>1</v></c></row><row r="7"><c r="F7"><v>1</v></c></row>'
    )
    with pytest.raises(TableError) as caught:
        check_xlsx(hostile.workbook(sheet), "x.xlsx", Limits(max_columns=4))
    assert "シート「枚数」の行7の列数が上限（4列）を超えています。" in caught.value.message


def test_a_good_workbook_passes():
    check_xlsx(hostile.workbook(hostile.good_sheet()), "x.xlsx", Limits())

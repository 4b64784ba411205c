"""The byte-level checks that run before any spreadsheet library sees a file."""

from __future__ import annotations

import openpyxl
import pytest

from paperless.importing.files.biff import check_xls
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


# --- the checks cannot be walked around -----------------------------------------------------

FAR = "XFD1048576"


@pytest.mark.parametrize(
    "tag",
    [
        f'<c\nr="{FAR}">',
        f'<c\tr="{FAR}">',
        f'<c\rr="{FAR}">',
        f"<c r='{FAR}'>",
        f'<c r = "{FAR}">',
        f'<c r="{FAR.lower()}">',
        '<c r="$XFD$1048576">',
        f'<c s=">" r="{FAR}">',  # a ">" inside a value ends no tag
        '<c r="&#88;FD1048576">',  # a character reference is the letter it stands for
        f'<x:c xmlns:x="urn:x" r="{FAR}">',
        '<c r="XFD' + "0" * 5_000 + '1048576">',  # leading zeros do not hide the row
    ],
)
def test_a_far_cell_in_any_spelling_is_refused_before_reading(tag):
    data = hostile.far_cell_written(tag)
    if tag.startswith("<x:c"):
        data = hostile.workbook(hostile.sheet_xml(f'<row r="1">{tag}<v>1</v></x:c></row>'))
    with pytest.raises(TableError) as caught:
        check_xlsx(data, "x.xlsx", Limits())
    assert caught.value.code == "too_many_rows" and FAR in caught.value.message


@pytest.mark.parametrize("chunk", [5, 64, 4096])
def test_tags_cut_across_chunks_are_read_whole(monkeypatch, chunk):
    from paperless.importing.files import safety

    monkeypatch.setattr(safety, "_CHUNK", chunk)
    for tag in (f'<c s=">" r="{FAR}">', f'<c\nr="{FAR}">', f'<c r="{FAR}">'):
        assert refusal(hostile.far_cell_written(tag)) == "too_many_rows"
    check_xlsx(hostile.workbook(hostile.good_sheet()), "x.xlsx", Limits())


def test_a_cell_without_reference_takes_the_row_of_its_row_element():
    # The reference of the first cell says row 1; the second cell has none and sits in
    # row 1,048,576, where its row element is.
    sheet = hostile.sheet_xml('<row r="1048576"><c r="A1"><v>1</v></c><c><v>2</v></c></row>')
    assert refusal(hostile.workbook(sheet)) == "too_many_rows"


def test_a_second_reference_in_one_cell_is_refused():
    with pytest.raises(TableError) as caught:
        check_xlsx(hostile.far_cell_written(f'<c r="A2" r="{FAR}">'), "x.xlsx", Limits())
    assert caught.value.code == "corrupt_file" and "XML が壊れています" in caught.value.message


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.png", "xl/worksheets/sheet1.bin"])
def test_a_sheet_renamed_to_a_binary_extension_is_still_scanned(part):
    with pytest.raises(TableError) as caught:
        check_xlsx(hostile.renamed_sheet(part), "x.xlsx", Limits())
    assert caught.value.code == "too_many_rows" and FAR in caught.value.message
    assert "シート「枚数」" in caught.value.message


def test_images_nobody_names_as_xml_are_not_scanned():
    png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + b"\0" * 200
    check_xlsx(
        hostile.workbook(hostile.good_sheet(), extra={"xl/media/a.png": png}), "x.xlsx", Limits()
    )


@pytest.mark.parametrize(
    ("attributes", "declared"),
    [
        ('count="1" uniqueCount="4000000000"', "uniqueCount"),
        ("uniqueCount='4000000000'", "uniqueCount"),
        ('\n uniqueCount = "4000000000"', "uniqueCount"),
        ('count="4000000000" uniqueCount="1"', "count"),
    ],
)
def test_shared_strings_declaring_more_than_the_cell_limit_are_refused(attributes, declared):
    with pytest.raises(TableError) as caught:
        check_xlsx(hostile.shared_strings(attributes), "x.xlsx", Limits())
    message = caught.value.message
    assert caught.value.code == "too_many_cells"
    assert "4,000,000,000個" in message and declared in message and "sharedStrings" in message


def test_a_column_name_of_many_letters_is_refused_not_converted():
    data = hostile.far_cell_written('<c r="' + "A" * 5_000 + '1">')
    assert refusal(data) == "too_many_columns"


def test_shared_strings_with_leading_zeros_are_read_as_the_number_they_are():
    data = hostile.shared_strings('uniqueCount="' + "0" * 40 + '4000000000"')
    assert refusal(data) == "too_many_cells"


def test_shared_strings_within_the_limit_pass():
    check_xlsx(hostile.shared_strings('count="1" uniqueCount="1"'), "x.xlsx", Limits())


def test_a_dimension_over_the_limits_makes_the_scan_exact_but_refuses_nothing_by_itself():
    check_xlsx(hostile.lying_dimension(), "x.xlsx", Limits())


def test_two_parts_of_the_same_name_are_refused():
    with pytest.raises(TableError) as caught:
        check_xlsx(hostile.duplicate_member(), "x.xlsx", Limits())
    assert caught.value.code == "corrupt_file" and "同じ名前の部品" in caught.value.message


def test_unreadable_relationships_refuse_the_file():
    rels = hostile.WORKBOOK_RELS.replace("<Relationships", "<Relationships &bad;")
    data = hostile.workbook(hostile.good_sheet())
    data = hostile.replace_member(data, "xl/_rels/workbook.xml.rels", rels)
    with pytest.raises(TableError) as caught:
        check_xlsx(data, "x.xlsx", Limits())
    assert caught.value.code == "corrupt_file" and "workbook.xml.rels" in caught.value.message


# --- legacy .xls: the BIFF records before the reader allocates --------------------------------

XLS_ROWS = [["年月", "所属コード", "印刷枚数", "コピー枚数"], ["2022-12", "110100", 10, 20]]


def xls_refusal(data: bytes) -> TableError:
    with pytest.raises(TableError) as caught:
        check_xls(data, "old.xls", Limits())
    return caught.value


def test_a_good_xls_passes():
    check_xls(hostile.legacy_xls(XLS_ROWS), "old.xls", Limits())


def test_xls_dimensions_over_the_limits_are_refused():
    error = xls_refusal(hostile.legacy_xls(XLS_ROWS, dimensions=(0, 1_048_576, 0, 256)))
    assert error.code == "too_many_rows"
    assert "シート「枚数」" in error.message and "1,048,576行 × 256列" in error.message


def test_xls_reversed_dimensions_are_refused():
    error = xls_refusal(hostile.legacy_xls(XLS_ROWS, dimensions=(5, 2, 0, 4)))
    assert error.code == "too_many_rows" and "逆向き" in error.message


def test_xls_far_cell_under_small_dimensions_is_refused():
    error = xls_refusal(hostile.legacy_xls(XLS_ROWS, far_cell=(1, 60_000)))
    assert error.code == "too_many_columns" and "行2" in error.message


def test_xls_shared_strings_declaring_too_many_are_refused():
    error = xls_refusal(hostile.legacy_xls(XLS_ROWS, shared_strings=2_000_000_000))
    assert error.code == "too_many_cells" and "2,000,000,000個" in error.message


def test_xls_stream_declared_larger_than_the_file_is_refused():
    error = xls_refusal(hostile.lying_stream_size(hostile.legacy_xls(XLS_ROWS)))
    assert error.code == "corrupt_file" and "4,000,000,000バイト" in error.message

"""Finding the count table and parsing every row, without a database."""

from __future__ import annotations

import codecs
import io
from datetime import date

import pytest
from openpyxl import Workbook

from paperless.importing.counts.parse import ParsedFile, parse_bytes
from paperless.importing.files.limits import Limits
from tests.import_files import LONG, csv_bytes, long_rows, xlsx

DEC = date(2022, 12, 1)


def parse(data: bytes, filename: str = "counts.xlsx") -> ParsedFile:
    return parse_bytes(data, filename=filename, limits=Limits(), isolate=False)


def codes(parsed: ParsedFile) -> list[str]:
    return [e.code for e in parsed.errors]


def test_long_layout_reads_every_record_with_its_excel_row():
    parsed = parse(
        xlsx(long_rows(["2022年12月", "110100", "堺区 市民課", 4210, 1980, None, "メモ"]))
    )
    assert parsed.errors == [] and parsed.layout == "long" and parsed.sheet == "枚数"
    (record,) = parsed.records
    assert (record.code, record.month, record.print_sheets, record.copy_sheets) == (
        "110100",
        DEC,
        4210,
        1980,
    )
    assert (record.excluded_sheets, record.note, record.name, record.row) == (
        None,
        "メモ",
        "堺区 市民課",
        2,
    )


def test_header_below_title_rows_in_any_order_with_extra_columns_and_english():
    rows = [
        ["令和4年12月分 印刷・コピー枚数報告"],
        [],
        ["作成者: 山田"],
        ["copy_sheets", "担当者", "department_code", "month", "print_sheets"],
        [1980, "山田", 110100, "2022-12", 4210],
    ]
    parsed = parse(xlsx(rows))
    assert parsed.errors == []
    (record,) = parsed.records
    assert (record.row, record.code, record.print_sheets, record.copy_sheets) == (
        5,
        "110100",
        4210,
        1980,
    )


def test_first_sheet_with_a_header_is_taken():
    data = xlsx(
        long_rows(["2022-12", "110100", "", 10, 20]),
        title="報告",
        sheets=[("表紙", [["ペーパーレス取組"], ["堺市"]])],
    )
    parsed = parse(data)
    assert parsed.sheet == "報告" and len(parsed.records) == 1


def test_month_from_the_title_when_there_is_no_month_column():
    rows = [["令和4年12月分"], ["所属コード", "印刷枚数", "コピー枚数"], ["110100", 5, 6]]
    parsed = parse(xlsx(rows))
    assert parsed.errors == [] and parsed.records[0].month == DEC


def test_blank_rows_and_unfilled_template_rows_are_skipped():
    parsed = parse(
        xlsx(
            long_rows(
                ["2022-12", "110100", "", 1, 2],
                [],
                ["2022-12", "110200", "企画総務課", None, None],
                ["2022-12", "120100", "", 3, 4],
            )
        )
    )
    assert [r.code for r in parsed.records] == ["110100", "120100"]
    assert [w.code for w in parsed.warnings] == ["blank_rows_skipped"]


@pytest.mark.parametrize("label", ["合計", "計", "総計", "合　計", "小計（堺区）"])
def test_totals_row_is_skipped_with_a_warning_never_imported(label):
    parsed = parse(
        xlsx(
            long_rows(
                ["2022-12", "110100", "", 1, 2], [label, "", "", 1, 2], [None, label, None, 9, 9]
            )
        )
    )
    assert len(parsed.records) == 1
    assert [(w.code, w.row) for w in parsed.warnings] == [
        ("totals_row_skipped", 3),
        ("totals_row_skipped", 4),
    ]


def test_every_bad_cell_is_reported_with_row_column_and_raw_value():
    parsed = parse(
        xlsx(
            long_rows(
                ["2022-12", "110100", "", -1, 2],
                ["2022-12", "110200", "", 1.5, 2],
                ["2022-12", "120100", "", "abc", 2],
                ["来月", "201100", "", 1, 2],
                ["2022-12", "", "", 1, 2],
                ["2022-12", "110100", "", 5, 5, 11],
                ["2022-12", "120100", "", 5, None],
            )
        )
    )
    found = [(e.code, e.row, e.column, e.value) for e in parsed.errors]
    assert found == [
        ("negative_count", 2, "D", "-1"),
        ("fractional_count", 3, "D", "1.5"),
        ("not_a_number", 4, "D", "abc"),
        ("bad_month", 5, "A", "来月"),
        ("unknown_department", 6, "B", None),
        ("excluded_exceeds_total", 7, "F", "11"),
        ("missing_count", 8, "E", None),
    ]
    assert "「来月」" in parsed.errors[3].message and "年と月" in parsed.errors[3].message
    assert parsed.records == []


def test_same_department_and_month_twice_with_different_values_is_an_error():
    parsed = parse(
        xlsx(
            long_rows(
                ["2022-12", "110100", "", 1, 2],
                ["2022年12月", "110100.0", "", 1, 2],
                ["R4.12", "１１０１００", "", 9, 2],
            )
        )
    )
    assert [(e.code, e.row) for e in parsed.errors] == [("duplicate_conflict", 4)]
    assert "2行目にも" in parsed.errors[0].message


@pytest.mark.parametrize(
    ("header", "missing"),
    [
        (["所属コード", "印刷枚数", "コピー枚数"], "年月"),
        (["年月", "所属コード", "印刷枚数"], "コピー枚数"),
        (["年月", "所属名", "印刷枚数", "コピー枚数"], "所属コード"),
    ],
)
def test_missing_required_column_is_named(header, missing):
    parsed = parse(xlsx([header, ["2022-12", "110100", 1, 2]]))
    assert codes(parsed) == ["missing_column"]
    assert f"「{missing}」" in parsed.errors[0].message and parsed.records == []


def test_two_columns_for_one_field_are_refused():
    parsed = parse(xlsx([["年月", "所属コード", "印刷枚数", "印刷枚数（カラー）", "コピー枚数"]]))
    assert codes(parsed) == ["duplicate_column"]


def test_no_table_at_all_is_missing_column():
    parsed = parse(xlsx([["こんにちは"], ["ペーパーレス"]]))
    assert codes(parsed) == ["missing_column"]
    assert "見出し行" in parsed.errors[0].message


def test_header_without_data_rows_is_no_data_rows():
    assert codes(parse(xlsx([LONG]))) == ["no_data_rows"]


def test_header_after_row_20_is_not_found():
    rows = [[f"メモ{i}"] for i in range(20)] + long_rows(["2022-12", "110100", "", 1, 2])
    assert codes(parse(xlsx(rows))) == ["missing_column"]


def test_wide_layout_reads_a_row_per_department_and_kind():
    rows = [
        ["令和4年度 枚数"],
        ["所属コード", "所属名", "区分", "2022年4月", "令和4年5月", date(2022, 6, 1), "合計"],
        ["110100", "堺区 市民課", "印刷", 100, 110, None, 210],
        ["110100", "堺区 市民課", "コピー", 50, 55, None, 105],
        ["110100", "堺区 市民課", "除外", 5, None, None, 5],
        ["110200", "企画総務課", "印刷枚数", 7, None],
        ["110200", "企画総務課", "コピー枚数", 8, None],
    ]
    parsed = parse(xlsx(rows))
    assert parsed.errors == [] and parsed.layout == "wide"
    found = {
        (r.code, r.month): (r.print_sheets, r.copy_sheets, r.excluded_sheets)
        for r in parsed.records
    }
    assert found == {
        ("110100", date(2022, 4, 1)): (100, 50, 5),
        ("110100", date(2022, 5, 1)): (110, 55, None),
        ("110200", date(2022, 4, 1)): (7, 8, None),
    }


def test_wide_months_without_year_take_the_fiscal_year_of_the_title():
    rows = [
        ["令和4年度 印刷・コピー枚数"],
        ["所属コード", "区分", "4月", "1月"],
        ["110100", "印刷", 1, 2],
        ["110100", "コピー", 3, 4],
    ]
    parsed = parse(xlsx(rows))
    assert sorted(r.month for r in parsed.records) == [date(2022, 4, 1), date(2023, 1, 1)]


def test_wide_errors_name_the_month_column_and_missing_kind():
    rows = [
        ["所属コード", "区分", "2022年4月", "2022年5月"],
        ["110100", "印刷", "x", 2],
        ["110100", "カラー", 1, 1],
    ]
    parsed = parse(xlsx(rows))
    assert [(e.code, e.row, e.column) for e in parsed.errors] == [
        ("not_a_number", 2, "C"),
        ("missing_count", 2, "D"),
        ("unknown_kind", 3, "B"),
    ]
    assert "2022年5月のコピー枚数が空です" in parsed.errors[1].message


def test_rows_left_out_for_a_bad_cell_keep_their_code_for_validation():
    long = parse(xlsx(long_rows(["2022-13", "999999", "", 1, 2], ["2022-12", "110100", "", 1, 2])))
    assert codes(long) == ["bad_month"] and long.other_codes == [("999999", 2, "B")]
    wide = parse(
        xlsx(
            [["所属コード", "区分", "2022年4月"], ["888888", "印刷", "x"], ["888888", "コピー", 1]]
        )
    )
    assert codes(wide) == ["not_a_number"] and wide.other_codes == [("888888", 2, "A")]
    isolated = parse_bytes(
        xlsx(long_rows(["2022-13", "999999", "", 1, 2])), filename="c.xlsx", limits=Limits()
    )
    assert isolated.other_codes == [("999999", 2, "B")]  # back from the reader process


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_csv_in_utf8_bom_and_shift_jis(encoding):
    data = csv_bytes(
        long_rows(["2022年12月", "110100", "堺区 市民課", "1,234", "５６"]), encoding=encoding
    )
    parsed = parse(data, "counts.csv")
    assert parsed.errors == [] and parsed.sheet is None
    record = parsed.records[0]
    assert (record.name, record.print_sheets, record.copy_sheets, record.row) == (
        "堺区 市民課",
        1234,
        56,
        2,
    )


def test_csv_row_is_the_line_number_even_after_a_multiline_cell():
    data = (
        "年月,所属コード,備考,印刷枚数,コピー枚数\r\n"
        '2022-12,110100,"2行の\r\nメモ",1,2\r\n'
        "2022-12,110200,,x,2\r\n"
    )
    parsed = parse(data.encode(), "counts.csv")
    assert [(e.code, e.row) for e in parsed.errors] == [("not_a_number", 4)]


def test_utf16_tab_separated_unicode_text_is_read():
    text = "年月\t所属コード\t印刷枚数\tコピー枚数\r\n2022-12\t110100\t1\t2\r\n"
    parsed = parse(codecs.BOM_UTF16_LE + text.encode("utf-16-le"), "counts.csv")
    assert parsed.errors == [] and parsed.records[0].copy_sheets == 2


def test_formula_cells_give_their_cached_value_and_macros_never_run():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(LONG)
    sheet.append(["2022-12", "110100", "", "=1+2", 5])
    buffer = io.BytesIO()
    workbook.save(buffer)
    # openpyxl stores no cached value: the cell reads as empty, so the count is missing.
    parsed = parse(buffer.getvalue(), "counts.xlsm")
    assert codes(parsed) == ["missing_count"]


def test_headers_offices_make_up_are_understood():
    rows = [
        [
            "対象年月",
            "課CD",
            "組織名",
            "プリンター印刷枚数（枚）",
            "モノクロコピー枚数",
            "機器番号",
            "担当者",
        ],
        ["2022-12", "110100", "堺区 市民課", 10, 20, "SN-1", "山田"],
    ]
    parsed = parse(xlsx(rows))
    assert parsed.errors == []
    assert (parsed.records[0].print_sheets, parsed.records[0].copy_sheets) == (10, 20)


def test_year_and_month_in_separate_columns():
    rows = [
        ["年", "月", "所属コード", "印刷", "コピー"],
        [2022, 12, "110100", 1, 2],
        ["2023年", "1月", "110100", 3, 4],
    ]
    parsed = parse(xlsx(rows))
    assert parsed.errors == []
    assert [r.month for r in parsed.records] == [DEC, date(2023, 1, 1)]


def test_fiscal_year_column_or_title_places_months_without_a_year():
    rows = [["年度", "月", "所属コード", "印刷", "コピー"], ["令和4年度", 1, "110100", 1, 2]]
    assert parse(xlsx(rows)).records[0].month == date(2023, 1, 1)
    rows = [["令和4年度 報告"], ["月", "所属コード", "印刷", "コピー"], ["4月", "110100", 1, 2]]
    assert parse(xlsx(rows)).records[0].month == date(2022, 4, 1)


def test_header_on_two_rows_is_read_as_one():
    rows = [
        ["年月", "所属コード", "所属名", "枚数", None],
        [None, None, None, "印刷", "コピー"],
        ["2022-12", "110100", "堺区 市民課", 7, 8],
    ]
    parsed = parse(xlsx(rows))
    assert parsed.errors == [] and parsed.records[0].row == 3
    assert (parsed.records[0].print_sheets, parsed.records[0].copy_sheets) == (7, 8)


def _bad_rows(count: int) -> bytes:
    # Every row: a code that does not exist and two counts that are not numbers.
    return csv_bytes(
        long_rows(*[["2022-12", f"9{i % 1_500:05d}", "", "x", "y"] for i in range(count)])
    )


def test_more_than_a_thousand_errors_come_back_bounded_from_the_reader_process():
    parsed = parse_bytes(_bad_rows(3_000), filename="bad.csv", limits=Limits())
    assert len(parsed.errors) == 1_000 and parsed.more_errors == {"not_a_number": 5_000}
    assert [e.row for e in parsed.errors[:4]] == [2, 2, 3, 3]
    # Left-out rows: the first thousand, then one per code not seen, the rest counted.
    assert len(parsed.other_codes) == 1_500
    assert sum(parsed.other_repeats.values()) == 1_500


def test_bounded_issues_report_the_same_totals_as_the_whole_lists():
    from paperless.importing.counts.parse import parse_counts
    from paperless.importing.counts.validate import Context, UnitInfo, validate, validate_file

    data = _bad_rows(2_400)
    whole = parse_counts(data, filename="bad.csv", limits=Limits())
    bounded = parse_bytes(data, filename="bad.csv", limits=Limits())
    context = Context(
        units={"900001": UnitInfo(1, "900001", "課", "department")},
        today=date(2023, 1, 15),
        base_fy=2020,
    )
    full = validate(whole.records, context, other_codes=whole.other_codes)
    part = validate_file(bounded, context)

    def totals(issues, more) -> dict[str, int]:
        found = dict(more)
        for issue in issues:
            found[issue.code] = found.get(issue.code, 0) + 1
        return found

    assert totals(whole.errors, {}) == totals(bounded.errors, bounded.more_errors)
    assert totals(full.errors, full.more_errors) == totals(part.errors, part.more_errors)
    # Every row but the two naming the one department has an unknown code.
    assert totals(part.errors, part.more_errors)["unknown_department"] == 2_400 - 2

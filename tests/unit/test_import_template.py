"""The downloadable template: pre-filled, protected header, validated counts, and it
reads back through the importer as written."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook

from paperless.importing.counts.parse import parse_bytes
from paperless.importing.counts.template import Department, template_bytes
from paperless.importing.files.limits import Limits

DEPARTMENTS = [Department("110100", "堺区 市民課"), Department("011000", "美原区 市民課")]
DEC = date(2022, 12, 1)


def load(data: bytes):
    return load_workbook(io.BytesIO(data))


def test_long_template_is_prefilled_protected_and_validated():
    workbook = load(template_bytes(DEPARTMENTS, DEC, layout="long"))
    assert workbook.sheetnames == ["枚数", "入力方法"]
    sheet = workbook["枚数"]
    assert "令和4年12月分" in sheet["A1"].value
    assert [c.value for c in sheet[3]] == [
        "年月",
        "所属コード",
        "所属名",
        "印刷枚数",
        "コピー枚数",
        "除外枚数",
        "備考",
    ]
    assert [
        (r[0].value, r[1].value, r[2].value) for r in sheet.iter_rows(min_row=4, max_row=5)
    ] == [
        ("2022年12月", "110100", "堺区 市民課"),
        ("2022年12月", "011000", "美原区 市民課"),
    ]
    assert sheet.protection.sheet is True and not sheet.protection.password
    assert sheet["A3"].protection.locked is True and sheet["D4"].protection.locked is False
    # The pre-filled month, code and name are locked; the input cells shaded and open.
    assert all(sheet.cell(row=4, column=c).protection.locked for c in (1, 2, 3))
    assert all(sheet.cell(row=5, column=c).protection.locked for c in (1, 2, 3))
    for column in range(4, 8):
        cell = sheet.cell(row=4, column=column)
        assert not cell.protection.locked and cell.fill.fgColor.rgb.endswith("FFF8D6")
    # Spare rows below stay open for additions, unshaded.
    assert not sheet["B6"].protection.locked and not sheet["B6"].fill.fgColor.rgb.endswith("FFF8D6")
    (rule,) = sheet.data_validations.dataValidation
    assert (rule.type, rule.operator, rule.formula1) == ("whole", "greaterThanOrEqual", "0")
    assert "D4" in str(rule.sqref)
    assert "印刷枚数" in workbook["入力方法"]["B2"].value


def test_filled_long_template_reads_back_and_blank_rows_are_skipped():
    workbook = load(template_bytes(DEPARTMENTS, DEC, layout="long"))
    sheet = workbook["枚数"]
    sheet["D4"], sheet["E4"] = 4210, 1980
    buffer = io.BytesIO()
    workbook.save(buffer)
    parsed = parse_bytes(buffer.getvalue(), filename="t.xlsx", limits=Limits(), isolate=False)
    assert parsed.errors == []
    (record,) = parsed.records
    assert (record.code, record.month, record.print_sheets, record.copy_sheets, record.row) == (
        "110100",
        DEC,
        4210,
        1980,
        4,
    )
    assert [w.code for w in parsed.warnings] == ["blank_rows_skipped"]


def test_wide_template_has_three_rows_per_department_and_the_fiscal_year_across():
    workbook = load(template_bytes(DEPARTMENTS, DEC, layout="wide"))
    sheet = workbook["年間枚数"]
    header = [c.value for c in sheet[3]]
    assert header[:3] == ["所属コード", "所属名", "区分"]
    assert header[3] == "2022年4月" and header[-1] == "2023年3月" and len(header) == 15
    assert [r[2].value for r in sheet.iter_rows(min_row=4, max_row=6)] == [
        "印刷枚数",
        "コピー枚数",
        "除外枚数",
    ]
    assert sheet["A4"].protection.locked and sheet["C6"].protection.locked
    assert not sheet["D4"].protection.locked and sheet["O6"].fill.fgColor.rgb.endswith("FFF8D6")
    sheet["D4"], sheet["D5"], sheet["D6"] = 10, 20, 5
    buffer = io.BytesIO()
    workbook.save(buffer)
    parsed = parse_bytes(buffer.getvalue(), filename="t.xlsx", limits=Limits(), isolate=False)
    assert parsed.errors == [] and parsed.layout == "wide"
    (record,) = parsed.records
    assert (record.month, record.print_sheets, record.copy_sheets, record.excluded_sheets) == (
        date(2022, 4, 1),
        10,
        20,
        5,
    )

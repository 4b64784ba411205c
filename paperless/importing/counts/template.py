"""The count template workbook a department head downloads, fills in and uploads.

Made with openpyxl: a data sheet protected without a password, whose header and
pre-filled cells (month, code, name, 区分) are locked and whose input cells are shaded
and unlocked (rows can be filled, sorted and added below, the pre-filled cells not
changed by mistake), whole-number validation on the count cells, rows pre-filled with
the codes and names of the user's departments and the month being reported, and an
instructions sheet in Japanese. The long variant has a row per department; the wide
one a row per department and 区分 with the twelve months of the fiscal year across.
Pure: plain data in, bytes out.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from paperless.core.fiscal import (
    fiscal_months,
    fiscal_year,
    fy_era_label,
    month_era_label,
    month_label,
)

LONG_HEADERS = ("年月", "所属コード", "所属名", "印刷枚数", "コピー枚数", "除外枚数", "備考")
WIDE_KINDS = ("印刷枚数", "コピー枚数", "除外枚数")
SPARE_ROWS = 200  # unlocked empty rows below the departments, for additions
_HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")
# Input cells: a light yellow, the usual "type here" of Japanese office forms.
INPUT_FILL = PatternFill("solid", fgColor="FFF8D6")
_BOLD = Font(bold=True)
_UNLOCKED = Protection(locked=False)
_LOCKED = Protection(locked=True)
# Cells are text: codes keep leading zeros, formulas typed by hand are not evaluated.
_TEXT = "@"


@dataclass(frozen=True)
class Department:
    code: str
    name: str


def _count_validation(sheet: Worksheet, cells: str) -> None:
    rule = DataValidation(
        type="whole",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="枚数",
        error="0以上の整数（枚数）を入力してください。",
        showInputMessage=True,
        promptTitle="枚数",
        prompt="0以上の整数で入力してください。",
    )
    rule.add(cells)
    sheet.add_data_validation(rule)


def _protect(sheet: Worksheet) -> None:
    # Locked cells (the header) cannot change; filtering, sorting and formatting can.
    sheet.protection.sheet = True
    sheet.protection.autoFilter = False
    sheet.protection.sort = False
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    sheet.protection.insertRows = False
    sheet.protection.deleteRows = False


def _header(sheet: Worksheet, row: int, headers: Sequence[str]) -> None:
    for index, text in enumerate(headers, start=1):
        cell = sheet.cell(row=row, column=index, value=text)
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
    sheet.freeze_panes = sheet.cell(row=row + 1, column=1)


def _unlock(sheet: Worksheet, first_row: int, last_row: int, columns: int) -> None:
    for row in sheet.iter_rows(min_row=first_row, max_row=last_row, max_col=columns):
        for cell in row:
            cell.protection = _UNLOCKED


def _prefilled(sheet: Worksheet, first_row: int, last_row: int, inputs_from: int, columns: int):
    """Lock the pre-filled cells left of ``inputs_from`` and shade the input cells."""
    for row in sheet.iter_rows(min_row=first_row, max_row=last_row, max_col=columns):
        for cell in row:
            if cell.column < inputs_from:
                cell.protection = _LOCKED
            else:
                cell.fill = INPUT_FILL


def long_template(departments: Sequence[Department], month: date) -> Workbook:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "枚数"
    sheet["A1"] = f"{month_era_label(month)}分（{month_label(month)}） 印刷・コピー枚数報告"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = "印刷枚数・コピー枚数を入力し、このファイルのままアップロードしてください。"
    header_row = 3
    _header(sheet, header_row, LONG_HEADERS)
    first = header_row + 1
    for offset, department in enumerate(departments):
        row = first + offset
        sheet.cell(row=row, column=1, value=month_label(month))
        sheet.cell(row=row, column=2, value=department.code).number_format = _TEXT
        sheet.cell(row=row, column=3, value=department.name)
    last = first + len(departments) + SPARE_ROWS - 1
    _unlock(sheet, first, last, len(LONG_HEADERS))
    _prefilled(sheet, first, first + len(departments) - 1, 4, len(LONG_HEADERS))
    for (cell,) in sheet.iter_rows(min_row=first, max_row=last, min_col=2, max_col=2):
        cell.number_format = _TEXT
    _count_validation(sheet, f"D{first}:F{last}")
    for letter, width in zip("ABCDEFG", (12, 12, 28, 12, 12, 12, 30), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.auto_filter.ref = f"A{header_row}:G{last}"
    _protect(sheet)
    _instructions(workbook, wide=False)
    return workbook


def wide_template(departments: Sequence[Department], month: date) -> Workbook:
    fy = fiscal_year(month)
    months = fiscal_months(fy)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "年間枚数"
    sheet["A1"] = f"{fy_era_label(fy)}（{fy}年度） 印刷・コピー枚数（月別）"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = (
        "所属ごとに「印刷枚数」「コピー枚数」「除外枚数」の行へ、月ごとの枚数を入力してください。"
    )
    header_row = 3
    headers = ["所属コード", "所属名", "区分", *(month_label(m) for m in months)]
    _header(sheet, header_row, headers)
    row = header_row + 1
    for department in departments:
        for kind in WIDE_KINDS:
            sheet.cell(row=row, column=1, value=department.code).number_format = _TEXT
            sheet.cell(row=row, column=2, value=department.name)
            sheet.cell(row=row, column=3, value=kind)
            row += 1
    last = row - 1 + SPARE_ROWS
    _unlock(sheet, header_row + 1, last, len(headers))
    _prefilled(sheet, header_row + 1, row - 1, 4, len(headers))
    last_letter = get_column_letter(len(headers))
    _count_validation(sheet, f"D{header_row + 1}:{last_letter}{last}")
    sheet.column_dimensions["A"].width = 12
    sheet.column_dimensions["B"].width = 28
    sheet.column_dimensions["C"].width = 12
    for index in range(4, len(headers) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 11
    _protect(sheet)
    _instructions(workbook, wide=True)
    return workbook


_INSTRUCTIONS = (
    ("入力方法", ""),
    ("1", "「枚数」のシートの印刷枚数・コピー枚数を入力します（0枚の月は 0）。"),
    ("2", "除外枚数は、法令や外部の求めで紙が必要な枚数です（印刷＋コピーの内数・任意）。"),
    ("3", "枚数は整数で入力します。「12,345」「１２３４５」のような書き方でも読み取ります。"),
    ("4", "年月は「2022年4月」「令和4年4月」「2022-04」のどれでも読み取ります。"),
    ("5", "黄色のセルに入力します。年月・所属コード・所属名は変えられないようにしてあります。"),
    ("", "入力しない所属の行は空欄のままでかまいません（取り込みません）。"),
    ("6", "合計の行は入れなくてかまいません（入れても取り込みません）。"),
    ("7", "保存したファイルを「アップロード」の画面から送り、確認画面で内容を確かめて確定します。"),
    ("", ""),
    ("受け付ける形式", "Excel（.xlsx・.xlsm・.xls）、CSV（UTF-8・Shift_JIS）。"),
    ("問い合わせ", "ICTイノベーション推進室"),
)


def _instructions(workbook: Workbook, *, wide: bool) -> None:
    sheet = workbook.create_sheet("入力方法")
    for number, text in _INSTRUCTIONS:
        if wide and number == "1":
            text = (
                "「年間枚数」のシートの各所属の3行（印刷・コピー・除外）に、"
                "月ごとの枚数を入力します。"
            )
        sheet.append([number, text])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 90
    sheet.protection.sheet = True


def template_bytes(departments: Sequence[Department], month: date, *, layout: str) -> bytes:
    build = wide_template if layout == "wide" else long_template
    buffer = io.BytesIO()
    build(departments, month).save(buffer)
    return buffer.getvalue()

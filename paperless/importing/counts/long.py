"""The long layout: a row per department and month.

Every row after the header is read; blank rows and template rows without counts are
skipped, totals rows skipped with a warning, and every bad cell reported. This loop
runs for each of 100,000s of rows, so it binds its helpers once and checks the common
case first.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from paperless.importing.cells import column_letter, normalize_text
from paperless.importing.counts.headers import LABELS
from paperless.importing.counts.layout import Table
from paperless.importing.counts.records import (
    NONE,
    Builder,
    Record,
    count_message,
    excluded_ok,
    total_text,
)
from paperless.importing.counts.values import (
    fiscal_year_number,
    is_blank,
    month_number,
    parse_code,
    parse_count,
    parse_month_value,
    year_number,
)
from paperless.importing.issues import raw_text


def read_long(table: Table, builder: Builder) -> None:
    cols = table.columns
    letters = {name: column_letter(index) for name, index in cols.items()}
    code_i, name_i, note_i = cols["code"], cols.get("name"), cols.get("note")
    month_i = cols.get("month")
    print_i, copy_i, excluded_i = cols["print"], cols["copy"], cols.get("excluded")
    mapped = sorted(cols.values())
    width = mapped[-1] + 1
    pad = (None,) * width
    fixed_month = table.title_month if month_i is None else None
    resolve = _month_resolver(table)
    make, found = Record._make, builder.found
    # Bound once: this loop runs for every row of files with 100,000s of rows.
    blank, count, code_of, month_of = is_blank, parse_count, parse_code, parse_month_value
    for number, cells in table.sheet.rows[table.header_index + 1 :]:
        if len(cells) < width:
            cells = (*cells, *pad[len(cells) :])
        code_raw = cells[code_i]
        if (code_raw is None or code_raw == "") and all(blank(cells[i]) for i in mapped):
            continue  # a note outside the table, or an empty template line
        name_raw = cells[name_i] if name_i is not None else None
        if (
            (type(code_raw) is str and total_text(code_raw))
            or (type(name_raw) is str and total_text(name_raw))
            or (type(cells[0]) is str and total_text(cells[0]))
        ):
            builder.total_row(number)
            continue
        print_sheets, print_problem = count(cells[print_i])
        copy_sheets, copy_problem = count(cells[copy_i])
        excluded, excluded_problem = count(cells[excluded_i]) if excluded_i is not None else NONE
        problem = print_problem or copy_problem or excluded_problem
        if print_sheets is None and copy_sheets is None and excluded is None and not problem:
            builder.blank_rows += 1
            continue
        code = code_of(code_raw)
        month = fixed_month or month_of(cells[month_i])
        if month is None and resolve is not None:
            month = resolve(cells)
        if code is None or month is None or print_sheets is None or copy_sheets is None or problem:
            _long_errors(builder, number, letters, cells, cols, code, month)
            continue
        if name_i is None:
            name = None
        else:
            name = name_raw.strip() if type(name_raw) is str else normalize_text(name_raw)
        note = ""
        if note_i is not None and cells[note_i] is not None and cells[note_i] != "":
            note = normalize_text(cells[note_i])[:200]
        record = make(
            (code, month, print_sheets, copy_sheets, excluded, note, name, number, letters)
        )
        if excluded is not None and not excluded_ok(record, builder, letters.get("excluded")):
            continue
        first = found.setdefault((code, month), record)
        if first is not record:
            builder.add(record)


def _month_resolver(table: Table):
    """Months written without their year ("4月", 4) with a 年 or 年度 column, or a
    年度 in the title: a function from a row's cells to the month, or None."""
    cols = table.columns
    month_i, year_i, fy_i = cols.get("month"), cols.get("year"), cols.get("fiscal_year")
    if month_i is None or (year_i is None and fy_i is None and table.title_fy is None):
        return None

    def resolve(cells: Sequence[object]) -> date | None:
        number = month_number(cells[month_i])
        if number is None:
            return None
        if year_i is not None:
            year = year_number(cells[year_i])
            return date(year, number, 1) if year else None
        fy = fiscal_year_number(cells[fy_i]) if fy_i is not None else table.title_fy
        return date(fy + (number < 4), number, 1) if fy else None

    return resolve


def _long_errors(
    builder: Builder,
    number: int,
    letters: dict[str, str],
    cells: tuple[object, ...],
    cols: dict[str, int],
    code: str | None,
    month: date | None,
) -> None:
    """Every error of one bad row of the long layout."""
    if code is None:
        builder.error("unknown_department", "所属コードが空です。", number, letters["code"])
    else:
        builder.left_out(code, number, letters["code"])
    if month is None and "year" in cols and not year_number(cells[cols["year"]]):
        raw = cells[cols["year"]]
        message = f"年「{raw_text(raw)}」を読めません。「2022」のように西暦で入力してください。"
        builder.error("bad_month", message, number, letters["year"], raw)
    elif month is None:
        raw = cells[cols["month"]]
        builder.error("bad_month", _month_message(raw), number, letters["month"], raw)
    for name in ("print", "copy", "excluded"):
        if name not in cols:
            continue
        raw = cells[cols[name]]
        value, problem = parse_count(raw)
        if problem is None and value is None and name != "excluded":
            problem = "missing_count"
        if problem:
            message = count_message(problem, LABELS[name], raw_text(raw))
            builder.error(problem, message, number, letters[name], raw)


def _month_message(raw: object) -> str:
    if is_blank(raw):
        return "年月が空です。「2022年4月」「令和4年4月」「2022-04」のように入力してください。"
    return (
        f"年月「{raw_text(raw)}」を読めません。「2022年4月」「令和4年4月」「2022-04」の"
        "ように、年と月を入力してください。"
    )

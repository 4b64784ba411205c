"""The wide layout: a row per department and 区分 (印刷 / コピー / 除外), a column per month.

A department's rows are combined per month: 印刷 and コピー are both needed (0 when
none), 除外 is optional. Empty month cells (months not yet reported) are skipped.
"""

from __future__ import annotations

from datetime import date

from paperless.core.fiscal import month_label
from paperless.importing.cells import column_letter, normalize_key, normalize_text
from paperless.importing.counts.layout import Table
from paperless.importing.counts.records import (
    KIND_BY_KEY,
    KIND_LABELS,
    Builder,
    Record,
    count_message,
    excluded_ok,
    is_total,
)
from paperless.importing.counts.values import is_blank, parse_code, parse_count
from paperless.importing.issues import raw_text


def read_wide(table: Table, builder: Builder) -> None:
    cols = table.columns
    letters = {name: column_letter(index) for name, index in cols.items()}
    code_i, kind_i, name_i = cols["code"], cols["kind"], cols.get("name")
    months = sorted(table.month_columns.items())
    month_letters = {index: column_letter(index) for index, _m in months}
    # (code, month) → kind → (value, row, column letter)
    parts: dict[tuple[str, date], dict[str, tuple[int, int, str]]] = {}
    names: dict[str, str] = {}
    bad: set[tuple[str, date]] = set()
    for number, cells in table.sheet.rows[table.header_index + 1 :]:
        width = len(cells)
        code_raw = cells[code_i] if code_i < width else None
        kind_raw = cells[kind_i] if kind_i < width else None
        name_raw = cells[name_i] if name_i is not None and name_i < width else None
        values = [(i, m, cells[i]) for i, m in months if i < width and not is_blank(cells[i])]
        if is_blank(code_raw) and is_blank(kind_raw) and not values:
            continue
        if is_total(code_raw, name_raw, kind_raw, cells[0]):
            builder.total_row(number)
            continue
        kind = KIND_BY_KEY.get(normalize_key(kind_raw))
        if kind is None:
            if values:
                builder.error(
                    "unknown_kind",
                    f"区分「{raw_text(kind_raw)}」を読めません。「印刷」「コピー」「除外」の"
                    "いずれかを入力してください。",
                    number,
                    letters["kind"],
                    kind_raw,
                )
            continue
        if not values:
            builder.blank_rows += 1
            continue
        code = parse_code(code_raw)
        if code is None:
            builder.error("unknown_department", "所属コードが空です。", number, letters["code"])
            continue
        if name_i is not None:
            names.setdefault(code, normalize_text(name_raw))
        for index, month, raw in values:
            key = (code, month)
            value, problem = parse_count(raw)
            label = f"{month_label(month)}の{KIND_LABELS[kind]}"
            if problem:
                bad.add(key)
                builder.left_out(code, number, letters["code"])
                builder.error(
                    problem,
                    count_message(problem, label, raw_text(raw)),
                    number,
                    month_letters[index],
                    raw,
                )
                continue
            seen = parts.setdefault(key, {})
            if kind in seen and seen[kind][0] != value:
                bad.add(key)
                builder.error(
                    "duplicate_conflict",
                    f"所属コード「{code}」の{label}が{seen[kind][1]}行目にもあり、値が違います"
                    f"（{seen[kind][0]:,} と {value:,}）。どちらか一方を消してください。",
                    number,
                    month_letters[index],
                    raw,
                )
                continue
            seen.setdefault(kind, (value, number, month_letters[index]))
    for key, found in parts.items():
        if key not in bad:
            _wide_record(key, found, names, letters, builder)


def _wide_record(key, found, names, letters, builder: Builder) -> None:
    code, month = key
    for needed in ("print", "copy"):
        if needed not in found:
            other = found.get("copy" if needed == "print" else "print") or found["excluded"]
            label = f"{month_label(month)}の{KIND_LABELS[needed]}"
            builder.error(
                "missing_count",
                f"所属コード「{code}」の{count_message('missing_count', label, '')}"
                f"（「{KIND_LABELS[needed].removesuffix('枚数')}」の行がないか、空欄です）",
                other[1],
                other[2],
            )
            return
    first = found["print"]
    excluded = found.get("excluded")
    record = Record(
        code,
        month,
        first[0],
        found["copy"][0],
        excluded[0] if excluded else None,
        "",
        names.get(code),
        first[1],
        letters | {"month": first[2]},
    )
    if excluded is None or excluded_ok(record, builder, excluded[2], excluded[1]):
        builder.add(record)

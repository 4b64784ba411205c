"""The device register's rules (機器台帳, DESIGN.md §2, Meter readings): which rows may
stand together. An end before the start, overlapping periods of one counter, and a
whole-device row overlapping a department-ID row of the same device are refused, for
the register import and the admin alike. Pure: no Django.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from paperless.core.meters import Assignment, day_text


def register_problems(assignments: Iterable[Assignment]) -> list[tuple[Assignment, str]]:
    """Rows of the register that break its rules, each with a Japanese message: an end
    before the start, overlapping periods of one counter, and a whole-device row
    overlapping a department-ID row of the same device."""
    problems = []
    by_device: dict[str, list[Assignment]] = defaultdict(list)
    for row in assignments:
        if row.end is not None and row.end < row.start:
            problems.append((row, "利用終了日が利用開始日より前です。"))
            continue
        by_device[row.serial].append(row)
    for rows in by_device.values():
        rows.sort(key=lambda r: (r.start, r.department_id))
        for i, row in enumerate(rows):
            for earlier in rows[:i]:
                if not _overlap(earlier, row):
                    continue
                if earlier.department_id == row.department_id:
                    what = "同じカウンターの利用期間"
                elif "" in (earlier.department_id, row.department_id):
                    what = "機器全体の割り当てと部門IDの割り当て"
                else:
                    continue
                problems.append((row, f"{what}が重なっています（{_period(earlier)}）。"))
    return problems


def register_problems_for(
    rows: Sequence[Assignment], registered: Iterable[Assignment]
) -> list[tuple[Assignment, str]]:
    """The register's problems that concern ``rows`` (a file's rows, or the row edited in
    the admin) checked against the ``registered`` ones, each named on one of ``rows``:
    ``register_problems`` names the later row of a pair, which may be a registered one."""
    mine = {id(row) for row in rows}
    found: list[tuple[Assignment, str]] = []
    for row, message in register_problems([*registered, *rows]):
        if id(row) in mine:
            found.append((row, message))
            continue
        for own in rows:
            if what := _clash(own, row):
                found.append((own, f"{what}が重なっています（{_period(row)}）。"))
    return list(dict.fromkeys(found))  # a pair is named once, whichever row starts first


def _clash(a: Assignment, b: Assignment) -> str | None:
    """What two rows of one device share in time, as a message names it, or None."""
    if a.serial != b.serial or not _overlap(a, b):
        return None
    if a.department_id == b.department_id:
        return "同じカウンターの利用期間"
    if "" in (a.department_id, b.department_id):
        return "機器全体の割り当てと部門IDの割り当て"
    return None


def _overlap(a: Assignment, b: Assignment) -> bool:
    return (a.end is None or b.start <= a.end) and (b.end is None or a.start <= b.end)


def _period(row: Assignment) -> str:
    counter = f"部門ID「{row.department_id}」" if row.department_id else "機器全体"
    end = day_text(row.end) if row.end else ""
    return f"{counter} {day_text(row.start)}〜{end}"

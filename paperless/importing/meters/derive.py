"""From the core's monthly usage to what the counts pipeline takes: records and issues.

A reading file touches some department-months (``MeterMonths.touched``); each becomes
one ``Record`` with the department's print and copy sheets of that month from all its
counters, and the excluded sheets and note the department has on record, so that a
derived count never blanks what a department entered. The core's problems become the
pipeline's issues with the file's sheet and row. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from paperless.core.fiscal import month_label
from paperless.core.meters import BACKWARDS, MeterMonths, Problem, Reading
from paperless.importing.counts.records import Record
from paperless.importing.issues import Issue

Kept = tuple[int | None, str]  # excluded sheets and note on record


@dataclass
class Derived:
    records: list[Record] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)


def new_readings(readings: Iterable[Reading], stored: Iterable[Reading]) -> list[Reading]:
    """The file's readings not on record yet, once each (a counter is read once a day)."""
    seen = {(*r.counter, r.read_on) for r in stored}
    found = []
    for reading in readings:
        key = (*reading.counter, reading.read_on)
        if key not in seen:
            seen.add(key)
            found.append(reading)
    return found


def derive(
    months: MeterMonths, kept: Mapping[tuple[str, date], Kept], readings: list[Reading]
) -> Derived:
    """The records of the touched department-months and the issues of the file."""
    result = Derived()
    for problem in months.problems:
        issue = _issue(problem, readings)
        if issue is not None:
            (result.warnings if problem.warning else result.errors).append(issue)
    for code, month in sorted(months.touched, key=lambda key: (key[1], key[0])):
        printed, copied = months.departments[(code, month)]
        source = months.sources[(code, month)]
        excluded, note = kept.get((code, month), (None, ""))
        if excluded is not None and excluded > printed + copied:
            result.errors.append(
                Issue(
                    "excluded_exceeds_total",
                    f"所属コード「{code}」の{month_label(month)}に登録済みの除外枚数 "
                    f"{excluded:,} が、検針値から求めた印刷＋コピーの合計 {printed + copied:,} を"
                    "超えています。"
                    "除外枚数か検針値を確かめてください。",
                    source.sheet,
                    source.row,
                )
            )
            continue
        record = Record(code, month, printed, copied, excluded, note, None, source.row or 0, {})
        result.records.append(record)
    return result


def _issue(problem: Problem, readings: list[Reading]) -> Issue | None:
    """The problem where the file can fix it; None for a warning about readings on
    record (it was shown when they were imported)."""
    reading = problem.reading
    if not reading.stored:
        return Issue(problem.code, problem.message, reading.sheet, reading.row)
    if problem.code != BACKWARDS:
        return None
    # A reading of the file is higher than the next one on record: name the file's row.
    before = [
        r
        for r in readings
        if r.counter == reading.counter and r.read_on < reading.read_on and not r.stored
    ]
    if not before:  # readings on record that disagree: nothing in the file to point at
        return Issue(problem.code, problem.message)
    culprit = max(before, key=lambda r: r.read_on)
    return Issue(
        problem.code,
        f"検針日 {_day(culprit.read_on)} の検針値が、登録済みの次の検針値"
        f"（{_day(reading.read_on)}：印刷 {reading.print_counter:,}・"
        f"コピー {reading.copy_counter:,}）より大きくなっています。"
        "検針日と検針値を確かめてください。",
        culprit.sheet,
        culprit.row,
    )


def _day(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"

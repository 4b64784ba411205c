"""Meter readings of the multifunction devices into monthly sheet counts (DESIGN.md §2,
Meter readings).

The lessor reads every device's cumulative counters once a month (検針). A *counter* is a
device serial with an optional department ID (部門管理: one counter per department ID on
a shared device). For each counter, the usage between two consecutive readings belongs to
the month the later reading *closes*: a reading on day ``close_day`` (11) or later closes
its own month, one on days 1 to ``close_day - 1`` the month before. When the interval
spans several closed months (a month was not read), its usage is split over them in
proportion to their days, with a warning. A counter's first reading is its starting
point. The usage goes to the department the register assigns to the counter on the later
reading's date; a department's month is the sum of its counters.

Pure: readings and assignments in, monthly usage and problems out. Sheet counts stay
integers and no sheet is lost or created: the months of a counter always sum to its last
reading minus its first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from paperless.core.fiscal import add_months, month_start

CLOSE_DAY = 11

BACKWARDS = "counter_went_backwards"
UNASSIGNED = "counter_unassigned"
CONFLICTING = "conflicting_readings"
FUTURE = "reading_in_future"
SPREAD = "usage_spread_over_months"
IMPLAUSIBLE = "usage_implausible"


@dataclass(frozen=True)
class Reading:
    """One reading of one counter; ``sheet`` and ``row`` say where it came from (None: on
    record). ``department_id`` is "" for a device read as a whole."""

    serial: str
    department_id: str
    read_on: date
    print_counter: int
    copy_counter: int
    sheet: str | None = None
    row: int | None = None

    @property
    def counter(self) -> tuple[str, str]:
        return (self.serial, self.department_id)

    @property
    def stored(self) -> bool:
        return self.row is None


@dataclass(frozen=True)
class Assignment:
    """The register: ``serial`` (and ``department_id``, "" for the whole device) feeds
    ``department`` from ``start`` to ``end`` (inclusive; None: still in use)."""

    serial: str
    department_id: str
    department: str
    start: date
    end: date | None = None

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class Problem:
    """An error (nothing may be written) or a warning about one reading."""

    code: str
    reading: Reading
    message: str
    warning: bool = False


@dataclass
class MeterMonths:
    """What the readings say: sheets per (department, month) and per (counter, month)."""

    departments: dict[tuple[str, date], tuple[int, int]] = field(default_factory=dict)
    counters: dict[tuple[str, str, date], tuple[int, int]] = field(default_factory=dict)
    # Department-months that an interval ending at a new (not stored) reading touches,
    # and the first such reading of each, so that a derived count can name its row.
    touched: set[tuple[str, date]] = field(default_factory=set)
    sources: dict[tuple[str, date], Reading] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if not p.warning]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.warning]


def closing_month(day: date, close_day: int = CLOSE_DAY) -> date:
    """The month a reading taken on ``day`` closes (DESIGN.md §2, Meter readings)."""
    month = month_start(day)
    return month if day.day >= close_day else add_months(month, -1)


def split_by_days(sheets: int, months: list[date]) -> list[int]:
    """``sheets`` over ``months`` in proportion to their days, as integers that sum to
    ``sheets`` exactly (largest remainder; ties to the earlier month)."""
    days = [_days_in_month(m) for m in months]
    total = sum(days)
    shares = [sheets * d // total for d in days]
    remainders = sorted(range(len(months)), key=lambda i: (-(sheets * days[i] % total), i))
    for i in remainders[: sheets - sum(shares)]:
        shares[i] += 1
    return shares


def assigned_department(
    register: dict[str, list[Assignment]], serial: str, department_id: str, day: date
) -> str | None:
    """The department a counter feeds on ``day``: a row for its department ID first, else a
    whole-device row; None when the register has neither."""
    rows = register.get(serial, [])
    for wanted in (department_id, ""):
        for row in rows:
            if row.department_id == wanted and row.covers(day):
                return row.department
    return None


def monthly_usage(
    readings: Iterable[Reading],
    assignments: Iterable[Assignment],
    *,
    today: date,
    close_day: int = CLOSE_DAY,
    monthly_limit: int | None = None,
) -> MeterMonths:
    """Monthly print and copy sheets per department and per counter from cumulative
    readings (DESIGN.md §2, Meter readings): stored readings and a new file's together,
    so that the new file continues from the last reading on record."""
    register: dict[str, list[Assignment]] = defaultdict(list)
    for row in assignments:
        register[row.serial].append(row)
    result = MeterMonths()
    for counter_readings in _by_counter(readings, today, result.problems).values():
        _counter_months(counter_readings, register, close_day, monthly_limit, result)
    return result


def _by_counter(
    readings: Iterable[Reading], today: date, problems: list[Problem]
) -> dict[tuple[str, str], list[Reading]]:
    """Readings per counter, one per day, in date order; future and conflicting ones out."""
    per_day: dict[tuple[str, str, date], Reading] = {}
    for reading in readings:
        if reading.read_on > today:
            problems.append(Problem(FUTURE, reading, _future_message(reading)))
            continue
        earlier = per_day.setdefault((*reading.counter, reading.read_on), reading)
        if earlier is not reading and not _same(earlier, reading):
            problems.append(Problem(CONFLICTING, reading, _conflict_message(earlier)))
    counters: dict[tuple[str, str], list[Reading]] = defaultdict(list)
    for key in sorted(per_day):
        counters[key[:2]].append(per_day[key])
    return counters


def _counter_months(
    readings: list[Reading],
    register: dict[str, list[Assignment]],
    close_day: int,
    monthly_limit: int | None,
    result: MeterMonths,
) -> None:
    for reading in readings:
        if reading.stored:  # checked when it was imported
            continue
        if assigned_department(register, *reading.counter, reading.read_on) is None:
            result.problems.append(Problem(UNASSIGNED, reading, _unassigned_message(reading)))
    for earlier, later in zip(readings, readings[1:], strict=False):
        printed = later.print_counter - earlier.print_counter
        copied = later.copy_counter - earlier.copy_counter
        if printed < 0 or copied < 0:
            result.problems.append(Problem(BACKWARDS, later, _backwards_message(earlier)))
            continue
        department = assigned_department(register, *later.counter, later.read_on)
        if department is None:
            continue
        closed = closing_month(later.read_on, close_day)
        first_open = add_months(closing_month(earlier.read_on, close_day), 1)
        months = _months_from(first_open, closed) or [closed]
        if len(months) > 1:
            result.problems.append(Problem(SPREAD, later, _spread_message(months), True))
        for month, p, c in zip(
            months, split_by_days(printed, months), split_by_days(copied, months), strict=True
        ):
            _add(result.counters, (*later.counter, month), p, c)
            _add(result.departments, (department, month), p, c)
            if not later.stored:
                result.touched.add((department, month))
                result.sources.setdefault((department, month), later)
            if monthly_limit is not None and p + c > monthly_limit:
                message = _implausible_message(month, p + c, monthly_limit)
                result.problems.append(Problem(IMPLAUSIBLE, later, message, True))


def _add(table: dict, key: tuple, printed: int, copied: int) -> None:
    old_print, old_copy = table.get(key, (0, 0))
    table[key] = (old_print + printed, old_copy + copied)


def _months_from(first: date, last: date) -> list[date]:
    months = []
    while first <= last:
        months.append(first)
        first = add_months(first, 1)
    return months


def _same(a: Reading, b: Reading) -> bool:
    return (a.print_counter, a.copy_counter) == (b.print_counter, b.copy_counter)


def _days_in_month(month: date) -> int:
    return (add_months(month, 1) - month).days


def _counter_label(reading: Reading) -> str:
    if reading.department_id:
        return f"機器番号「{reading.serial}」部門ID「{reading.department_id}」"
    return f"機器番号「{reading.serial}」"


def day_text(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _month(month: date) -> str:
    return f"{month.year}年{month.month}月"


def _backwards_message(earlier: Reading) -> str:
    return (
        f"{_counter_label(earlier)}のカウンターが前回の検針値より小さくなっています"
        f"（前回 {day_text(earlier.read_on)}：印刷 {earlier.print_counter:,}・"
        f"コピー {earlier.copy_counter:,}）。"
        "機器を交換した場合は機器台帳に新しい機器番号を登録してください。"
    )


def _unassigned_message(reading: Reading) -> str:
    return (
        f"{_counter_label(reading)}は、検針日 {day_text(reading.read_on)} 時点で機器台帳に"
        "登録されていません。機器台帳（import_devices）に所属と利用期間を登録してください。"
    )


def _conflict_message(earlier: Reading) -> str:
    return (
        f"{_counter_label(earlier)}の{day_text(earlier.read_on)}の検針値が二つあり、値が異なります"
        f"（もう一方：印刷 {earlier.print_counter:,}・コピー {earlier.copy_counter:,}）。"
        "正しい方だけを残してください。"
    )


def _future_message(reading: Reading) -> str:
    return f"検針日 {day_text(reading.read_on)} は未来の日付です。検針日を確認してください。"


def _spread_message(months: list[date]) -> str:
    return (
        f"前回の検針から{len(months)}か月分（{_month(months[0])}〜{_month(months[-1])}）の"
        "使用量を、各月の日数で按分しました。"
    )


def _implausible_message(month: date, sheets: int, limit: int) -> str:
    return (
        f"{_month(month)}の使用量 {sheets:,}枚が、1か月の上限の目安（{limit:,}枚）を"
        "超えています。検針値を確認してください。"
    )

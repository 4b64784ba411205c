"""The administrators' devices page: every counter, where it goes, what it read.

One row per counter (device serial and department ID) of the register or of the
readings: the department it feeds today, its model and place, its last reading, and
its usage in each of the last 12 complete months as the core's month-closing rule gives
it (``core.meters.monthly_usage`` on the readings on record). A counter still assigned
at the end of the latest complete month without a reading that closes that month has
stopped reporting and is flagged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from paperless.core.fiscal import add_months, latest_complete_month, months_between
from paperless.core.meters import (
    Assignment,
    Reading,
    assigned_department,
    closing_month,
    monthly_usage,
)
from paperless.reads.devices import RegisterRow, department_names, readings_since, register_rows

MONTHS_SHOWN = 12


@dataclass(frozen=True)
class CounterRow:
    serial: str
    account: str
    department_code: str | None
    department_name: str
    model_name: str
    location: str
    last: Reading | None
    usage: list[int | None]  # print + copy per month shown; None: no reading closed it
    stopped: bool


@dataclass(frozen=True)
class DevicePage:
    months: list[date]
    latest: date
    rows: list[CounterRow]

    @property
    def stopped(self) -> list[CounterRow]:
        return [row for row in self.rows if row.stopped]


def device_page(*, today: date, close_day: int) -> DevicePage:
    """Every counter with its last 12 months (three queries)."""
    latest = latest_complete_month(today)
    months = months_between(add_months(latest, 1 - MONTHS_SHOWN), latest)
    register = register_rows()
    readings = readings_since(months[0])
    names = department_names()
    assignments = [row.assignment() for row in register]
    usage = monthly_usage(readings, assignments, today=today, close_day=close_day).counters
    by_serial: dict[str, list[Assignment]] = {}
    for assignment in assignments:
        by_serial.setdefault(assignment.serial, []).append(assignment)
    newest: dict[tuple[str, str], RegisterRow] = {}
    for entry in register:  # in start order: the newest row of each counter stays
        newest[(entry.serial, entry.account)] = entry
    last: dict[tuple[str, str], Reading] = {}
    for reading in readings:  # in date order: the last one stays
        last[reading.counter] = reading
    counters = sorted({(r.serial, r.account) for r in register} | set(last))
    month_end = add_months(latest, 1) - timedelta(days=1)
    rows = []
    for serial, account in counters:
        row = newest.get((serial, account)) or newest.get((serial, ""))
        code = assigned_department(by_serial, serial, account, today) or (
            row.department_code if row else None
        )
        active = assigned_department(by_serial, serial, account, month_end) is not None
        seen = last.get((serial, account))
        reported = seen is not None and closing_month(seen.read_on, close_day) >= latest
        rows.append(
            CounterRow(
                serial=serial,
                account=account,
                department_code=code,
                department_name=names.get(code, "") if code else "",
                model_name=row.model_name if row else "",
                location=row.location if row else "",
                last=seen,
                usage=[_total(usage.get((serial, account, month))) for month in months],
                stopped=active and not reported,
            )
        )
    return DevicePage(months, latest, rows)


def _total(sheets: tuple[int, int] | None) -> int | None:
    return None if sheets is None else sheets[0] + sheets[1]

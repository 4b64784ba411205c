"""The demo's meter-fed ward: 堺区's device register and monthly meter readings.

Three of 堺区役所's departments get their counts from the multifunction devices, as the
ICT office would load them: a device shared by 企画総務課 and 自治推進課 through department
IDs (部門管理), and 地域福祉課's device replaced on 1 October 2023. The readings are
month-end readings built from the demo's own counts for those departments, so that the
counts the import derives are exactly the demo's; they go through the same code as a
lessor's file (``import_devices`` and the counts service), never straight into the
tables. Importing them again changes nothing.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from paperless.core.fiscal import add_months
from paperless.importing.counts.service import import_content
from paperless.importing.master.devices import import_devices
from paperless.models import MeterReading

REPLACED_ON = date(2023, 10, 1)
INSTALLED = date(2020, 3, 1)
# serial, department ID, department, start, end, model, location
DEVICES = (
    ("C318R220101", "0101", "110100", INSTALLED, None, "RICOH IM C4500", "堺区役所 2階"),
    ("C318R220101", "0102", "110200", INSTALLED, None, "RICOH IM C4500", "堺区役所 2階"),
    (
        "C308P800455",
        "",
        "110500",
        INSTALLED,
        REPLACED_ON - timedelta(days=1),
        "RICOH MP C3003",
        "堺区役所 3階",
    ),
    ("C319R330877", "", "110500", REPLACED_ON, None, "RICOH IM C3010", "堺区役所 3階"),
)
METER_FED = frozenset(code for _s, _a, code, *_rest in DEVICES)
# Where each counter stood when it was first read (the new device: its test prints).
FIRST_READING = {
    ("C318R220101", "0101"): (1_204_330, 512_870),
    ("C318R220101", "0102"): (887_410, 301_225),
    ("C308P800455", ""): (2_315_004, 1_102_398),
    ("C319R330877", ""): (15, 4),
}
REGISTER_HEADER = (
    "機器番号",
    "部門ID",
    "所属コード",
    "利用開始日",
    "利用終了日",
    "機種",
    "設置場所",
)
READING_HEADER = ("機器番号", "部門ID", "検針日", "印刷カウンター", "コピーカウンター")


@dataclass
class MeterSeed:
    devices: int = 0
    readings: int = 0  # on record for the demo's devices
    counts_created: int = 0


def _csv(rows: Iterable[Iterable[object]]) -> bytes:
    lines = [",".join("" if v is None else str(v) for v in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def register_file() -> bytes:
    return _csv([REGISTER_HEADER, *DEVICES])


def _month_end(month: date) -> date:
    return add_months(month, 1) - timedelta(days=1)


def _counter(code: str, month: date) -> tuple[str, str]:
    """The counter that feeds department ``code`` in ``month``."""
    for serial, account, department, start, end, *_rest in DEVICES:
        if department == code and start <= _month_end(month) and (end is None or month <= end):
            return serial, account
    raise ValueError(f"no demo device for {code} in {month}")


def demo_readings(counts: Iterable) -> list[tuple[str, str, date, int, int]]:
    """Month-end readings whose differences are the given counts (``CountRow``s of the
    meter-fed departments). Each counter is first read the day before its first month,
    or on the day it was installed (the replacement device, read at its test prints)."""
    values: dict[tuple[str, str], tuple[int, int]] = {}
    readings = []
    for row in sorted(counts, key=lambda r: (r.month, r.department)):
        counter = _counter(row.department, row.month)
        if counter not in values:
            values[counter] = FIRST_READING[counter]
            first = max(row.month - timedelta(days=1), _start(counter))
            readings.append((*counter, first, *values[counter]))
        printed, copied = values[counter]
        values[counter] = (printed + row.print_sheets, copied + row.copy_sheets)
        readings.append((*counter, _month_end(row.month), *values[counter]))
    return readings


def _start(counter: tuple[str, str]) -> date:
    return next(start for s, a, _c, start, *_rest in DEVICES if (s, a) == counter)


def ensure_meters(counts: list, *, today: date) -> MeterSeed:
    """Import the register and whatever readings are not on record yet."""
    result = import_devices(io.BytesIO(register_file()), filename="demo_機器台帳.csv")
    if result.errors:
        raise RuntimeError("; ".join(map(str, result.errors)))
    readings = demo_readings(counts)
    serials = sorted({serial for serial, *_rest in DEVICES})
    on_record = set(
        MeterReading.objects.filter(device_serial__in=serials).values_list(
            "device_serial", "account", "read_on"
        )
    )
    seed = MeterSeed(devices=len(serials))
    if any(reading[:3] not in on_record for reading in readings):
        latest = max(reading[2] for reading in readings)
        outcome = import_content(
            _csv([READING_HEADER, *readings]),
            filename=f"demo_検針値_{latest:%Y%m}.csv",
            user=None,
            today=today,
        )
        if not outcome.ok:
            raise RuntimeError("; ".join(map(str, outcome.errors)))
        seed.counts_created = outcome.commit.created if outcome.commit else 0
    seed.readings = MeterReading.objects.filter(device_serial__in=serials).count()
    return seed

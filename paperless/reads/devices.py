"""The device register (機器台帳) and the stored meter readings as plain values.

``register_rows`` is what ``import_devices`` checks a file against; ``meter_inputs``
is what a reading file continues from (the register and the readings on record of every
counter that feeds the same departments); ``readings_since`` is what the devices page
computes its months from; ``department_devices`` lists what feeds one department. A
fixed number of queries each, whatever the number of devices.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from django.db.models import OuterRef, Q, Subquery

from paperless.core.meters import Assignment, Reading
from paperless.models import CounterAssignment, MeterReading, Unit
from paperless.reads.frames import MAX_IN_LIST


@dataclass(frozen=True)
class RegisterRow:
    """One row of the register as stored."""

    id: int
    serial: str
    account: str
    department_code: str
    start: date
    end: date | None
    model_name: str
    location: str

    @property
    def key(self) -> tuple[str, str, date]:
        return (self.serial, self.account, self.start)

    def assignment(self) -> Assignment:
        return Assignment(self.serial, self.account, self.department_code, self.start, self.end)


_REGISTER_FIELDS = (
    "id",
    "device_serial",
    "account",
    "department__code",
    "start_date",
    "end_date",
    "model_name",
    "location",
)


def register_rows() -> list[RegisterRow]:
    """Every row of the register, in register order (one query)."""
    query = CounterAssignment.objects.order_by("device_serial", "account", "start_date")
    return [RegisterRow(*values) for values in query.values_list(*_REGISTER_FIELDS)]


def _stored_readings(serials: Collection[str]) -> list[Reading]:
    query = MeterReading.objects.order_by("device_serial", "account", "read_on")
    if len(serials) <= MAX_IN_LIST:
        query = query.filter(device_serial__in=sorted(serials))
    fields = ("device_serial", "account", "read_on", "print_counter", "copy_counter")
    return [Reading(*values) for values in query.values_list(*fields) if values[0] in serials]


def meter_inputs(serials: Collection[str]) -> tuple[list[Assignment], list[Reading]]:
    """The register and the stored readings a reading file of ``serials`` continues from.

    A department's month is the sum of all its counters, so the devices read are not
    enough: every device that feeds one of the same departments comes along, with its
    whole register so that each of its counters goes where it belongs. Two queries: the
    register is small (a row per device or department ID), the readings are not.
    """
    rows = register_rows()
    fed = {row.department_code for row in rows if row.serial in serials}
    related = set(serials) | {row.serial for row in rows if row.department_code in fed}
    register = [row.assignment() for row in rows if row.serial in related]
    return register, _stored_readings(related)


def readings_since(cutoff: date) -> list[Reading]:
    """Every reading from ``cutoff`` on, and each counter's last one before it: where the
    first interval after ``cutoff`` starts (one query)."""
    last_before = MeterReading.objects.filter(
        device_serial=OuterRef("device_serial"), account=OuterRef("account"), read_on__lt=cutoff
    ).order_by("-read_on")
    query = MeterReading.objects.filter(
        Q(read_on__gte=cutoff) | Q(read_on=Subquery(last_before.values("read_on")[:1]))
    ).order_by("device_serial", "account", "read_on")
    fields = ("device_serial", "account", "read_on", "print_counter", "copy_counter")
    return [Reading(*values) for values in query.values_list(*fields)]


def department_names() -> dict[str, str]:
    """Department names by code, with the unit above ("堺区役所 市民課"; one query)."""
    rows = Unit.objects.filter(kind=Unit.Kind.DEPARTMENT).values_list(
        "code", "name", "parent__name"
    )
    return {code: f"{parent} {name}" if parent else name for code, name, parent in rows.order_by()}


def department_devices(unit: Unit) -> list[CounterAssignment]:
    """The register rows that feed a department, newest first (one query)."""
    return list(
        CounterAssignment.objects.filter(department=unit).order_by(
            "-start_date", "device_serial", "account"
        )
    )

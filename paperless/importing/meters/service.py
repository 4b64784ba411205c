"""A meter-reading file through the counts pipeline: derive, then validate and commit.

``prepare`` continues the file's readings from the register and the readings on record
(``reads.devices``), runs the core's month-closing rule (``core.meters.monthly_usage``,
close day and plausibility limit from settings) and gives back the file as the counts
pipeline takes it: the records of the department-months it touches, with the core's
problems as errors and warnings. ``commit_readings`` does it again under the counts
lock and hands the records to ``counts.commit.commit_upload`` — the same validation,
warnings, transaction and history as an uploaded count file — then stores the new
readings, linked to the upload, in the same transaction. Only administrators load
readings: they feed any department.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from paperless.access.permissions import is_administrator
from paperless.core.meters import Reading, monthly_usage
from paperless.data_version import one_bump
from paperless.importing.counts.commit import COUNTS_LOCK_KEY, CommitResult, commit_upload
from paperless.importing.counts.records import ParsedFile
from paperless.importing.issues import Issue
from paperless.importing.meters.derive import Kept, derive, new_readings
from paperless.importing.meters.parse import LAYOUTS
from paperless.models import MeterReading, Upload
from paperless.reads import importing as import_reads
from paperless.reads.devices import meter_inputs


def is_reading_file(parsed: ParsedFile) -> bool:
    return parsed.layout in LAYOUTS


@dataclass
class MeterPlan:
    """What a reading file holds beside its derived records."""

    readings: int = 0  # readings read from the file
    devices: int = 0
    new: list[Reading] = field(default_factory=list)  # not on record yet

    def as_summary(self) -> dict[str, Any]:
        return {"readings": self.readings, "new_readings": len(self.new), "devices": self.devices}


def prepare(
    parsed: ParsedFile, *, user, today: date, for_update: bool = False
) -> tuple[ParsedFile, MeterPlan]:
    """The file with the records it derives and the issues found on the way."""
    serials = {r.serial for r in parsed.readings}
    plan = MeterPlan(len(parsed.readings), len(serials))
    if user is not None and not is_administrator(user):
        refusal = Issue(
            "readings_not_allowed",
            "検針値のファイルは管理者（ICT推進室）だけが取り込めます。所属の枚数は"
            "テンプレートに入力してアップロードしてください。",
        )
        return replace(parsed, errors=[*parsed.errors, refusal]), plan
    if parsed.errors:  # rows left out would make the counters jump: fix the file first
        return parsed, plan
    register, stored = meter_inputs(serials)
    limit = settings.PAPERLESS_METER_MONTHLY_LIMIT or None
    months = monthly_usage(
        [*stored, *parsed.readings],
        register,
        today=today,
        close_day=settings.PAPERLESS_METER_CLOSE_DAY,
        monthly_limit=limit,
    )
    derived = derive(months, _kept(months.touched, for_update), parsed.readings)
    plan.new = new_readings(parsed.readings, stored)
    prepared = replace(
        parsed,
        records=derived.records,
        errors=[*parsed.errors, *derived.errors],
        warnings=[*parsed.warnings, *derived.warnings],
    )
    prepared.sort()
    return prepared, plan


def _kept(touched: Iterable[tuple[str, date]], for_update: bool) -> dict[tuple[str, date], Kept]:
    """The excluded sheets and note on record for each touched department-month."""
    touched = list(touched)
    if not touched:
        return {}
    code_of = {pk: code for pk, code, _name, _kind in import_reads.unit_rows()}
    id_of = {code: pk for pk, code in code_of.items()}
    wanted = {id_of[code] for code, _month in touched if code in id_of}
    rows = import_reads.existing_counts(wanted, {m for _c, m in touched}, for_update=for_update)
    return {
        (code_of[department], month): (excluded, note)
        for _pk, department, month, _print, _copy, excluded, note in rows
    }


def commit_readings(
    *, upload: Upload, user, parsed: ParsedFile, today: date | None = None
) -> tuple[CommitResult, ParsedFile, MeterPlan]:
    """Derive under the counts lock, commit the records, store the new readings."""
    today = today or timezone.localdate()
    # One raise of the data version for the counts and the readings.
    with transaction.atomic(), one_bump():
        if connection.vendor == "postgresql":
            # The readings on record must not change between deriving and writing.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [COUNTS_LOCK_KEY])
        prepared, plan = prepare(parsed, user=user, today=today, for_update=True)
        result = commit_upload(upload=upload, user=user, parsed=prepared, today=today)
        if result.already:
            return result, prepared, plan
        if result.status != Upload.Status.REJECTED and plan.new:
            MeterReading.objects.bulk_create(
                MeterReading(
                    device_serial=r.serial,
                    account=r.department_id,
                    read_on=r.read_on,
                    print_counter=r.print_counter,
                    copy_counter=r.copy_counter,
                    upload=upload,
                )
                for r in plan.new
            )
            if result.status == Upload.Status.NO_CHANGE:  # new readings are a change too
                result.status = upload.status = Upload.Status.COMMITTED
                upload.committed_at = timezone.now()
        upload.summary = upload.summary | plan.as_summary()
        upload.save(update_fields=["status", "committed_at", "summary"])
    return result, prepared, plan

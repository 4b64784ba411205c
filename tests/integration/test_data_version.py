"""The data version (the dashboard cache's key): every write path raises it, in its own
transaction, once; a rolled-back change leaves it as it was."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from paperless.demo.seed import seed_demo
from paperless.importing.counts.service import check_upload, confirm_upload, receive_upload
from paperless.importing.master.org_links import write_links
from paperless.models import (
    ActionNote,
    CounterAssignment,
    DataVersion,
    MeterReading,
    MonthlyCount,
    Policy,
    Succession,
    Unit,
)
from paperless.reads.version import data_version
from tests.conftest import add_counts
from tests.import_files import long_rows, xlsx
from tests.integration import test_import_devices as devices
from tests.integration import test_import_org as org
from tests.meter_files import readings_xlsx, run_command

pytestmark = pytest.mark.django_db
DEC = date(2022, 12, 1)


def version() -> int:
    return int(data_version())


def raises(change) -> int:
    """How many UPDATEs of the version row ``change()`` ran, after checking it raised it."""
    before = version()
    table = DataVersion._meta.db_table
    with CaptureQueriesContext(connection) as queries:
        change()
    assert version() > before
    return sum(1 for q in queries if q["sql"].startswith("UPDATE") and table in q["sql"])


def test_the_version_is_read_in_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        data_version()


def test_saving_and_deleting_a_count_raise_the_version(tree):
    add_counts(tree["sakai_shimin"], [DEC], 100, 50)
    count = MonthlyCount.objects.get()
    count.print_sheets = 101
    assert raises(count.save) == 1
    assert raises(count.delete) == 1


def test_bulk_writes_of_counts_raise_the_version_once(tree):
    def insert():
        MonthlyCount.objects.bulk_create(
            MonthlyCount(
                department=tree["sakai_shimin"],
                month=date(2022, m, 1),
                print_sheets=1,
                copy_sheets=0,
            )
            for m in range(1, 13)
        )

    assert raises(insert) == 1
    assert raises(lambda: MonthlyCount.objects.update(copy_sheets=5)) == 1
    rows = list(MonthlyCount.objects.all())
    for row in rows:
        row.print_sheets = 2
    assert raises(lambda: MonthlyCount.objects.bulk_update(rows, ["print_sheets"])) == 1
    assert raises(lambda: MonthlyCount.objects.all().delete()) == 1


def test_an_upload_commit_raises_the_version_once(tree, users):
    content = xlsx(long_rows(["2022-12", "110100", "", 5, 6], ["2022-11", "110100", "", 7, 8]))
    upload = receive_upload(content=content, filename="x.xlsx", user=users["admin"])
    check_upload(upload=upload, user=users["admin"])
    assert raises(lambda: confirm_upload(upload=upload, user=users["admin"])) == 1
    assert MonthlyCount.objects.count() == 2


def test_units_and_their_predecessor_links_raise_the_version(tree):
    unit = tree["sakai_kikaku"]
    unit.name = "堺区 企画課"
    assert raises(unit.save) == 1
    heir = Unit.objects.create(code="110300", name="新課", kind="department", parent=tree["sakai"])
    assert raises(lambda: heir.predecessors.add(unit)) >= 1
    assert raises(lambda: heir.predecessors.clear()) >= 1
    ids = {"110100": tree["sakai_shimin"].id}
    assert raises(lambda: write_links(heir, (("110100", None),), ids)) == 2  # delete, insert
    assert raises(lambda: Succession.objects.filter(from_unit=heir).delete()) == 1


def test_the_org_import_raises_the_version_once(tmp_path, db):
    path = org.xlsx(tmp_path, [org.JA, *org.SMALL_TREE])
    assert raises(lambda: org.run(path)) == 1
    assert Unit.objects.count() == 3


def test_policies_and_notes_raise_the_version(tree, users):
    assert raises(lambda: Policy.objects.create(fiscal_year=2022)) == 1
    note = ActionNote(department=tree["sakai_shimin"], author=users["admin"], text="両面印刷")
    assert raises(note.save) == 1


def test_the_device_register_and_its_import_raise_the_version(tmp_path, tree):
    assert raises(lambda: devices.run(devices.xlsx(tmp_path, [devices.JA, *devices.REGISTER])))
    assignment = CounterAssignment.objects.first()
    assignment.location = "2階"
    assert raises(assignment.save) == 1


def test_meter_readings_raise_the_version_once_with_their_counts(tmp_path, tree):
    for account, unit in (("0101", tree["sakai_shimin"]), ("0102", tree["sakai_kikaku"])):
        CounterAssignment.objects.create(
            device_serial="C318R220101", account=account, department=unit, start_date=DEC
        )
    rows = [
        ["C318R220101", "0101", "2022/12/31", 10_000, 5_000],
        ["C318R220101", "0101", "2023/1/31", 10_400, 5_100],
    ]
    path = readings_xlsx(tmp_path, *rows)
    with time_machine.travel(date(2023, 2, 15), tick=False):
        assert raises(lambda: run_command("import_counts", str(path))) == 1
    assert MeterReading.objects.count() == 2 and MonthlyCount.objects.count() == 1


def test_seeding_the_demo_raises_the_version_once(db):
    assert raises(lambda: seed_demo(today=date(2023, 2, 15))) == 1


def test_a_rolled_back_change_leaves_the_version_as_it_was(tree):
    before = version()
    with transaction.atomic():
        add_counts(tree["sakai_shimin"], [DEC], 100, 50)
        Unit.objects.filter(code="110100").update(name="x")
        assert version() > before  # inside the transaction, the change and its number
        transaction.set_rollback(True)
    assert version() == before and not MonthlyCount.objects.exists()


def test_a_version_row_lost_to_a_flush_comes_back(tree):
    DataVersion.objects.all().delete()
    assert version() == 0
    add_counts(tree["sakai_shimin"], [DEC], 100, 50)
    assert version() == 1

"""The write service: all or nothing, validated again at commit time, history per upload."""

from __future__ import annotations

from datetime import date
from unittest import mock

import pytest
import time_machine
from django.db import DatabaseError

from paperless.core.fiscal import add_months
from paperless.importing.counts import commit as commit_module
from paperless.importing.counts.parse import parse_bytes
from paperless.importing.counts.service import (
    check_upload,
    confirm_upload,
    import_file,
    receive_upload,
)
from paperless.importing.files.limits import Limits
from paperless.models import MonthlyCount, Unit, Upload
from tests.conftest import add_counts
from tests.import_files import long_rows, xlsx

TODAY = date(2023, 1, 15)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def many_departments(tree, count: int) -> list[Unit]:
    return Unit.objects.bulk_create(
        Unit(code=f"3{i:05d}", name=f"課{i}", kind="department", parent=tree["naka"])
        for i in range(count)
    )


def test_nothing_is_written_when_the_last_row_of_a_long_file_is_bad(tree, tmp_path):
    units = many_departments(tree, 250)
    months = [add_months(date(2022, 1, 1), i) for i in range(12)]
    rows = [[f"{m:%Y-%m}", u.code, u.name, 100, 50] for u in units for m in months]
    rows[-1][3] = "百"  # row 3,001 of 3,001
    path = tmp_path / "long.xlsx"
    path.write_bytes(xlsx(long_rows(*rows)))
    outcome = import_file(path, user=None)
    assert outcome.exit_status == 1
    assert [(e.code, e.row) for e in outcome.errors] == [("not_a_number", 3001)]
    assert not MonthlyCount.objects.exists() and not MonthlyCount.history.exists()
    assert Upload.objects.get().status == "rejected"


def test_a_failure_while_writing_rolls_back_everything(tree, users):
    add_counts(tree["sakai_shimin"], [date(2022, 11, 1)], 1, 1)
    data = xlsx(long_rows(["2022-12", "110100", "", 5, 5], ["2022-11", "110100", "", 9, 9]))
    upload = receive_upload(content=data, filename="x.xlsx", user=users["admin"])
    check_upload(upload=upload, user=users["admin"])
    with (
        mock.patch.object(commit_module, "_update", side_effect=DatabaseError("disk full")),
        pytest.raises(DatabaseError),
    ):
        confirm_upload(upload=upload, user=users["admin"])
    upload.refresh_from_db()
    assert upload.status == "ready"
    assert list(MonthlyCount.objects.values_list("month", "print_sheets")) == [
        (date(2022, 11, 1), 1)
    ]
    assert not MonthlyCount.history.exists()


def test_scope_lost_since_the_preview_blocks_the_commit(tree, users):
    head = users["head"]
    upload = receive_upload(
        content=xlsx(long_rows(["2022-12", "110100", "", 5, 5])), filename="x.xlsx", user=head
    )
    check_upload(upload=upload, user=head)
    head.memberships.all().delete()
    head._paperless_roles = None
    result = confirm_upload(upload=upload, user=head)
    assert result.status == "rejected" and [e.code for e in result.validation.errors] == [
        "out_of_scope"
    ]
    assert not MonthlyCount.objects.exists()


def test_history_rows_match_what_simple_history_writes(tree, users):
    add_counts(tree["sakai_shimin"], [date(2022, 11, 1)], 1, 1)
    data = xlsx(
        long_rows(["2022-12", "110100", "", 5, 6, 2, "新規"], ["2022-11", "110100", "", 9, 9])
    )
    upload = receive_upload(content=data, filename="x.xlsx", user=users["admin"])
    check_upload(upload=upload, user=users["admin"])
    result = confirm_upload(upload=upload, user=users["admin"])
    assert (result.created, result.updated, result.unchanged) == (1, 1, 0)
    for count in MonthlyCount.objects.all():
        latest = count.history.latest()
        assert latest.instance.print_sheets == count.print_sheets
        assert (latest.history_user, latest.upload_id) == (users["admin"], upload.pk)
        assert latest.history_date == count.updated_at
    created = MonthlyCount.objects.get(month=date(2022, 12, 1))
    assert (created.excluded_sheets, created.note) == (2, "新規")
    assert created.history.get().history_type == "+"


def test_parse_in_child_and_in_process_agree(tree):
    data = xlsx(long_rows(["2022-12", "110100", "", 5, 6], ["2022-12", "x", "", -1, 6]))
    limits = Limits()
    child = parse_bytes(data, filename="x.xlsx", limits=limits)
    here = parse_bytes(data, filename="x.xlsx", limits=limits, isolate=False)
    assert child.records == here.records and child.errors == here.errors


def test_preview_and_commit_use_a_fixed_number_of_queries(
    tree, users, django_assert_max_num_queries
):
    units = many_departments(tree, 60)
    months = [add_months(date(2022, 1, 1), i) for i in range(12)]
    add_counts(units[0], months[:6], 1, 1)  # some changed rows too
    rows = [[f"{m:%Y-%m}", u.code, u.name, 100, 50] for u in units for m in months]
    upload = receive_upload(content=xlsx(long_rows(*rows)), filename="x.xlsx", user=users["admin"])
    # The preview reads the policy and the counts once per fiscal year of the file (two
    # here), never per row or department; PostgreSQL's packed counts add a code lookup.
    with django_assert_max_num_queries(20):
        check_upload(upload=upload, user=users["admin"])
    # The claim, the commit, the stored readings check and the data version: constant too
    # (the same count with 30 and with 90 departments).
    with django_assert_max_num_queries(25):
        result = confirm_upload(upload=upload, user=users["admin"])
    assert (result.created, result.updated) == (714, 6)
    assert MonthlyCount.history.count() == 720  # 714 created and 6 changed

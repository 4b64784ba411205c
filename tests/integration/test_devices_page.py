"""Where a person sees the meters: the devices page, a department's devices, the alerts."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from paperless.alerts.delivery import week_plan
from paperless.core.fiscal import months_between
from paperless.models import CounterAssignment, MeterReading
from tests.meter_files import month_end, readings_xlsx, run_command

TODAY = date(2024, 12, 16)  # a Monday; November 2024 is the latest complete month
NOV = date(2024, 11, 1)
SHOWN = months_between(date(2023, 12, 1), NOV)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def assign(serial: str, account: str, unit, start=date(2020, 4, 1), end=None, **details):
    CounterAssignment.objects.create(
        device_serial=serial,
        account=account,
        department=unit,
        start_date=start,
        end_date=end,
        **details,
    )


def read(serial: str, account: str, months: list[date], *, step: int = 100, start: int = 0):
    MeterReading.objects.bulk_create(
        MeterReading(
            device_serial=serial,
            account=account,
            read_on=month_end(month),
            print_counter=start + step * i,
            copy_counter=start // 10 + step // 10 * i,
        )
        for i, month in enumerate(months)
    )


@pytest.fixture
def meters(tree):
    """A shared device (one ID stopped in September), a device replaced in October."""
    assign("C318R220101", "0101", tree["sakai_shimin"], model_name="MP C3004", location="2階")
    assign("C318R220101", "0102", tree["sakai_kikaku"])
    assign("C308P800455", "", tree["naka_shimin"], end=date(2024, 9, 30))
    assign("C319R330877", "", tree["naka_shimin"], start=date(2024, 10, 1))
    read("C318R220101", "0101", months_between(date(2023, 1, 1), NOV))
    read("C318R220101", "0102", months_between(date(2023, 1, 1), date(2024, 9, 1)), step=50)
    read("C308P800455", "", months_between(date(2023, 1, 1), date(2024, 9, 1)), start=90_000)
    read("C319R330877", "", [date(2024, 10, 1), NOV], step=300, start=300)
    return tree


def test_devices_page_lists_counters_with_their_months_and_flags_the_stopped_one(
    client, users, meters
):
    client.force_login(users["admin"])

    response = client.get(reverse("paperless:devices"))

    assert response.status_code == 200
    page = response.context["page"]
    assert page.months == SHOWN and page.latest == NOV
    rows = {(r.serial, r.account): r for r in page.rows}
    shared = rows[("C318R220101", "0101")]
    assert (shared.department_code, shared.model_name, shared.location) == (
        "110100",
        "MP C3004",
        "2階",
    )
    assert shared.last.read_on == date(2024, 11, 30) and shared.usage == [110] * 12
    assert not shared.stopped
    stopped = rows[("C318R220101", "0102")]
    assert stopped.stopped and stopped.usage == [55] * 10 + [None, None]
    assert not rows[("C308P800455", "")].stopped  # replaced: no longer expected to report
    new = rows[("C319R330877", "")]
    assert new.usage == [None] * 11 + [330] and not new.stopped
    assert [r.serial for r in page.stopped] == ["C318R220101"]
    html = response.content.decode()
    assert "検針が止まっているカウンターが 1件あります" in html
    assert html.count("検針なし") == 1 and "堺区役所 堺区 市民課" in html


def test_devices_page_queries_do_not_grow_with_devices(
    client, users, meters, django_assert_max_num_queries
):
    client.force_login(users["admin"])
    client.get(reverse("paperless:devices"))  # the session and the user, once
    with django_assert_max_num_queries(8) as few:
        client.get(reverse("paperless:devices"))
    for i in range(30):
        assign(f"EXTRA-{i:02d}", "", meters["zeimu"], end=None)
        read(f"EXTRA-{i:02d}", "", months_between(date(2023, 6, 1), NOV))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("paperless:devices"))
    assert len(response.context["page"].rows) == 34


@pytest.mark.parametrize("role", ["head", "manager", "executive", "nobody"])
def test_devices_page_is_for_administrators_only(client, users, role):
    client.force_login(users[role])
    assert client.get(reverse("paperless:devices")).status_code == 403


def test_a_department_page_says_which_devices_feed_it(client, users, meters):
    client.force_login(users["admin"])

    fed = client.get(reverse("paperless:unit", args=["110100"])).content.decode()
    unfed = client.get(reverse("paperless:unit", args=["201100"])).content.decode()

    assert "枚数を送る複合機" in fed and "C318R220101" in fed and "MP C3004" in fed
    assert "枚数を送る複合機" not in unfed


def test_a_meter_fed_department_is_reported_once_its_readings_for_the_month_are_in(
    users, meters, tmp_path
):
    # Counts up to October came from the readings on record; November's are missing.
    history = months_between(date(2023, 1, 1), date(2024, 10, 1))
    MeterReading.objects.filter(device_serial="C318R220101", account="0101").delete()
    rows = [
        ["C318R220101", "0101", month_end(m).isoformat(), 100 * i, 10 * i]
        for i, m in enumerate(history)
    ]
    assert run_command("import_counts", str(readings_xlsx(tmp_path, *rows)))[0] == 0
    plan, _ids = week_plan(TODAY)
    assert "110100" in plan.missing

    november = [["C318R220101", "0101", "2024-11-30", 100 * len(history), 10 * len(history)]]
    code, _out, err = run_command("import_counts", str(readings_xlsx(tmp_path, *november)))

    assert code == 0, err
    plan, _ids = week_plan(TODAY)
    assert "110100" not in plan.missing

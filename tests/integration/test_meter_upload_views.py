"""A meter-reading file on the upload page: administrator → preview → confirm → stored."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from paperless.models import CounterAssignment, MeterReading, MonthlyCount, Upload
from tests.import_files import xlsx
from tests.meter_files import reading_rows

TODAY = date(2024, 12, 15)
APR = date(2024, 4, 1)
pytestmark = pytest.mark.django_db
READINGS = reading_rows(
    ["C318R220101", "0101", "2024/3/31", 10_000, 5_000],
    ["C318R220101", "0102", "2024/3/31", 20_000, 8_000],
    ["C318R220101", "0101", "2024/4/30", 10_400, 5_100],
    ["C318R220101", "0102", "2024/4/30", 20_700, 8_300],
)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def shared_device(tree):
    for account, unit in (("0101", tree["sakai_shimin"]), ("0102", tree["sakai_kikaku"])):
        CounterAssignment.objects.create(
            device_serial="C318R220101",
            account=account,
            department=unit,
            start_date=date(2020, 4, 1),
        )


def send(client, rows, name: str = "検針_2024年4月.xlsx"):
    content = xlsx(rows, title="検針値")
    return client.post(reverse("paperless:upload_new"), {"file": SimpleUploadedFile(name, content)})


def test_the_upload_page_tells_administrators_they_may_send_readings(client, users):
    client.force_login(users["admin"])
    assert "検針値のファイル" in client.get(reverse("paperless:upload_new")).content.decode()
    client.force_login(users["head"])
    assert "検針値のファイル" not in client.get(reverse("paperless:upload_new")).content.decode()


def test_reading_file_preview_then_confirm_stores_counts_and_readings(client, users, shared_device):
    client.force_login(users["admin"])

    response = send(client, READINGS)

    upload = Upload.objects.get()
    assert response.status_code == 302
    assert upload.status == Upload.Status.READY, upload.summary["errors"]
    assert not MonthlyCount.objects.exists() and not MeterReading.objects.exists()
    page = client.get(response.url).content.decode()
    assert "内容の確認" in page and "この内容で登録する" in page
    assert "検針値から求めた枚数" in page and "4件（機器 1台、うち未登録の検針値 4件）" in page
    assert "堺区 市民課（110100）" in page and "2024年4月" in page and "400" in page
    assert upload.scope == users["head"].memberships.get().unit.parent  # 堺区役所

    response = client.post(reverse("paperless:upload_confirm", args=[upload.pk]))

    upload.refresh_from_db()
    assert response.status_code == 302 and upload.status == Upload.Status.COMMITTED
    assert sorted(
        MonthlyCount.objects.values_list("department__code", "month", "print_sheets", "copy_sheets")
    ) == [("110100", APR, 400, 100), ("110200", APR, 700, 300)]
    assert MeterReading.objects.filter(upload=upload).count() == 4
    page = client.get(response.url).content.decode()
    assert "登録しました（新規 2件、更新 0件、検針値 4件）" in page


def test_first_readings_alone_are_stored_as_the_starting_point(client, users, shared_device):
    client.force_login(users["admin"])
    send(client, READINGS[:3])
    upload = Upload.objects.get()
    assert upload.status == Upload.Status.READY  # nothing to count yet, but readings to keep

    client.post(reverse("paperless:upload_confirm", args=[upload.pk]))

    upload.refresh_from_db()
    assert upload.status == Upload.Status.COMMITTED
    assert MeterReading.objects.count() == 2 and not MonthlyCount.objects.exists()


def test_a_department_head_may_not_load_readings(client, users, shared_device):
    client.force_login(users["head"])

    response = send(client, READINGS)

    upload = Upload.objects.get()
    assert upload.status == Upload.Status.REJECTED
    page = client.get(response.url).content.decode()
    assert "管理者（ICT推進室）だけが取り込めます" in page
    assert not MonthlyCount.objects.exists() and not MeterReading.objects.exists()


def test_errors_in_a_reading_file_are_shown_with_sheet_and_row(client, users, shared_device):
    client.force_login(users["admin"])
    rows = reading_rows(
        ["C318R220101", "0101", "2024/3/31", 10_000, 5_000], ["NOBODY", "", "2024/4/30", 1, 1]
    )

    response = send(client, rows)

    assert Upload.objects.get().status == Upload.Status.REJECTED
    page = client.get(response.url).content.decode()
    assert '<td>検針値</td><td class="num">3</td>' in page
    assert "機器番号「NOBODY」は、検針日 2024年4月30日 時点で機器台帳に登録されていません" in page
    assert not MeterReading.objects.exists()

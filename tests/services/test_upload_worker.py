"""The upload pipeline with a real Celery worker on Redis (PostgreSQL shared with it).

The upload request stores the file and queues its check; it answers while the worker is
still checking (the check is held here until the test has seen the page), the page
refreshes itself until the preview is there, and the confirm's commit runs in the
worker too.
"""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest
import time_machine
from celery.contrib.testing.worker import start_worker
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from paperless.importing.counts import service
from paperless.models import MonthlyCount, Upload
from sakai_dx.celery import app
from tests.conftest import service_unavailable
from tests.import_files import long_rows, xlsx
from tests.services.alert_support import celery_on_redis, wait_for, watching

pytestmark = pytest.mark.services
S = Upload.Status


def worker():
    return start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=30)


def status_of(upload_id: int) -> str:
    return Upload.objects.values_list("status", flat=True).get(pk=upload_id)


@pytest.mark.django_db(transaction=True)
def test_the_upload_request_returns_before_the_worker_has_checked_it(client, users, monkeypatch):
    if connection.vendor != "postgresql":
        service_unavailable("the worker shares the database: needs PostgreSQL (set DATABASE_URL)")
    started, release = threading.Event(), threading.Event()
    real_check = service.check_upload

    def held_check(**kwargs):
        started.set()
        release.wait(60)  # bounded, so a broken test does not hang the worker
        return real_check(**kwargs)

    monkeypatch.setattr(service, "check_upload", held_check)
    data = xlsx(long_rows(["2022年12月", "110100", "堺区 市民課", 4500, 2000]))
    with (
        time_machine.travel(date(2023, 1, 15), tick=True),
        celery_on_redis(),
        watching() as watcher,
        worker(),
    ):
        try:
            client.force_login(users["head"])
            began = time.monotonic()
            response = client.post(
                reverse("paperless:upload_new"), {"file": SimpleUploadedFile("c.xlsx", data)}
            )
            answered = time.monotonic() - began
            upload = Upload.objects.get()
            assert response.status_code == 302 and answered < 5, answered
            assert status_of(upload.pk) == S.CHECKING  # the worker holds the check
            page = client.get(response.url).content.decode()
            assert '<meta http-equiv="refresh" content="2">' in page
            assert started.wait(30), "the worker never started the check"
        finally:
            release.set()
        wait_for(lambda: status_of(upload.pk) == S.READY, "the worker's check")
        page = client.get(reverse("paperless:upload_detail", args=[upload.pk])).content.decode()
        assert 'id="confirm-button"' in page and 'http-equiv="refresh"' not in page

        response = client.post(reverse("paperless:upload_confirm", args=[upload.pk]))
        assert response.status_code == 302
        assert status_of(upload.pk) in (S.COMMITTING, S.COMMITTED)
        wait_for(lambda: status_of(upload.pk) == S.COMMITTED, "the worker's commit")
        wait_for(lambda: watcher.finished(".commit_upload"), "the commit task to end")
    assert watcher.finished(".check_upload") == [S.READY]
    assert watcher.finished(".commit_upload") == [S.COMMITTED]
    count = MonthlyCount.objects.get()
    assert (count.print_sheets, count.upload_id) == (4500, upload.pk)
    assert count.history.get().history_user == users["head"]

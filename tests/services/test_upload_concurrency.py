"""Two uploads for the same department and months committed at once (PostgreSQL).

On PostgreSQL the commits take a transaction-level advisory lock, so the second one
waits, then validates against the first one's values: the result is all of one upload
and none of the other, with history for both. (SQLite serializes writers anyway.)
"""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest
import time_machine
from django.db import connection, connections

from paperless.importing.counts import commit as commit_module
from paperless.importing.counts.service import check_upload, confirm_upload, receive_upload
from paperless.models import MonthlyCount, Upload
from tests.conftest import service_unavailable
from tests.import_files import long_rows, xlsx

MONTHS = ["2022-10", "2022-11", "2022-12"]


def upload_for(user, value: int) -> Upload:
    rows = [[m, code, "", value, value] for m in MONTHS for code in ("110100", "110200")]
    upload = receive_upload(content=xlsx(long_rows(*rows)), filename=f"{value}.xlsx", user=user)
    return check_upload(upload=upload, user=user)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_uploads_never_leave_a_mix(users, monkeypatch):
    if connection.vendor != "postgresql":
        service_unavailable("advisory locks need PostgreSQL (set DATABASE_URL)")
    with time_machine.travel(date(2023, 1, 15), tick=True):
        first, second = upload_for(users["admin"], 111), upload_for(users["admin"], 222)
        assert first.status == second.status == "ready"
        real_insert = commit_module._insert
        inside = threading.Event()

        def slow_insert(changes, **kwargs):
            inside.set()
            time.sleep(0.5)  # hold the lock while the other commit arrives
            return real_insert(changes, **kwargs)

        monkeypatch.setattr(commit_module, "_insert", slow_insert)
        results: dict[int, object] = {}
        errors: list[BaseException] = []

        def confirm(upload: Upload, wait: bool) -> None:
            try:
                if wait:
                    inside.wait(10)
                results[upload.pk] = confirm_upload(upload=upload, user=users["admin"])
            except BaseException as exc:  # reported below, not lost in the thread
                errors.append(exc)
            finally:
                connections.close_all()

        threads = [
            threading.Thread(target=confirm, args=(first, False)),
            threading.Thread(target=confirm, args=(second, True)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    assert errors == []
    values = set(MonthlyCount.objects.values_list("print_sheets", "copy_sheets", "upload_id"))
    assert values == {(222, 222, second.pk)}, values
    assert (results[first.pk].created, results[second.pk].updated) == (6, 6)
    history = list(
        MonthlyCount.history.values_list("history_type", "upload_id").order_by("history_id")
    )
    assert history == [("+", first.pk)] * 6 + [("~", second.pk)] * 6

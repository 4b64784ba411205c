"""Upload states: checking → ready / rejected, ready → committing → committed, expiry,
the claim that makes a confirm count once, the per-user limit and the progress page."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from paperless.importing import tasks
from paperless.importing.counts import service, states
from paperless.models import MonthlyCount, Upload
from tests.import_files import long_rows, xlsx

TODAY = date(2023, 1, 15)
pytestmark = pytest.mark.django_db
S = Upload.Status


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def head_file(print_sheets: int = 4500) -> bytes:
    return xlsx(long_rows(["2022年12月", "110100", "堺区 市民課", print_sheets, 2000]))


def received(user, data: bytes | None = None) -> Upload:
    """An upload stored and not checked yet (its task not run)."""
    return service.receive_upload(content=data or head_file(), filename="x.xlsx", user=user)


def checked(user, data: bytes | None = None) -> Upload:
    return service.check_upload(upload=received(user, data), user=user)


def send(client, data: bytes):
    return client.post(
        reverse("paperless:upload_new"), {"file": SimpleUploadedFile("counts.xlsx", data)}
    )


def detail(client, upload: Upload) -> str:
    return client.get(reverse("paperless:upload_detail", args=[upload.pk])).content.decode()


def confirm(client, upload: Upload):
    return client.post(reverse("paperless:upload_confirm", args=[upload.pk]), follow=True)


def page_messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- states and transitions ----------------------------------------------------------------


def test_a_received_upload_is_checking_and_its_check_makes_it_ready(users, tree):
    upload = received(users["head"])
    assert (upload.status, upload.summary, upload.progress) == (S.CHECKING, {}, {})
    assert tasks.check_upload.delay(upload.pk) is not None
    upload.refresh_from_db()
    assert upload.status == S.READY and upload.summary["records"] == 1
    assert upload.progress == {"step": "checked", "rows_read": 1, "rows_checked": 1}


def test_a_file_with_errors_is_rejected_by_the_check(users, tree):
    upload = checked(users["head"], xlsx(long_rows(["2022年12月", "110100", "", "百", 1])))
    upload.refresh_from_db()
    assert upload.status == S.REJECTED and upload.summary["errors"]


def test_the_check_task_ignores_an_upload_no_longer_checking(users, tree):
    upload = checked(users["head"])
    summary = Upload.objects.get(pk=upload.pk).summary
    assert service.check_upload_by_id(upload.pk) is None  # a message delivered twice
    assert Upload.objects.get(pk=upload.pk).summary == summary


def test_a_check_that_fails_rejects_the_upload_with_a_message(users, tree, monkeypatch):
    upload = received(users["head"])

    def broken(**kwargs):
        raise RuntimeError("reader bug")

    monkeypatch.setattr(service, "check_upload", broken)
    tasks.check_upload.delay(upload.pk)
    upload.refresh_from_db()
    assert upload.status == S.REJECTED and upload.summary["refused"]
    assert "問題が起きました" in upload.summary["errors"][0]["message"]


def test_confirm_goes_through_committing_to_committed(client, users, tree, monkeypatch):
    client.force_login(users["head"])
    upload = checked(users["head"])
    seen = []
    real = service.commit_upload_by_id

    def watching(upload_id, user_id):
        seen.append(Upload.objects.get(pk=upload_id).status)
        return real(upload_id, user_id)

    monkeypatch.setattr(service, "commit_upload_by_id", watching)
    confirm(client, upload)
    upload.refresh_from_db()
    assert seen == [S.COMMITTING] and upload.status == S.COMMITTED
    assert MonthlyCount.objects.get().print_sheets == 4500


def test_a_failed_commit_leaves_the_upload_ready_to_confirm_again(users, tree, monkeypatch):
    upload = checked(users["head"])
    assert states.claim_for_commit(upload)

    def broken(*args, **kwargs):
        raise RuntimeError("disk gone")

    monkeypatch.setattr(service, "_commit_stored", broken)
    with pytest.raises(RuntimeError):
        service.commit_claimed(upload=upload, user=users["head"])
    upload.refresh_from_db()
    assert (upload.status, upload.progress["step"]) == (S.READY, "failed")
    assert not MonthlyCount.objects.exists()


def test_cancel_only_from_ready(users, tree):
    assert not service.cancel_upload(received(users["head"]))
    upload = checked(users["head"])
    assert service.cancel_upload(upload)
    assert not service.cancel_upload(upload)
    assert Upload.objects.get(pk=upload.pk).status == S.CANCELLED


# --- confirm refused ---------------------------------------------------------------------


def test_confirm_is_refused_while_checking(client, users, tree):
    client.force_login(users["head"])
    upload = received(users["head"])
    response = confirm(client, upload)
    assert "まだ内容を確認しています。確認が終わってから登録してください。" in page_messages(
        response
    )
    assert Upload.objects.get(pk=upload.pk).status == S.CHECKING
    assert not MonthlyCount.objects.exists()


def test_confirm_is_refused_without_a_stored_preview(client, users, tree):
    client.force_login(users["head"])
    upload = received(users["head"])
    Upload.objects.filter(pk=upload.pk).update(status=S.READY)  # ready, but no summary
    assert 'id="confirm-button"' not in detail(client, upload)
    response = confirm(client, upload)
    assert any("確認の結果がない" in m for m in page_messages(response))
    assert Upload.objects.get(pk=upload.pk).status == S.READY
    assert not MonthlyCount.objects.exists()


def test_an_upload_expires_and_cannot_be_confirmed(client, users, tree, settings):
    settings.UPLOAD_EXPIRE_HOURS = 24
    upload = checked(users["head"])
    with time_machine.travel(timezone.now() + timedelta(hours=24, minutes=1), tick=False):
        client.force_login(users["head"])  # a new day's session
        response = confirm(client, upload)
        assert any("期限（24時間）を過ぎた" in m for m in page_messages(response))
        page = detail(client, upload)
    assert "期限切れ" in page and 'id="confirm-button"' not in page
    assert Upload.objects.get(pk=upload.pk).status == S.EXPIRED
    assert not MonthlyCount.objects.exists()


def test_expiry_is_lazy_on_read_and_by_the_cleanup(users, tree):
    ready, checking = checked(users["head"]), received(users["head"])
    with time_machine.travel(timezone.now() + timedelta(hours=23), tick=False):
        assert states.expire_stale() == 0
    with time_machine.travel(timezone.now() + timedelta(hours=25), tick=False):
        assert states.expire_if_stale(ready).status == S.EXPIRED
        assert states.expire_stale() == 1  # the one still checking
    assert Upload.objects.get(pk=checking.pk).status == S.EXPIRED


def test_a_second_confirm_commits_nothing_more(client, users, tree):
    client.force_login(users["head"])
    upload = checked(users["head"])
    confirm(client, upload)
    response = confirm(client, upload)
    assert page_messages(response) == ["このアップロードは処理済みです。"]
    assert MonthlyCount.history.count() == 1


def test_only_one_of_two_claims_wins(users, tree):
    upload = checked(users["head"])
    twin = Upload.objects.get(pk=upload.pk)  # the same upload as a second request loads it
    assert states.claim_for_commit(upload) is True
    assert states.claim_for_commit(twin) is False
    assert service.confirm_upload(upload=twin, user=users["head"]).already


# --- concurrent checks per user ------------------------------------------------------------


def test_a_third_upload_while_two_are_checking_is_refused(client, users, tree, settings):
    settings.UPLOAD_MAX_CHECKING_PER_USER = 2
    client.force_login(users["head"])
    received(users["head"]), received(users["head"])
    response = send(client, head_file())
    assert response.status_code == 200
    assert "確認中のアップロードが2件あります" in response.content.decode()
    assert Upload.objects.count() == 2
    # Another user is not held back by them.
    client.force_login(users["admin"])
    assert send(client, head_file()).status_code == 302


def test_checks_that_finished_or_expired_do_not_count(client, users, tree, settings):
    settings.UPLOAD_MAX_CHECKING_PER_USER = 2
    client.force_login(users["head"])
    checked(users["head"]), checked(users["head"])  # ready: no longer checking
    with time_machine.travel(timezone.now() - timedelta(hours=30), tick=False):
        received(users["head"]), received(users["head"])  # stuck, and past expiry
    assert states.checking_count(users["head"]) == 0
    assert send(client, head_file()).status_code == 302


# --- the progress page -----------------------------------------------------------------


def inline_scripts(page: str) -> list[str]:
    """<script> elements with a body or without a src: what the CSP forbids."""
    found = []
    for attrs, body in re.findall(r"<script\b([^>]*)>(.*?)</script>", page, flags=re.S):
        if body.strip() or "src=" not in attrs:
            found.append(attrs + body)
    return found


def test_the_page_of_a_checking_upload_refreshes_itself_without_script(client, users, tree):
    client.force_login(users["head"])
    upload = received(users["head"])
    page = detail(client, upload)
    assert '<meta http-equiv="refresh" content="2">' in page
    assert inline_scripts(page) == []
    assert "ファイルを読み取っています" in page and 'id="confirm-button"' not in page
    states.record_progress(upload, step="checking", rows_read=1200)
    page = detail(client, upload)
    assert "読み取り：1,200行" in page and "内容を確認しています" in page


def test_the_page_of_a_committing_upload_refreshes_itself(client, users, tree):
    client.force_login(users["head"])
    upload = checked(users["head"])
    states.claim_for_commit(upload)
    page = detail(client, upload)
    assert '<meta http-equiv="refresh" content="2">' in page and inline_scripts(page) == []
    assert "登録しています" in page and 'id="confirm-button"' not in page


def test_a_ready_upload_asks_to_be_checked_and_does_not_refresh(client, users, tree):
    client.force_login(users["head"])
    upload = checked(users["head"])
    page = detail(client, upload)
    assert "確認してください" in page and 'id="confirm-button"' in page
    assert 'http-equiv="refresh"' not in page


def test_of_two_uploads_past_the_first_check_at_once_the_later_gives_way(users, tree, settings):
    settings.UPLOAD_MAX_CHECKING_PER_USER = 2
    first, second, third = (received(users["head"]) for _ in range(3))
    # All three passed may_start_check together; only the third is over the limit.
    assert [states.over_check_limit(u) for u in (first, second, third)] == [False, False, True]
    stored = third.file.name
    service.discard_upload(third)
    assert list(Upload.objects.order_by("pk")) == [first, second]
    assert not first.file.storage.exists(stored)

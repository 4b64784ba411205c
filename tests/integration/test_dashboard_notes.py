"""Action notes: written by those responsible for a department, read by the CDXO."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from paperless.models import ActionNote
from tests.integration.dashboard_data import TODAY, counts

pytestmark = pytest.mark.django_db
__all__ = ["counts"]

URL = "/units/110100/notes/new/"
TEXT = "課内の回覧をやめ、会議資料はタブレットで閲覧します。"


@pytest.fixture
def as_user(client, counts, users):
    def login(name: str):
        client.force_login(users[name])
        return client

    with time_machine.travel(TODAY, tick=False):
        yield login


def test_department_head_records_what_they_do(as_user, users):
    client = as_user("head")
    form = client.get(URL)
    assert form.status_code == 200
    assert form.context["form"]["noted_on"].value() == TODAY
    response = client.post(URL, {"text": TEXT, "noted_on": "2023-02-14", "target_month": "2023-03"})
    assert response.status_code == 302 and response.url == "/units/110100/#notes"
    note = ActionNote.objects.get()
    assert (note.department.code, note.author, note.text) == ("110100", users["head"], TEXT)
    assert (note.noted_on, note.target_month) == (date(2023, 2, 14), date(2023, 3, 1))
    assert note.history.count() == 1  # with its history, like every change


def test_note_appears_on_the_department_page_and_in_the_table(as_user):
    as_user("head").post(URL, {"text": TEXT, "noted_on": "2023-02-14"})
    executive = as_user("executive")
    assert TEXT in executive.get("/units/110100/").content.decode()
    rows = {r.record["code"]: r.record for r in executive.get("/").context["table"].rows}
    assert rows["110100"]["note_count"] == 1
    assert rows["110100"]["note_latest"] == date(2023, 2, 14)


def test_manager_above_the_department_may_write_too(as_user):
    response = as_user("manager").post(URL, {"text": TEXT, "noted_on": "2023-02-14"})
    assert response.status_code == 302
    assert ActionNote.objects.count() == 1


@pytest.mark.parametrize("user", ["executive", "admin", "nobody"])
def test_those_not_responsible_cannot_write_notes(as_user, user):
    client = as_user(user)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"text": TEXT, "noted_on": "2023-02-14"}).status_code == 403
    assert not ActionNote.objects.exists()


def test_a_head_cannot_write_for_another_department(as_user):
    client = as_user("head")
    response = client.post("/units/110200/notes/new/", {"text": TEXT, "noted_on": "2023-02-14"})
    assert response.status_code == 403
    # A hand-made form field cannot point the note elsewhere either.
    client.post(URL, {"text": TEXT, "noted_on": "2023-02-14", "department": "4"})
    assert list(ActionNote.objects.values_list("department__code", flat=True)) == ["110100"]


def test_notes_are_for_departments_only(as_user):
    assert as_user("manager").get("/units/110000/notes/new/").status_code == 403


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": "  ", "noted_on": "2023-02-14"}, "取組内容を入力してください。"),
        ({"text": TEXT, "noted_on": "2023-03-01"}, "記入日に未来の日付は入力できません。"),
        ({"text": TEXT, "noted_on": ""}, "記入日を入力してください。"),
        (
            {"text": TEXT, "noted_on": "2023-02-14", "target_month": "3月"},
            "年月は 2023-03 のように YYYY-MM で入力してください。",
        ),
    ],
)
def test_mistakes_are_explained_in_japanese(as_user, data, message):
    response = as_user("head").post(URL, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ActionNote.objects.exists()


def test_department_page_offers_the_note_form_only_to_those_who_may_write(as_user):
    assert URL in as_user("head").get("/units/110100/").content.decode()
    assert URL not in as_user("executive").get("/units/110100/").content.decode()

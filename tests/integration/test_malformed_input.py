"""Malformed input never answers 500: every URL of the rules with hostile values.

The URLs and how to call them come from the rule table of the authorization matrix
(tests/authz_rules.py), so a new URL is walked too. A malformed unit code (NUL, a
control character, longer than any code can be) answers 404 wherever it comes from;
a date or month out of range answers 400 or the page with a message.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

import axes.utils
import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse

from paperless.models import Unit
from tests.authz_rules import RULES, TODAY, allowed_role, case_for, prepare_world, walk_urls

pytestmark = pytest.mark.django_db

CODE_MAX = Unit._meta.get_field("code").max_length
HOSTILE = {
    "NUL": "\x00",
    "NUL in a code": "110100\x00",
    "control character": "1101\x1b00",
    "300 characters": "1" * 300,
    "far future day": "9999-12-31",
    "year zero": "0000-01",
    "far future month": "9999-12",
    "huge number": "9" * 30,
}
# Query parameters that name a unit or a date: each is sent alone as well, so that an
# answer to one (a period error, say) cannot hide what another would do.
CODE_AND_DATE_KEYS = ("unit", "series", "fy", "from", "to", "day", "week", "month")
# Every other query parameter a page reads: choices and free text, sent together.
OTHER_KEYS = ("latest", "kind", "status", "source", "page", "layout", "area", "name", "sort")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_lockout_left_over():
    axes.utils.reset()
    yield
    axes.utils.reset()


def _refuse_nul_as_postgresql_does(execute, sql, params, many, context):
    """PostgreSQL refuses a NUL in a string parameter (psycopg raises ValueError) where
    SQLite stores it: refuse it here too, so that this test finds on SQLite the 500s a
    NUL would give in production."""
    rows = (params or ()) if not many else [p for row in params for p in row]
    if any(isinstance(p, str) and "\x00" in p for p in rows):
        raise ValueError("A string literal cannot contain NUL (0x00) characters.")
    return execute(sql, params, many, context)


@pytest.fixture(autouse=True)
def _database_like_postgresql():
    with connection.execute_wrapper(_refuse_nul_as_postgresql_does):
        yield


@pytest.fixture
def world(tree, users, monkeypatch, settings):
    with time_machine.travel(TODAY, tick=False):
        yield prepare_world(tree, users, settings, monkeypatch)


def _probes():
    """The first probe of each method for every URL: the others differ only in which
    unit or upload they name, and here that is replaced by a hostile value."""
    urls = dict(walk_urls())
    for name in sorted(set(RULES) & set(urls)):
        seen = set()
        for index, probe in enumerate(RULES[name]):
            if probe.method not in seen:
                seen.add(probe.method)
                yield pytest.param(name, index, id=f"{name}[{probe.method}]")


def _path(name: str, kwargs: dict, value: str) -> str:
    """The URL with every path parameter replaced by ``value`` (quoted as a browser would)."""
    if not kwargs:
        return reverse(name)
    marks = {key: f"MARK{i}X" for i, key in enumerate(kwargs)}
    marked = {key: (7 if key == "pk" else marks[key]) for key in kwargs}
    url = reverse(name, kwargs=marked)
    for key in kwargs:
        if key == "pk":
            url = url.replace("/7/", f"/{quote(value, safe='')}/", 1)
        else:
            url = url.replace(marks[key], quote(value, safe=""))
    return url


def _send(client: Client, method: str, url: str, query: dict, data: dict):
    if method == "GET":
        return client.get(url, query)
    if query:
        url = f"{url}?{urlencode(query)}"
    return client.post(url, data)


@pytest.mark.parametrize(("name", "index"), list(_probes()))
def test_no_url_answers_500_to_malformed_input(name, index, world):
    probe = RULES[name][index]
    role = allowed_role(probe) or "admin"
    case = case_for(role, world)
    made = probe.build(case)
    client = Client(raise_request_exception=False)
    if case.user is not None:
        client.force_login(case.user)
    failures = []
    for label, value in HOSTILE.items():
        requests = []
        if made.kwargs:
            requests.append(
                ("path", _path(name, dict(made.kwargs), value), dict(made.query), made.data)
            )
        own_path = reverse(name, kwargs=dict(made.kwargs))
        every = {**made.query, **dict.fromkeys(CODE_AND_DATE_KEYS + OTHER_KEYS, value)}
        requests.append(("every query parameter", own_path, every, made.data))
        if probe.method == "GET":
            for key in CODE_AND_DATE_KEYS:
                requests.append((f"?{key}=", own_path, {**made.query, key: value}, made.data))
        for key in made.data:
            if isinstance(made.data[key], str):
                data = {**made.data, key: value}
                requests.append((f"form {key}", own_path, dict(made.query), data))
        for where, url, query, data in requests:
            response = _send(client, probe.method, url, query, dict(data))
            if response.status_code >= 500:
                failures.append(f"{probe.method} {url} {where} {label}: {response.status_code}")
    assert not failures, "\n".join(failures)


# --- What a malformed code or an out-of-range day answers --------------------------------

MALFORMED_CODES = pytest.mark.parametrize(
    "code", ["\x00", "110100\x00", "1101\x1b00", "\x7f", "1" * (CODE_MAX + 1), "1" * 300]
)
CODE_QUERY_URLS = (
    "paperless:export_csv",
    "paperless:export_xlsx",
    "paperless:meeting_report",
    "paperless:upload_template",
    "paperless:audit",
)


@MALFORMED_CODES
@pytest.mark.parametrize("role", ["head", "admin"])
@pytest.mark.parametrize("name", ["paperless:unit", "paperless:note_create"])
def test_a_malformed_code_in_the_path_is_not_found(client, users, name, role, code):
    client.force_login(users[role])
    url = reverse(name, kwargs={"code": "CODE"}).replace("CODE", quote(code, safe=""))
    assert client.get(url).status_code == 404


@MALFORMED_CODES
@pytest.mark.parametrize("name", CODE_QUERY_URLS)
def test_a_malformed_code_in_the_query_is_not_found(client, users, tree, name, code):
    client.force_login(users["admin"])
    response = client.get(reverse(name), {"unit": code})
    assert response.status_code == 404
    assert "ページが見つかりません" in response.content.decode()


@MALFORMED_CODES
def test_a_malformed_code_in_the_json_query_is_a_json_404(client, users, tree, code):
    client.force_login(users["head"])
    response = client.get(reverse("paperless:summary_json"), {"unit": code})
    assert response.status_code == 404
    assert response.json() == {"error": "この所属コードはありません。"}


@pytest.mark.parametrize(
    ("name", "key"),
    [("paperless:alert_preview", "day"), ("paperless:alert_deliveries", "week")],
)
@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01", "1999-12-31", "2100-01-01"])
def test_a_day_out_of_range_is_a_bad_request(client, users, name, key, value):
    client.force_login(users["admin"])
    response = client.get(reverse(name), {key: value})
    assert response.status_code == 400
    assert "指定が正しくありません" in response.content.decode()


def test_a_day_within_range_still_opens_the_preview(client, users, tree):
    client.force_login(users["admin"])
    response = client.get(reverse("paperless:alert_preview"), {"day": "2099-12-31"})
    assert response.status_code == 200
    assert client.get(reverse("paperless:alert_preview"), {"day": "2023-13-01"}).status_code == 200

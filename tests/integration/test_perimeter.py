"""The perimeter: no authenticated response is stored, and the template tells no codes.

The URLs come from the rule table of the authorization matrix (tests/authz_rules.py),
so a new URL is checked for its Cache-Control header too.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

import axes.utils
import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from tests.authz_rules import (
    RULES,
    TODAY,
    allowed_role,
    case_for,
    prepare_world,
    walk_urls,
)

pytestmark = pytest.mark.django_db

PASSWORD = "pw-Sakai-2022!"  # tests.conftest.make_user


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_lockout_left_over():
    axes.utils.reset()
    yield
    axes.utils.reset()


@pytest.fixture
def world(tree, users, monkeypatch, settings):
    with time_machine.travel(TODAY, tick=False):
        yield prepare_world(tree, users, settings, monkeypatch)


def _probes():
    urls = dict(walk_urls())
    for name in sorted(set(RULES) & set(urls)):
        for index, probe in enumerate(RULES[name]):
            label = f"{probe.method}{' ' + probe.label if probe.label else ''}"
            yield pytest.param(name, index, id=f"{name}[{label}]")


# --- Cache-Control ---------------------------------------------------------------------


@pytest.mark.parametrize(("name", "index"), list(_probes()))
def test_every_response_to_a_signed_in_user_is_private_and_not_stored(name, index, world):
    probe = RULES[name][index]
    role = allowed_role(probe)
    # A page only anonymous visitors get (the login form) is still asked for signed in.
    case = case_for(role if role not in (None, "anonymous") else "admin", world)
    client = Client()
    client.force_login(case.user)
    made = probe.build(case)
    url = reverse(name, kwargs=dict(made.kwargs))
    if probe.method == "GET":
        response = client.get(url, dict(made.query))
    else:
        if made.query:
            url = f"{url}?{urlencode(dict(made.query))}"
        response = client.post(url, dict(made.data))
    if response.status_code == 302 and name == "logout":
        return  # signed out: the answer is to an anonymous visitor
    assert response["Cache-Control"] == "private, no-store", (name, response.status_code)


def test_the_answer_to_a_sign_in_is_not_stored(client, users):
    response = client.post(reverse("login"), {"username": "head", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"


def test_an_uploaded_original_is_not_stored(client, world, users):
    client.force_login(users["admin"])
    upload = world.uploads["sakai_shimin"]
    response = client.get(reverse("paperless:upload_download", kwargs={"pk": upload.pk}))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


# --- The template tells no codes ---------------------------------------------------------


def _without_csrf_token(body: bytes) -> str:
    # The logout form's token is masked anew for every response.
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body.decode())


def test_the_template_answers_an_unknown_and_another_units_code_alike(client, users, tree):
    client.force_login(users["head"])
    url = reverse("paperless:upload_template")
    unknown = client.get(url, {"unit": "999999"})
    other = client.get(url, {"unit": tree["naka_shimin"].code})
    assert unknown.status_code == other.status_code == 403
    assert _without_csrf_token(unknown.content) == _without_csrf_token(other.content)
    own = client.get(url, {"unit": tree["sakai_shimin"].code})
    assert own.status_code == 200
    assert own["Content-Disposition"].startswith("attachment")

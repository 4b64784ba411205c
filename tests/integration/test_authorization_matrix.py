"""Every URL × every role → the expected answer, generated from the URL configuration.

The URLs come from Django's resolver, not from a list kept by hand: a URL added without
an entry in tests/authz_rules.py fails here with "new URL without an authorization
rule". The Django admin's generated pages are covered by the admin tests at the end.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlencode, urlsplit

import pytest
import time_machine
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse

from tests.authz_rules import (
    LOGIN,
    REFUSED,
    REJECTED,
    ROLES,
    RULES,
    TODAY,
    Case,
    Probe,
    case_for,
    prepare_world,
    walk_urls,
)

pytestmark = pytest.mark.django_db

URLS = dict(walk_urls())


def _matrix_params() -> Iterator:
    for name in sorted(URLS):
        probes = RULES.get(name)
        if probes is None:
            yield pytest.param(name, None, None, id=f"{name}-NO-RULE")
            continue
        for index, probe in enumerate(probes):
            label = f"{probe.method}{' ' + probe.label if probe.label else ''}"
            for role in ROLES:
                yield pytest.param(name, index, role, id=f"{name}[{label}]-{role}")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Eight users a test: the default hasher's slowness protects passwords, not tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(tree, users, monkeypatch, settings):
    with time_machine.travel(TODAY, tick=False):
        yield prepare_world(tree, users, settings, monkeypatch)


@pytest.mark.parametrize(("name", "probe_index", "role"), list(_matrix_params()))
def test_authorization_matrix(name, probe_index, role, world, client):
    if probe_index is None:
        pytest.fail(
            f"new URL without an authorization rule: {name} ({URLS[name]!r}). "
            "Add an entry to RULES in tests/authz_rules.py saying what every role gets."
        )
    probe = RULES[name][probe_index]
    case = case_for(role, world)
    if case.user is not None:
        client.force_login(case.user)
    expected = probe.expect[role]
    before = probe.effect(case) if probe.effect else None

    response = _send(client, name, probe, case)

    where = f"{probe.method} {name} {probe.label} as {role}"
    assert response.status_code in expected.statuses, (
        f"{where}: expected {expected.label}, got {response.status_code}"
        + (f" → {response.get('Location')}" if response.status_code in (301, 302) else "")
    )
    login_path = resolve_url(settings.LOGIN_URL)
    if expected.to_login:
        assert urlsplit(response["Location"]).path == login_path, where
    elif response.status_code == 302:
        assert urlsplit(response["Location"]).path != login_path, (
            f"{where}: a signed-in user was sent to the login page"
        )
    if probe.effect and expected in (REFUSED, REJECTED, LOGIN):
        assert probe.effect(case) == before, f"{where}: refused, but something was written"
    if probe.check and expected not in (REFUSED, REJECTED, LOGIN):
        probe.check(case, response)


def _send(client: Client, name: str, probe: Probe, case: Case):
    made = probe.build(case)
    url = reverse(name, kwargs=dict(made.kwargs))
    if probe.method == "GET":
        return client.get(url, dict(made.query))
    if made.query:
        url = f"{url}?{urlencode(dict(made.query))}"
    return client.post(url, dict(made.data))


def test_every_rule_names_an_existing_url():
    stale = sorted(set(RULES) - set(URLS))
    assert not stale, f"rules for URLs that no longer exist (remove or rename): {stale}"


def test_matrix_covers_more_than_the_login_pages():
    assert "paperless:home" in URLS and len(URLS) >= 3


# --- The Django admin: its many generated pages are refused the same way. ------------------


@pytest.mark.parametrize("role", ["head", "manager", "executive", "nobody"])
def test_admin_sends_non_administrators_to_its_login(client, users, role):
    client.force_login(users[role])
    response = client.get("/admin/paperless/unit/")
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == reverse("admin:login")


def test_admin_opens_for_administrators(client, users):
    client.force_login(users["admin"])
    assert client.get("/admin/").status_code == 200


def test_staff_flag_without_the_administrator_role_does_not_open_the_admin(client, users):
    executive = users["executive"]
    executive.is_staff = True
    executive.save()
    client.force_login(executive)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == reverse("admin:login")

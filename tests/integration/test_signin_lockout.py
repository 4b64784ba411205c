"""Sign-in that only its owner can lose: the lockout counts a user name from one address.

Both attacks of the review are replayed through the real login view: failures for a
user from one address must not lock that user anywhere else, and failures for made-up
names must not lock a real user behind the same address (a city behind one proxy).
The client address is REMOTE_ADDR unless a trusted proxy forwarded the request.
"""

from __future__ import annotations

from datetime import timedelta

import axes.utils
import pytest
import time_machine
from django.conf import settings
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from paperless.access.client_address import client_address

pytestmark = pytest.mark.django_db

PASSWORD = "pw-Sakai-2022!"  # tests.conftest.make_user
LIMIT = settings.AXES_FAILURE_LIMIT
X, Y = "203.0.113.10", "203.0.113.20"
PROXY = "10.0.0.5"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_lockout_left_over():
    axes.utils.reset()
    yield
    axes.utils.reset()


def sign_in(username: str, password: str, address: str, forwarded: str | None = None):
    """One sign-in through the login view, from a fresh browser at ``address``."""
    extra = {"REMOTE_ADDR": address}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return Client().post(reverse("login"), {"username": username, "password": password}, **extra)


def fail(username: str, address: str, times: int = LIMIT, forwarded: str | None = None) -> None:
    for _ in range(times):
        response = sign_in(username, "wrong-password", address, forwarded)
        assert response.status_code in (200, 429)


def signed_in(response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.client.session


def locked(response) -> bool:
    return (
        response.status_code == 429 and "ログインを一時停止しています" in response.content.decode()
    )


# --- The two attacks ------------------------------------------------------------------


def test_failures_from_one_address_do_not_lock_the_user_from_another(users):
    fail("head", X, times=LIMIT * 3)
    assert locked(sign_in("head", PASSWORD, X))
    assert signed_in(sign_in("head", PASSWORD, Y))


def test_failures_for_made_up_names_do_not_lock_a_real_user_at_that_address(users):
    for i in range(LIMIT * 3):
        fail(f"no-such-user-{i}", X, times=1)
    fail("admin-typo", X, times=LIMIT * 2)
    assert signed_in(sign_in("head", PASSWORD, X))


def test_another_users_failures_do_not_lock_a_user_at_that_address(users):
    fail("admin", X, times=LIMIT * 2)
    assert signed_in(sign_in("head", PASSWORD, X))
    assert locked(sign_in("admin", PASSWORD, X))


def test_a_user_is_locked_by_their_own_failures_from_their_address(users):
    fail("head", X, times=LIMIT - 1)
    assert signed_in(sign_in("head", PASSWORD, X))  # a success clears the count
    fail("head", X, times=LIMIT)
    assert locked(sign_in("head", PASSWORD, X))


def test_the_lock_wears_off_after_the_cool_off_time(users):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        fail("head", X)
        assert locked(sign_in("head", PASSWORD, X))
    with time_machine.travel(start + settings.AXES_COOLOFF_TIME + timedelta(seconds=1)):
        assert signed_in(sign_in("head", PASSWORD, X))


# --- Which address: REMOTE_ADDR, or X-Forwarded-For from a trusted proxy --------------------


def test_x_forwarded_for_is_ignored_without_a_trusted_proxy(users, settings):
    settings.TRUSTED_PROXIES = []
    for i in range(LIMIT):  # a new forged address each time does not help the attacker
        fail("head", X, times=1, forwarded=f"198.51.100.{i}")
    assert locked(sign_in("head", PASSWORD, X, forwarded="198.51.100.200"))
    # Nor can a forged header put the failures on someone else's address.
    fail("manager", Y, forwarded=X)
    assert signed_in(sign_in("manager", PASSWORD, X))


def test_x_forwarded_for_is_honoured_from_a_trusted_proxy(users, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    fail("head", PROXY, forwarded=X)
    assert locked(sign_in("head", PASSWORD, PROXY, forwarded=X))
    # The same user behind the same proxy, from another desk, signs in.
    assert signed_in(sign_in("head", PASSWORD, PROXY, forwarded=Y))


def test_behind_a_trusted_proxy_a_forged_entry_does_not_move_the_failures(users, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    # The attacker at X sends "Y" first; the proxy appends the address it saw (X).
    fail("head", PROXY, forwarded=f"{Y}, {X}")
    assert signed_in(sign_in("head", PASSWORD, PROXY, forwarded=Y))
    assert locked(sign_in("head", PASSWORD, PROXY, forwarded=X))


# --- client_address itself -------------------------------------------------------------


def _address(remote: str, forwarded: str | None = None) -> str | None:
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **extra))


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        (X, None, X),
        (X, Y, X),  # not from a proxy: the header is the client's own words
        (PROXY, None, PROXY),
        (PROXY, Y, Y),
        (PROXY, f"{X}, {Y}", Y),  # the right-most entry is the proxy's
        (PROXY, f"{X}, 10.0.0.7", X),  # 10.0.0.7 is a trusted proxy too (network)
        (PROXY, "10.0.0.6, 10.0.0.7", PROXY),  # only proxies: the nearest one
        (PROXY, f"{X}, not-an-address", PROXY),  # unreadable: trust nothing beyond
        (PROXY, f"{X}:51234", X),
        (PROXY, "[2001:db8::1]:443", "2001:db8::1"),
        (PROXY, "::ffff:203.0.113.10", X),
        ("", Y, None),
    ],
)
def test_client_address(settings, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = [PROXY, "10.0.0.0/29"]
    assert _address(remote, forwarded) == expected


def test_the_lockout_uses_the_combination_and_the_client_address():
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AXES_CLIENT_IP_CALLABLE == "paperless.access.client_address.client_address"

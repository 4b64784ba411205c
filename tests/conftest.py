"""Shared fixtures: a small org tree, users per role, and the service switches.

Service and browser tests skip on a laptop without the service, but fail in CI,
where .ci/run sets PAPERLESS_REQUIRE_SERVICES=1 and PAPERLESS_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import os
from datetime import date

import pytest
from django.contrib.auth.models import Group, User

from paperless.access import permissions
from paperless.models import Membership, MonthlyCount, Unit

REQUIRE_SERVICES = os.environ.get("PAPERLESS_REQUIRE_SERVICES") == "1"
REQUIRE_BROWSER = os.environ.get("PAPERLESS_REQUIRE_BROWSER") == "1"


def service_unavailable(reason: str) -> None:
    """Skip locally, fail in CI: a required service that is not there is a failure."""
    if REQUIRE_SERVICES:
        pytest.fail(f"required service unavailable: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _private_upload_root(settings, tmp_path):
    settings.UPLOAD_ROOT = tmp_path / "uploads"


@pytest.fixture(autouse=True)
def _on_commit_as_in_production(monkeypatch):
    """Run ``transaction.on_commit`` callbacks as a request in production would see them.

    A view runs in autocommit, so a callback registered outside any atomic block runs at
    once (the upload views queue their tasks this way). A test's own transaction would
    hold them until its rollback, which drops them: here the test's blocks do not count.
    """
    from django.db.backends.base.base import BaseDatabaseWrapper

    real = BaseDatabaseWrapper.on_commit

    def on_commit(self, func, robust=False):
        if self.in_atomic_block and all(
            getattr(block, "_from_testcase", False) for block in self.atomic_blocks
        ):
            func()
        else:
            real(self, func, robust)

    monkeypatch.setattr(BaseDatabaseWrapper, "on_commit", on_commit)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: the dashboard caches its figures, and ids
    rolled back with a test's transaction come back in the next test."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def tree(db) -> dict[str, Unit]:
    """City → 堺区役所 (2 departments), 中区役所 (1), 財政局 (1 division → 1 department)."""
    k = Unit.Kind
    city = Unit.objects.create(code="100000", name="堺市", kind=k.CITY)
    sakai = Unit.objects.create(code="110000", name="堺区役所", kind=k.WARD_OFFICE, parent=city)
    naka = Unit.objects.create(code="120000", name="中区役所", kind=k.WARD_OFFICE, parent=city)
    bureau = Unit.objects.create(code="200000", name="財政局", kind=k.BUREAU, parent=city)
    division = Unit.objects.create(code="201000", name="税務部", kind=k.DIVISION, parent=bureau)
    units = {
        "city": city,
        "sakai": sakai,
        "naka": naka,
        "bureau": bureau,
        "division": division,
        "sakai_shimin": Unit.objects.create(
            code="110100",
            name="堺区 市民課",
            kind=k.DEPARTMENT,
            parent=sakai,
            head_emails="shimin.sakai@city.sakai.example",
        ),
        "sakai_kikaku": Unit.objects.create(
            code="110200",
            name="堺区 企画総務課",
            kind=k.DEPARTMENT,
            parent=sakai,
            head_emails="kikaku.sakai@city.sakai.example",
        ),
        "naka_shimin": Unit.objects.create(
            code="120100",
            name="中区 市民課",
            kind=k.DEPARTMENT,
            parent=naka,
            head_emails="shimin.naka@city.sakai.example",
        ),
        "zeimu": Unit.objects.create(
            code="201100",
            name="市民税課",
            kind=k.DEPARTMENT,
            parent=division,
            head_emails="shiminzei@city.sakai.example",
        ),
    }
    return units


def make_user(username: str, role: str | None, units: list[Unit] = ()) -> User:
    user = User.objects.create_user(username, f"{username}@city.sakai.example", "pw-Sakai-2022!")
    if role:
        # get_or_create: a transactional test before this one may have flushed the groups
        # that the 0002_roles migration created.
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    for unit in units:
        Membership.objects.create(user=user, unit=unit)
    return user


@pytest.fixture
def users(tree) -> dict[str, User]:
    admin = make_user("admin", permissions.ADMINISTRATOR)
    admin.is_staff = True
    admin.save()
    return {
        "head": make_user("head", permissions.DEPARTMENT_HEAD, [tree["sakai_shimin"]]),
        "manager": make_user("manager", permissions.MANAGER, [tree["sakai"]]),
        "executive": make_user("executive", permissions.EXECUTIVE),
        "admin": admin,
        "nobody": make_user("nobody", None),
    }


def add_counts(unit: Unit, months: list[date], print_sheets: int, copy_sheets: int, excluded=None):
    MonthlyCount.objects.bulk_create(
        MonthlyCount(
            department=unit,
            month=m,
            print_sheets=print_sheets,
            copy_sheets=copy_sheets,
            excluded_sheets=excluded,
        )
        for m in months
    )

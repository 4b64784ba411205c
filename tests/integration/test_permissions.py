"""paperless.access.permissions: which units each role may see, upload for and write about."""

from __future__ import annotations

import pytest

from paperless.access import permissions
from paperless.models import Upload
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def codes(tree, ids: set[int]) -> set[str]:
    return {u.code for u in tree.values() if u.pk in ids}


def test_each_role_sees_its_units(tree, users):
    assert codes(tree, permissions.visible_unit_ids(users["head"])) == {"110100"}
    assert codes(tree, permissions.visible_unit_ids(users["manager"])) == {
        "110000",
        "110100",
        "110200",
    }
    assert len(permissions.visible_unit_ids(users["executive"])) == len(tree)
    assert len(permissions.visible_unit_ids(users["admin"])) == len(tree)
    assert permissions.visible_unit_ids(users["nobody"]) == set()


def test_a_unit_without_a_role_gives_nothing(tree):
    # A membership alone is not a role: someone must also put the user in a group.
    member = make_user("member", None, [tree["sakai"]])
    assert permissions.visible_unit_ids(member) == set()
    assert not permissions.can_upload_for(member, tree["sakai_shimin"])


def test_upload_rights_follow_the_role(tree, users):
    dept, sibling, ward = tree["sakai_shimin"], tree["sakai_kikaku"], tree["sakai"]
    assert permissions.can_upload_for(users["head"], dept)
    assert not permissions.can_upload_for(users["head"], sibling)
    assert not permissions.can_upload_for(users["head"], ward)
    assert permissions.can_upload_for(users["manager"], sibling)
    assert permissions.can_upload_for(users["manager"], ward)  # one file for the ward
    assert not permissions.can_upload_for(users["manager"], tree["naka_shimin"])
    assert not permissions.can_upload_for(users["executive"], dept)
    assert permissions.can_upload_for(users["admin"], tree["naka"])
    assert not permissions.can_upload_for(users["nobody"], dept)


def test_several_units_for_one_head(tree):
    head = make_user("two", permissions.DEPARTMENT_HEAD, [tree["sakai_shimin"], tree["zeimu"]])
    assert codes(tree, permissions.uploadable_unit_ids(head)) == {"110100", "201100"}


def _upload(user, scope) -> Upload:
    return Upload.objects.create(
        original_name="x.xlsx", sha256="0" * 64, uploaded_by=user, scope=scope
    )


def test_who_may_see_an_upload(tree, users):
    own = _upload(users["head"], tree["sakai_shimin"])
    other_head = make_user("kikaku", permissions.DEPARTMENT_HEAD, [tree["sakai_kikaku"]])
    sibling = _upload(other_head, tree["sakai_kikaku"])
    assert permissions.can_view_upload(users["head"], own)
    assert not permissions.can_view_upload(users["head"], sibling)
    assert permissions.can_view_upload(users["manager"], sibling)  # in the manager's ward
    assert permissions.can_view_upload(users["admin"], sibling)
    assert not permissions.can_view_upload(users["executive"], sibling)
    assert not permissions.can_view_upload(users["nobody"], own)


def test_only_the_sender_or_an_administrator_confirms_an_upload(tree, users):
    pending = _upload(users["head"], tree["sakai_shimin"])
    assert permissions.can_change_upload(users["head"], pending)
    assert permissions.can_change_upload(users["admin"], pending)
    assert not permissions.can_change_upload(users["manager"], pending)
    head = users["head"]
    head.groups.clear()  # the sender lost the role since
    del head._paperless_roles
    assert not permissions.can_change_upload(head, pending)


def test_notes_are_written_by_heads_and_managers_only(tree, users):
    dept = tree["sakai_shimin"]
    assert permissions.can_write_note(users["head"], dept)
    assert permissions.can_write_note(users["manager"], dept)
    assert not permissions.can_write_note(users["head"], tree["sakai_kikaku"])
    assert not permissions.can_write_note(users["executive"], dept)
    assert not permissions.can_write_note(users["admin"], dept)
    assert not permissions.can_write_note(users["manager"], tree["sakai"])  # not a department


def test_alerts_and_audit_are_for_administrators(users):
    for role, allowed in [("admin", True), ("executive", False), ("head", False)]:
        assert permissions.can_manage_alerts(users[role]) is allowed
        assert permissions.can_view_audit(users[role]) is allowed


def test_administrator_role_carries_the_admin_permissions(users):
    assert users["admin"].has_perm("paperless.change_unit")
    assert users["admin"].has_perm("auth.change_user")
    assert users["admin"].has_perm("django_celery_beat.change_periodictask")
    assert users["admin"].has_module_perms("paperless")
    assert not users["executive"].has_perm("paperless.change_unit")
    admin = users["admin"]
    admin.is_active = False
    assert not admin.has_perm("paperless.change_unit")


def test_visible_units_take_a_fixed_number_of_queries(tree, users, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        permissions.visible_unit_ids(users["manager"])

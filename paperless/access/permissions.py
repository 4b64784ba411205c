"""Which units a user may see and upload for. Every view, export, command and link asks here.

Roles are Django groups assigned in the admin; the units come from Membership.
  所属長          department head: own department(s), view and upload
  区長・局長       manager: own subtree, view and upload
  市長・CDXO・幹部  executive: everything, view only
  管理者          administrator: everything, and the master data

Views ask the narrowest question: ``page_unit`` for a dashboard page, export, report
or summary (the unit asked for, or the user's home unit, and the units they may see),
``can_upload`` and ``require_upload_for`` for the upload pages and templates,
``visible_upload_or_403``, ``can_change_upload`` and ``can_list_every_upload`` for
stored uploads, ``can_write_note``, ``can_manage_alerts``, ``can_manage_devices`` and
``can_view_audit``; ``require`` turns a refusal into 403. The importer asks
``uploadable_unit_ids`` for a file's scope. Only decisions live here: the tree,
memberships, groups and uploads come from ``paperless.reads``. tests/authz_rules.py
states the same rules per URL.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from paperless.models import Unit, Upload
from paperless.reads import units, uploads, users

DEPARTMENT_HEAD = "所属長"
MANAGER = "区長・局長"
EXECUTIVE = "市長・CDXO・幹部"
ADMINISTRATOR = "管理者"
ROLES = (DEPARTMENT_HEAD, MANAGER, EXECUTIVE, ADMINISTRATOR)

User = AbstractBaseUser | AnonymousUser


def role_names(user: User) -> frozenset[str]:
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_paperless_roles", None)
    if cached is None:
        cached = users.group_names(user)
        if user.is_superuser:
            cached |= {ADMINISTRATOR}
        user._paperless_roles = cached
    return cached


def is_administrator(user: User) -> bool:
    return ADMINISTRATOR in role_names(user)


def sees_everything(user: User) -> bool:
    return bool(role_names(user) & {EXECUTIVE, ADMINISTRATOR})


def visible_unit_ids(user: User) -> set[int]:
    """Primary keys of every unit the user may see (two or three queries, any tree size)."""
    roles = role_names(user)
    if not roles:
        return set()
    tree = units.unit_tree()
    if sees_everything(user):
        return set(tree.kinds)
    if roles & {DEPARTMENT_HEAD, MANAGER}:
        return tree.subtree(units.member_unit_ids(user))
    return set()


def visible_ids_or_all(user: User) -> set[int] | None:
    """The units the user may see; None for those who see everything (nothing to filter)."""
    return None if sees_everything(user) else visible_unit_ids(user)


def uploadable_unit_ids(user: User) -> set[int]:
    """Departments the user may upload counts for."""
    roles = role_names(user)
    tree = units.unit_tree()
    if ADMINISTRATOR in roles:
        ids = set(tree.kinds)
    elif roles & {DEPARTMENT_HEAD, MANAGER}:
        ids = tree.subtree(units.member_unit_ids(user))
    else:
        ids = set()
    return {pk for pk in ids if tree.kinds.get(pk) == Unit.Kind.DEPARTMENT}


def can_upload(user: User) -> bool:
    return bool(role_names(user) & {DEPARTMENT_HEAD, MANAGER, ADMINISTRATOR})


def home_unit(user: User) -> Unit | None:
    """The unit a user's dashboard opens on: the city for executives, else their first unit."""
    if sees_everything(user):
        return units.root_unit()
    return units.first_member_unit(user)


def page_unit(user: User, code: str | None) -> tuple[Unit | None, set[int] | None]:
    """The unit a dashboard page, export, report or summary shows, and the visible units.

    Without a code, the user's home unit. The unit is None when the user may not see
    it, and also for a code that does not exist, so that the answer does not reveal
    which codes exist; only for those who see everything does an unknown code raise
    Http404. The visible units are None for those who see everything.
    """
    visible = visible_ids_or_all(user)
    unit = units.unit_by_code(code) if code else home_unit(user)
    if unit is None and code and visible is None:
        raise Http404
    if unit is None or (visible is not None and unit.pk not in visible):
        return None, visible
    return unit, visible


def upload_scope_ids(user: User) -> set[int]:
    """Every unit (of any kind) a user may upload for as a whole: their subtrees.

    A manager may send one file for their ward office; a department head only for
    their department(s). Administrators may upload for any unit.
    """
    roles = role_names(user)
    if ADMINISTRATOR in roles:
        return set(units.unit_tree().kinds)
    if roles & {DEPARTMENT_HEAD, MANAGER}:
        return units.unit_tree().subtree(units.member_unit_ids(user))
    return set()


def can_upload_for(user: User, unit: Unit) -> bool:
    """May the user send counts for this unit (a department, or a whole subtree)?"""
    if not can_upload(user):
        return False
    if unit.is_department:
        return unit.pk in uploadable_unit_ids(user)
    return unit.pk in upload_scope_ids(user)


def can_view_upload(user: User, upload: Upload) -> bool:
    """Who may see an upload and download its original file.

    The person who sent it, administrators, and those who may upload for its scope
    (the department's other heads, the manager above it). Executives see the figures,
    not the files: an original may hold more than the counts.
    """
    if not user.is_authenticated:
        return False
    if is_administrator(user) or (upload.uploaded_by_id and upload.uploaded_by_id == user.pk):
        return True
    return upload.scope_id is not None and upload.scope_id in upload_scope_ids(user)


def can_list_every_upload(user: User) -> bool:
    """The upload list shows administrators every upload, everyone else their own."""
    return is_administrator(user)


def can_change_upload(user: User, upload: Upload) -> bool:
    """Confirming or cancelling a pending upload: only its sender or an administrator."""
    if not user.is_authenticated:
        return False
    if is_administrator(user):
        return True
    return (
        bool(upload.uploaded_by_id)
        and upload.uploaded_by_id == user.pk
        and can_upload(user)
        and (upload.scope_id is None or upload.scope_id in upload_scope_ids(user))
    )


def can_write_note(user: User, department: Unit) -> bool:
    """Action notes come from those responsible for the department: its heads and the
    managers above it. Executives only read them; administrators correct them in the
    admin, where every change is kept in the history."""
    return (
        department.is_department
        and bool(role_names(user) & {DEPARTMENT_HEAD, MANAGER})
        and department.pk in uploadable_unit_ids(user)
    )


def can_manage_alerts(user: User) -> bool:
    """The alert schedule and the delivery records belong to the administrators."""
    return is_administrator(user)


def can_manage_devices(user: User) -> bool:
    """The device register and the meter readings feed every department: administrators."""
    return is_administrator(user)


def can_view_audit(user: User) -> bool:
    """The change history (who changed what, when) is read by administrators only."""
    return is_administrator(user)


def require(allowed: bool) -> None:
    """Raise 403 unless allowed; views call it right after loading the object."""
    if not allowed:
        raise PermissionDenied


def require_upload_for(user: User, unit: Unit) -> None:
    require(can_upload_for(user, unit))


def visible_upload_or_403(user: User, pk: int) -> Upload:
    """The upload with this key if the user may see it: 404 when unknown, 403 when not theirs."""
    upload = uploads.upload_by_pk(pk)
    if upload is None:
        raise Http404
    require(can_view_upload(user, upload))
    return upload


class AdministratorRoleBackend:
    """Gives the 管理者 role every model permission of the admin, so the role is the group.

    Roles live in code, not in per-group permission rows: an administrator assigned in the
    admin can at once run the org master, users, roles, policy and the alert schedule.
    Read-only records stay read-only (their admins refuse change and delete outright).
    It authenticates nobody; the other backends do that.
    """

    def authenticate(self, request, **credentials) -> None:
        return None

    def get_user(self, user_id: int) -> None:
        return None

    def has_perm(self, user_obj: User, perm: str, obj=None) -> bool:
        return bool(user_obj.is_active and is_administrator(user_obj))

    def has_module_perms(self, user_obj: User, app_label: str) -> bool:
        return self.has_perm(user_obj, app_label)

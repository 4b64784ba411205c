"""Which units a user may see and upload for. Every view, export and link asks here.

Roles are Django groups assigned in the admin; the units come from Membership.
  所属長          department head: own department(s), view and upload
  区長・局長       manager: own subtree, view and upload
  市長・CDXO・幹部  executive: everything, view only
  管理者          administrator: everything, and the master data
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from .models import Membership, Unit

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
        cached = frozenset(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            cached |= {ADMINISTRATOR}
        user._paperless_roles = cached
    return cached


def is_administrator(user: User) -> bool:
    return ADMINISTRATOR in role_names(user)


def sees_everything(user: User) -> bool:
    return bool(role_names(user) & {EXECUTIVE, ADMINISTRATOR})


def _children_map() -> tuple[dict[int | None, list[int]], dict[int, str]]:
    children: dict[int | None, list[int]] = {}
    kinds: dict[int, str] = {}
    for pk, parent_id, kind in Unit.objects.values_list("pk", "parent_id", "kind"):
        children.setdefault(parent_id, []).append(pk)
        kinds[pk] = kind
    return children, kinds


def visible_codes(user: User) -> set[str]:
    """Codes of the units the user may see (for filtering metric frames, indexed by code)."""
    ids = visible_unit_ids(user)
    return set(Unit.objects.filter(pk__in=ids).values_list("code", flat=True)) if ids else set()


def subtree_ids(roots: Iterable[int], children: dict[int | None, list[int]]) -> set[int]:
    seen: set[int] = set()
    stack = list(roots)
    while stack:
        pk = stack.pop()
        if pk not in seen:
            seen.add(pk)
            stack.extend(children.get(pk, ()))
    return seen


def _member_unit_ids(user: User) -> list[int]:
    return list(Membership.objects.filter(user=user).values_list("unit_id", flat=True))


def visible_unit_ids(user: User) -> set[int]:
    """Primary keys of every unit the user may see (two or three queries, any tree size)."""
    roles = role_names(user)
    if not roles:
        return set()
    children, kinds = _children_map()
    if sees_everything(user):
        return set(kinds)
    return (
        subtree_ids(_member_unit_ids(user), children)
        if roles & {DEPARTMENT_HEAD, MANAGER}
        else set()
    )


def uploadable_unit_ids(user: User) -> set[int]:
    """Departments the user may upload counts for."""
    roles = role_names(user)
    children, kinds = _children_map()
    if ADMINISTRATOR in roles:
        ids = set(kinds)
    elif roles & {DEPARTMENT_HEAD, MANAGER}:
        ids = subtree_ids(_member_unit_ids(user), children)
    else:
        ids = set()
    return {pk for pk in ids if kinds.get(pk) == Unit.Kind.DEPARTMENT}


def can_view_unit(user: User, unit: Unit) -> bool:
    return unit.pk in visible_unit_ids(user)


def can_upload(user: User) -> bool:
    return bool(role_names(user) & {DEPARTMENT_HEAD, MANAGER, ADMINISTRATOR})


def home_unit(user: User) -> Unit | None:
    """The unit a user's dashboard opens on: the city for executives, else their first unit."""
    if sees_everything(user):
        return Unit.objects.filter(parent__isnull=True).order_by("sort_order", "code").first()
    membership = (
        Membership.objects.filter(user=user).select_related("unit").order_by("unit__code").first()
    )
    return membership.unit if membership else None

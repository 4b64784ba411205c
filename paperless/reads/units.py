"""Units of the org tree as pages, permissions and the importer look them up.

The tree as ids (one query, whatever its size), single units by code or key, the
units a user is a member of, and the department lists of forms and templates. Which
of these a user may see or upload for is decided in ``paperless.access.permissions``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import QuerySet

from paperless.core.tree import subtree_ids
from paperless.models import Membership, Unit


@dataclass(frozen=True)
class UnitTree:
    """The org tree as primary keys: each unit's children (the root under None) and kind."""

    children: dict[int | None, list[int]]
    kinds: dict[int, str]

    def subtree(self, roots: Iterable[int]) -> set[int]:
        """The ``roots`` and every unit below them."""
        return subtree_ids(roots, self.children)


def unit_tree() -> UnitTree:
    """The whole tree (one query)."""
    children: dict[int | None, list[int]] = {}
    kinds: dict[int, str] = {}
    for pk, parent_id, kind in Unit.objects.values_list("pk", "parent_id", "kind"):
        children.setdefault(parent_id, []).append(pk)
        kinds[pk] = kind
    return UnitTree(children, kinds)


def subtree_of(code: str) -> set[int]:
    """The unit with this code and every unit below it; empty for an unknown code (one query)."""
    children: dict[int | None, list[int]] = {}
    root = None
    for pk, parent, unit_code in Unit.objects.values_list("pk", "parent_id", "code"):
        children.setdefault(parent, []).append(pk)
        root = pk if unit_code == code else root
    return subtree_ids([root] if root is not None else [], children)


def child_codes(unit: Unit, visible_ids: set[int] | None) -> set[str]:
    """The codes of the unit's children that the user sees (None: all) (one query)."""
    children = Unit.objects.filter(parent=unit).values_list("pk", "code")
    return {code for pk, code in children if visible_ids is None or pk in visible_ids}


def parent_ids() -> dict[int, int | None]:
    """Each unit's parent, by primary key (one query)."""
    return dict(Unit.objects.values_list("id", "parent_id"))


def root_unit() -> Unit | None:
    """The top of the tree (the city), or None before the org master is loaded."""
    return Unit.objects.filter(parent__isnull=True).order_by("sort_order", "code").first()


def unit_by_code(code: str) -> Unit | None:
    return Unit.objects.filter(code=code).first()


def unit_by_pk(pk: int) -> Unit | None:
    return Unit.objects.filter(pk=pk).first()


def department_by_code(code: str) -> Unit | None:
    """The department with this code; None for an unknown code or a unit of another kind."""
    return Unit.objects.filter(code=code, kind=Unit.Kind.DEPARTMENT).first()


def departments() -> QuerySet[Unit]:
    """Every department, as the queryset a filter narrows."""
    return Unit.objects.filter(kind=Unit.Kind.DEPARTMENT)


def active_departments(ids: Iterable[int]) -> list[tuple[str, str]]:
    """(code, name) of the active units among ``ids``, in display order (one query)."""
    rows = (
        Unit.objects.filter(pk__in=list(ids), active=True)
        .order_by("sort_order", "code")
        .values_list("code", "name")
    )
    return list(rows)


def member_unit_ids(user: AbstractBaseUser) -> list[int]:
    """The units the user is a member of (担当所属), by primary key (one query)."""
    return list(Membership.objects.filter(user=user).values_list("unit_id", flat=True))


def first_member_unit(user: AbstractBaseUser) -> Unit | None:
    """The user's member unit with the lowest code, or None (one query)."""
    membership = (
        Membership.objects.filter(user=user).select_related("unit").order_by("unit__code").first()
    )
    return membership.unit if membership else None

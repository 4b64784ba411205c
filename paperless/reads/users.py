"""Users as permissions and commands look them up: their groups, and a user by name."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser


def group_names(user: AbstractBaseUser) -> frozenset[str]:
    """Names of the user's groups, i.e. their roles (one query)."""
    return frozenset(user.groups.values_list("name", flat=True))


def user_by_username(username: str) -> AbstractBaseUser | None:
    """The user with this user name, or None."""
    return get_user_model().objects.filter(username=username).first()

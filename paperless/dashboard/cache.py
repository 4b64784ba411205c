"""The dashboard cache: a page's figures are computed once per change of the data."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache

from paperless.reads.version import data_version

T = TypeVar("T")

CACHE_PREFIX = "paperless:dashboard"


def cached(name: str, parts: tuple[Any, ...], build: Callable[[], T]) -> T:
    """``build()``'s result from the cache, keyed by ``parts`` and the data version.

    The key holds ``reads.version.data_version()``, so any change of counts, units,
    policies or notes makes every cached page stale at once (one query per page).
    """
    seconds = settings.PAPERLESS_DASHBOARD_CACHE_SECONDS
    if not seconds:
        return build()
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    key = f"{CACHE_PREFIX}:{name}:{data_version()}:{digest}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, seconds)
    return value

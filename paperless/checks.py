"""Deployment checks of this project (``manage.py check --deploy``).

Settings that work on one laptop but not on the city's servers: a cache in each
process's memory (every gunicorn worker computes and keeps its own copy of the
dashboard figures: the work is repeated per worker and the memory multiplied), and a
reverse proxy whose forwarded client addresses are not trusted (the sign-in lockout
would see every user as the proxy).
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks

LOCMEM = "django.core.cache.backends.locmem.LocMemCache"


@checks.register(checks.Tags.caches, deploy=True)
def check_shared_cache(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Without debug, a local-memory cache is a mistake: set REDIS_URL."""
    if settings.DEBUG:
        return []
    local = [alias for alias, cache in settings.CACHES.items() if cache.get("BACKEND") == LOCMEM]
    return [
        checks.Warning(
            f"The {alias!r} cache keeps its entries in each process's memory.",
            hint="Set REDIS_URL so that every process shares one cache.",
            id="paperless.W001",
        )
        for alias in local
    ]


@checks.register(checks.Tags.security, deploy=True)
def check_trusted_proxies(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Behind a proxy, the proxy must be named, or every client has the proxy's address."""
    if settings.BEHIND_PROXY and not settings.TRUSTED_PROXIES:
        return [
            checks.Warning(
                "DJANGO_BEHIND_PROXY is on but DJANGO_TRUSTED_PROXIES is empty: the sign-in "
                "lockout counts every client as the proxy's address.",
                hint="Set DJANGO_TRUSTED_PROXIES to the reverse proxy's address(es).",
                id="paperless.W002",
            )
        ]
    return []

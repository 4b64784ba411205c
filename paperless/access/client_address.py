"""The address a request comes from, as the sign-in lockout counts failures by it.

django-axes locks a user name only together with this address, so it must be one a
client cannot choose. It is ``REMOTE_ADDR`` unless that is a proxy named in
``TRUSTED_PROXIES`` (env ``DJANGO_TRUSTED_PROXIES``): then it is the right-most
``X-Forwarded-For`` entry that is not a trusted proxy, the address the city's own proxy
saw. Entries further left are whatever the client sent and are never read; without a
trusted proxy the header is ignored altogether.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def client_address(request: HttpRequest) -> str | None:
    """The client's address for the lockout (``AXES_CLIENT_IP_CALLABLE``)."""
    remote = parse_address(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return None
    proxies = trusted_networks(tuple(settings.TRUSTED_PROXIES))
    if not _trusted(remote, proxies):
        return str(remote)
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = parse_address(hop)
        if address is None:
            # Not written by a proxy we know: nothing left of it can be trusted.
            break
        if not _trusted(address, proxies):
            return str(address)
    return str(remote)


@lru_cache(maxsize=8)
def trusted_networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    """The trusted proxies as networks (a single address is a /32 or /128)."""
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def parse_address(text: str) -> Address | None:
    """An address as a proxy writes it (``1.2.3.4``, ``1.2.3.4:5678``, ``[::1]:5678``);
    None when it is none."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    # An IPv4 client seen through an IPv6 socket is the same client.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: Address, proxies: tuple[Network, ...]) -> bool:
    return any(address in network for network in proxies)


# No account name is longer than Django's user name column; axes stores what it is given.
USERNAME_MAX = 150


def login_username(request: HttpRequest, credentials: dict | None) -> str | None:
    """The user name a failed sign-in is counted under (``AXES_USERNAME_CALLABLE``), cut
    to the longest a real account can have, so that an over-long one is an ordinary
    failure rather than a database error."""
    name = (credentials or {}).get("username")
    if name is None:
        name = request.POST.get("username") if request is not None else None
    return None if name is None else str(name)[:USERNAME_MAX]

"""Values taken from a request (unit codes, days), checked before anything uses them.

A unit code that no unit can have (empty, longer than the code column, a NUL or
another control character) answers 404 wherever it comes from, the path or the query
string: it names nothing, so the answer tells nothing, and such a value never reaches
the database (PostgreSQL refuses a NUL with an error). A day outside the years the
site works with answers 400 instead of overflowing the date arithmetic of a page.
"""

from __future__ import annotations

import unicodedata
from datetime import date

from django.core.exceptions import BadRequest
from django.http import Http404

from paperless.models import Unit

CODE_MAX = Unit._meta.get_field("code").max_length
# Control characters, and lone surrogates that no text encoding can carry.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cs"})
DAY_MIN = date(2000, 1, 1)
DAY_MAX = date(2099, 12, 31)


def is_unit_code(value: str) -> bool:
    """Whether ``value`` could be a unit's code (it may still name no unit)."""
    return 0 < len(value) <= CODE_MAX and not any(
        unicodedata.category(char) in _REFUSED_CATEGORIES for char in value
    )


def unit_code(value: str | None) -> str | None:
    """The unit code a request names, None when it names none; 404 when malformed."""
    if not value:
        return None
    if not is_unit_code(value):
        raise Http404("malformed unit code")
    return value


def day(value: str | None) -> date | None:
    """A YYYY-MM-DD day of the request; None when absent or unreadable (the page uses its
    default), 400 when outside DAY_MIN…DAY_MAX."""
    if not value:
        return None
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        return None
    if not DAY_MIN <= parsed <= DAY_MAX:
        raise BadRequest(f"day out of range: {value!r}")
    return parsed


class UnitCodeConverter:
    """``<unitcode:code>`` in a URL: a malformed code does not match, so the URL is 404."""

    regex = "[^/]+"

    def to_python(self, value: str) -> str:
        if not is_unit_code(value):
            raise ValueError("malformed unit code")
        return value

    def to_url(self, value: str) -> str:
        return value

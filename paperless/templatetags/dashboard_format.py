"""Display formats the dashboard adds: changes in points, per-month and sign-flipped sheets."""

from __future__ import annotations

import math
from typing import Any

from django import template

register = template.Library()


def _missing(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


@register.filter
def points(value: Any) -> str:
    """A change of rate 0.012 → '+1.2pt' (percentage points); nothing → '—'."""
    if _missing(value):
        return "—"
    change = round(float(value) * 100, 1)
    return "±0.0pt" if change == 0 else f"{change:+.1f}pt"


@register.filter
def negate(value: Any) -> Any:
    return None if _missing(value) else -value


@register.filter
def per_month(value: Any, months: Any) -> str:
    """Sheets spread over ``months``: 1,200 over 4 months → '300'."""
    if _missing(value) or not months:
        return "—"
    return f"{math.ceil(float(value) / int(months)):,}"

"""Display formats: rates as 31.2%, sheets with separators, statuses in Japanese."""

import math
from datetime import date

from django import template

from paperless.core import fiscal

register = template.Library()

STATUS_LABELS = {
    "achieved": "達成",
    "lagging": "未達",
    "no_data": "未報告",
    "no_baseline": "基準なし",
}


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


@register.filter
def percent(value, digits: int = 1) -> str:
    """0.312 → '31.2%'; nothing → '—'."""
    if _missing(value) or value == "":
        return "—"
    return f"{float(value) * 100:.{int(digits)}f}%"


@register.filter
def sheets(value) -> str:
    if _missing(value) or value == "":
        return "—"
    return f"{round(float(value)):,}"


@register.filter
def status_label(value) -> str:
    return STATUS_LABELS.get(value, "—")


@register.filter
def month_label(value: date) -> str:
    return fiscal.month_label(value) if value else "—"

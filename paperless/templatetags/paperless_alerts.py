"""Formats the alert e-mails and pages need beyond ``paperless_format``."""

from __future__ import annotations

import math
from datetime import date

from django import template

from paperless.core import wording
from paperless.models import AlertDelivery

register = template.Library()


@register.filter
def status_mark(value) -> str:
    """'lagging' → '▲ 未達' (``wording.status_text``)."""
    return wording.status_text(value)


@register.filter
def gap_text(value, threshold) -> str:
    """What a gap in sheets means: still to cut, or already past the line
    (``wording.gap_text``)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return wording.gap_text(None, float(threshold))
    return wording.gap_text(int(value), float(threshold))


@register.filter
def signed(value) -> str:
    """3 → '+3', -2 → '−2', 0 → '±0'."""
    if value is None:
        return "—"
    number = int(value)
    return f"+{number:,}" if number > 0 else f"−{-number:,}" if number < 0 else "±0"


@register.filter
def month_day(value: date) -> str:
    """date(2023, 1, 10) → '1月10日'."""
    return f"{value.month}月{value.day}日" if value else "—"


@register.filter
def full_date(value: date) -> str:
    """date(2023, 1, 9) → '2023年1月9日'."""
    return f"{value.year}年{value.month}月{value.day}日" if value else "—"


KIND_LABELS = dict(AlertDelivery.Kind.choices)


@register.filter
def kind_label(value) -> str:
    return KIND_LABELS.get(value, str(value))

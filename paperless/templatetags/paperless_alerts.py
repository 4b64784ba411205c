"""Formats the alert e-mails and pages need beyond ``paperless_format``."""

from __future__ import annotations

import math
from datetime import date

from django import template

from paperless.models import AlertDelivery
from paperless.templatetags.paperless_format import STATUS_LABELS, sheets

register = template.Library()

# Status is never told by colour alone: a mark goes with every label.
STATUS_MARKS = {"achieved": "○", "lagging": "▲", "no_data": "－", "no_baseline": "－"}


@register.filter
def status_mark(value) -> str:
    """'lagging' → '▲ 未達'."""
    label = STATUS_LABELS.get(value)
    return f"{STATUS_MARKS[value]} {label}" if label else "—"


@register.filter
def gap_text(value, threshold=None) -> str:
    """What a gap in sheets means: still to cut, or already past the line."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "比較できる実績がありません"
    line = f"{float(threshold) * 100:.0f}%" if threshold is not None else "基準"
    if value > 0:
        return f"{line}まで あと {sheets(value)}枚"
    return f"{line}を達成（{sheets(-value)}枚の余裕）"


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

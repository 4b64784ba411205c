"""Display formats: rates as 31.2%, sheets with separators, statuses in Japanese.

Thin wrappers over ``core.wording``, where every word and rounding is defined once
(DESIGN.md §2, Status): a page says what the e-mails, exports and the report say.
"""

import math
from datetime import date

from django import template

from paperless.core import fiscal, wording

register = template.Library()


def _missing(value) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


@register.filter
def percent(value, digits: int = 1) -> str:
    """0.312 → '31.2%'; nothing → '—'. For a figure without a status (a share, a
    projection); a rate shown with its unit's status goes through ``rate``."""
    if _missing(value):
        return wording.MISSING
    return wording.percent(float(value), None, int(digits))


@register.filter
def rate(value, status=None) -> str:
    """A unit's rate, rounded toward its status: ``{{ row.rate|rate:row.status }}``
    (a lagging 0.2997 → '29.9%')."""
    if _missing(value):
        return wording.MISSING
    return wording.percent(float(value), status or None)


@register.filter
def projected(value, at_risk=None) -> str:
    """A year-end projection, rounded down when it falls short (``at_risk``):
    ``{{ row.projected_rate|projected:row.at_risk }}``."""
    if _missing(value):
        return wording.MISSING
    return wording.percent(float(value), wording.projected_status(bool(at_risk)))


@register.filter
def threshold_text(value) -> str:
    """The threshold or the city goal with the precision it has: 0.325 → '32.5%'."""
    if _missing(value):
        return wording.MISSING
    return wording.threshold_text(float(value))


@register.filter
def sheets(value) -> str:
    if _missing(value):
        return "—"
    return f"{round(float(value)):,}"


@register.filter
def status_label(value) -> str:
    return wording.status_label(value)


@register.filter
def month_label(value: date) -> str:
    return fiscal.month_label(value) if value else "—"


@register.filter
def adjusted_scope(row) -> str:
    """The months a unit's adjusted rate covers: ``{{ row|adjusted_scope }}``
    (``wording.unit_adjusted_scope``)."""
    return wording.unit_adjusted_scope(row)


@register.filter
def explain(figure: str) -> str:
    """The one-line explanation of 'reporting', 'coverage' or 'adjusted'."""
    return wording.EXPLANATIONS.get(figure, "")

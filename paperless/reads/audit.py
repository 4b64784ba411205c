"""The change history as the audit page reads it: versions, the admin log, what they name.

A fixed number of queries per page: the page of versions (with a count), their
previous versions in one query, many-to-many rows in one query per field, and one
query per related model for the names. ``paperless.access.audit`` turns the records
into the rows people read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.contrib.admin.models import LogEntry
from django.core.paginator import Page, Paginator
from django.db import models
from simple_history.utils import get_m2m_reverse_field_name


def history_page(
    model: type[models.Model],
    *,
    filters: dict[str, str],
    page: str | int | None,
    per_page: int,
) -> Page:
    """A page of the model's versions, newest first, with who made them."""
    history = model.history.select_related("history_user").order_by("-history_date", "-history_id")
    if filters:
        history = history.filter(**filters)
    return Paginator(history, per_page).get_page(page)


def admin_log_page(page: str | int | None, per_page: int) -> Page:
    """A page of Django's admin log, newest first, with the user and the content type."""
    log = LogEntry.objects.select_related("user", "content_type").order_by("-action_time", "-id")
    return Paginator(log, per_page).get_page(page)


def previous_versions(model: type[models.Model], records: list[Any]) -> dict[int, Any]:
    """For each version on the page, the version just before it (one query)."""
    pk_name = model._meta.pk.attname
    object_ids = {getattr(r, pk_name) for r in records}
    newest = max(r.history_date for r in records)
    versions: dict[Any, list[Any]] = defaultdict(list)
    for version in model.history.filter(
        **{f"{pk_name}__in": object_ids, "history_date__lte": newest}
    ).order_by("history_date", "history_id"):
        versions[getattr(version, pk_name)].append(version)
    previous = {}
    for object_versions in versions.values():
        for before, after in zip(object_versions, object_versions[1:], strict=False):
            previous[after.history_id] = before
    return previous


def m2m_values(model: type[models.Model], records: Iterable[Any]) -> dict[tuple[int, str], list]:
    """Many-to-many values of each version, e.g. a unit's predecessors (one query a field)."""
    values: dict[tuple[int, str], list] = defaultdict(list)
    historical = model.history.model
    ids = {r.history_id for r in records}
    for field in historical._history_m2m_fields:
        through = getattr(historical, field.name).model
        target = get_m2m_reverse_field_name(field)
        rows = through.objects.filter(history_id__in=ids).values_list("history_id", target)
        for history_id, target_id in rows.order_by(target):
            values[(history_id, field.name)].append(target_id)
    return values


def objects_by_pk(
    wanted: dict[type[models.Model], set],
) -> dict[type[models.Model], dict[Any, models.Model]]:
    """The objects of each model by primary key (one query per model with keys asked)."""
    return {model: model._default_manager.in_bulk(pks) for model, pks in wanted.items() if pks}

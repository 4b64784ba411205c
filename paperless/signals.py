"""Raise the data version when a model the dashboard's figures are made of is saved or
deleted, or a unit's predecessor links change (see ``paperless.data_version``).

Connected in ``PaperlessConfig.ready``. The receivers run inside the save's or delete's
transaction, so the new number commits, or rolls back, with the change.
"""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save

from paperless.data_version import bump
from paperless.models import (
    ActionNote,
    CounterAssignment,
    MeterReading,
    MonthlyCount,
    Policy,
    Succession,
    Unit,
)

VERSIONED = (MonthlyCount, Unit, Succession, Policy, ActionNote, CounterAssignment, MeterReading)
_LINK_ACTIONS = frozenset({"post_add", "post_remove", "post_clear"})


def _changed(sender, *, using: str, **kwargs) -> None:
    bump(using)


def _links_changed(sender, *, action: str, using: str, **kwargs) -> None:
    if action in _LINK_ACTIONS:
        bump(using)


def connect() -> None:
    """Connect the receivers (idempotent: each has a fixed ``dispatch_uid``)."""
    for model in VERSIONED:
        uid = f"paperless-data-version-{model._meta.model_name}"
        post_save.connect(_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}-delete")
    m2m_changed.connect(
        _links_changed,
        sender=Unit.predecessors.through,
        dispatch_uid="paperless-data-version-links",
    )

"""The data version: one row whose number goes up with every committed change of what the
dashboard's figures are made of (counts, units and their predecessor links, policies,
notes, the device register, meter readings).

``dashboard.cache`` keys every page by this number. It is raised by an UPDATE in the
same transaction as the change, so a change becomes visible together with its new number
whatever order concurrent transactions commit in (a table's highest id or row count is
not commit-ordered on PostgreSQL), and a rolled-back change leaves the number as it was.

Three ways in, all through here: the signals of ``paperless.signals`` (a model saved or
deleted, links added or removed), ``VersionedQuerySet`` (the bulk methods that send no
signal), and ``bump`` called by the writers that use SQL of their own (the counts
commit). ``one_bump`` folds the raises of a whole import into one UPDATE.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, models, transaction
from django.db.models import F

VERSION_ROW = 1
# True inside ``one_bump``: the raises in between are folded into the one at its end.
_folded: ContextVar[bool] = ContextVar("paperless_data_version_folded", default=False)


def bump(using: str = DEFAULT_DB_ALIAS) -> None:
    """Raise the data version by one, in the caller's transaction (one UPDATE).

    The row is created by the migration; a database emptied by a test's flush gets it
    back here.
    """
    if _folded.get():
        return
    versions = apps.get_model("paperless", "DataVersion").objects.using(using)
    if not versions.filter(pk=VERSION_ROW).update(number=F("number") + 1):
        versions.get_or_create(pk=VERSION_ROW, defaults={"number": 1})


@contextmanager
def one_bump(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Run the block in a transaction and raise the data version once, at its end.

    Inside an outer transaction no savepoint is made: an error in the block rolls back
    the outer transaction anyway, with its raise.
    """
    if _folded.get():
        yield
        return
    token = _folded.set(True)
    try:
        with transaction.atomic(using=using, savepoint=False):
            yield
            _folded.reset(token)
            token = None
            bump(using)
    finally:
        if token is not None:
            _folded.reset(token)


class VersionedQuerySet(models.QuerySet):
    """The default manager's queryset of every model the figures are made of: the bulk
    writes that send no signal raise the data version in their own transaction."""

    def bulk_create(self, *args, **kwargs):
        with one_bump(self.db):
            return super().bulk_create(*args, **kwargs)

    def bulk_update(self, *args, **kwargs):
        with one_bump(self.db):
            return super().bulk_update(*args, **kwargs)

    def update(self, *args, **kwargs):
        with one_bump(self.db):
            return super().update(*args, **kwargs)

    def delete(self):
        with one_bump(self.db):  # the per-row signals fold into one raise
            return super().delete()

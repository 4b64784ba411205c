"""The validation context of a file: what validation needs from the database, assembled.

The values come from ``paperless.reads.importing`` (units, the counts on file for the
file's departments and months, baseline months) and ``reads.frames`` (the policy);
the user's scope from ``paperless.access.permissions``. A fixed number of queries per
file, whatever its size.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from paperless.access.permissions import is_administrator, uploadable_unit_ids
from paperless.core.fiscal import fiscal_year
from paperless.importing.counts.parse import Record
from paperless.importing.counts.validate import Context, Existing, UnitInfo, UnitLookup
from paperless.reads import frames
from paperless.reads import importing as import_reads


def user_scope(user) -> frozenset[int] | None:
    """Departments the user may upload for; None for an administrator (or no user:
    the command line without --user acts as one)."""
    if user is None or is_administrator(user):
        return None
    return frozenset(uploadable_unit_ids(user))


def load_context(
    records: Sequence[Record], *, user, today: date, for_update: bool = False
) -> Context:
    """The context to validate ``records`` sent by ``user`` on ``today``.

    ``for_update`` locks the counts on file (the commit validates again under lock).
    """
    units = {
        code: UnitInfo(pk, code, name, kind) for pk, code, name, kind in import_reads.unit_rows()
    }
    rules = frames.rules_for(fiscal_year(today))
    lookup = UnitLookup(units)
    ids = {unit.id for record in records if (unit := lookup.get(record.code)) is not None}
    months = {record.month for record in records}
    scope = user_scope(user)
    rows = import_reads.existing_counts(ids, months, for_update=for_update)
    return Context(
        units=units,
        today=today,
        base_fy=rules.base_fy,
        threshold=rules.threshold,
        scope=scope,
        existing={
            (dept, month): Existing(pk, p, c, e, note) for pk, dept, month, p, c, e, note in rows
        },
        baseline=import_reads.baseline_totals(
            {code: unit.id for code, unit in units.items()}, months, rules.base_fy
        ),
    )

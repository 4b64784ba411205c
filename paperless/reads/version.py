"""The data version: a fingerprint of everything the dashboard's figures are made of."""

from __future__ import annotations

from django.db import connection

from paperless.models import ActionNote, MonthlyCount, Policy, Unit


def data_version() -> str:
    """Changes whenever counts, units, predecessors, policies or notes change (one query).

    Changes through the models leave a history row (django-simple-history ids only
    grow; deletions, one by one or in bulk, leave one too); bulk inserts raise a
    table's highest id, and the small tables' row counts catch the rest. Counting the
    counts table (hundreds of thousands of rows) would cost more than the rest of the
    check: nothing in the application deletes counts without history. A change made
    behind the models' back (raw SQL) shows after PAPERLESS_DASHBOARD_CACHE_SECONDS at
    the latest.
    """
    qn = connection.ops.quote_name
    history = [m.history.model for m in (MonthlyCount, Unit, Policy, ActionNote)]
    counted = [Unit, ActionNote, Policy, Unit.predecessors.through]
    parts = [f"(SELECT MAX(history_id) FROM {qn(m._meta.db_table)})" for m in history]
    parts += [f"(SELECT MAX(id) FROM {qn(MonthlyCount._meta.db_table)})"]
    for model in counted:
        table = qn(model._meta.db_table)
        parts += [f"(SELECT COUNT(*) FROM {table})", f"(SELECT MAX(id) FROM {table})"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        row = cursor.fetchone()
    return "-".join("0" if value is None else str(value) for value in row)

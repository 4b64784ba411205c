"""Reads: the database turned into DataFrames and plain values for pages, e-mails and the importer.

Every ORM or SQL read outside the writers lives here, in a fixed number of queries
whatever the size of the org tree (never one per row or unit): ``frames`` (units,
predecessors, counts, the policy as frames), ``summary`` (the machine summary),
``activity`` (uploads, alerts, notes and last reports of departments), ``units`` and
``users`` (lookups, the tree as ids, memberships, roles), ``uploads``, ``deliveries``,
``alert_data``, ``audit`` (the change history), ``importing`` (what the counts import
validates against) and ``version`` (the data version the dashboard cache keys on).

A read may use ``paperless.models`` and the pure ``paperless.core``; it never imports
pages, alerts, views, the importer or access (tests/unit/test_architecture.py checks
it). Writes live elsewhere: the counts commit and upload service, the org import, the
alert delivery, the demo seed and the admin.
"""

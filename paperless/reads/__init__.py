"""Reads: the database turned into DataFrames and plain values for pages, e-mails and the importer.

Every ORM or SQL read that feeds a figure lives here, in a fixed number of queries
whatever the size of the org tree (never one per row or unit). A read may use
``paperless.models`` and the pure ``paperless.core``; it never imports pages, alerts,
views or the importer. Writes live elsewhere (the importer's commit, the alert
delivery, the demo seed, the admin).
"""

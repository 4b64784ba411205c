"""Files into the database: every spreadsheet or CSV the city sends us.

* ``files`` reads a file safely: ``limits`` and ``safety`` check the bytes before any
  spreadsheet library sees them (``package`` and ``cellscan`` for .xlsx parts, ``biff``
  for .xls), ``sandbox`` runs the reader in a limited child process, ``reader`` turns
  sheets into plain rows. It knows nothing of counts or units.
* ``counts`` is the monthly-counts pipeline: ``layout`` finds the table, ``values``
  and ``records`` (``long``, ``wide``) parse every row, ``validate`` checks them against
  the ``context`` read from the database, ``commit`` writes them in one transaction,
  ``summary`` is the preview, ``service`` runs the whole for the web upload, the
  command and the tests; ``template`` is the pre-filled workbook.
* ``master`` reads master data (the org master) through one table reader.
* ``cells`` and ``issues`` are the shared vocabulary: cell normalisers and the error
  and warning record (sheet, row, column, raw value, Japanese message).

Dependencies point one way: ``files`` ← ``counts`` / ``master``; only ``counts.commit``
and ``master``'s commit write to the database.
"""

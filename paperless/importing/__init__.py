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
* ``master`` reads master data through one table reader: ``table`` finds the header row on
  any sheet, hands over each row by column key, names every error's place and parses the
  common cells (codes, text, dates); ``org`` is the org master import on top of it,
  checked against ``reads.org``, and ``devices`` the device register (機器台帳), checked
  against ``reads.devices`` and the core's register rules.
* ``meters`` turns a meter-reading file into monthly counts: ``parse`` recognises it by
  its columns (on the master table reader), ``derive`` makes the core's monthly usage
  into count records, ``service`` feeds them to the counts pipeline's validation and
  commit and stores the readings.
* ``cells`` and ``issues`` are the shared vocabulary: cell normalisers and the error
  and warning record (sheet, row, column, raw value, Japanese message).

Dependencies point one way: ``files`` ← ``master`` ← ``meters`` ← ``counts.service``
and ``files`` ← ``counts`` ← ``meters`` (the counts parser hands a reading file to
``meters.parse``); only ``counts.commit``, ``master``'s commits and
``meters.service`` (the readings) write to the database.
"""

"""The paperless-progress app: monthly print and copy counts against a base year.

Data flows one way, and the packages follow it:

* ``importing`` — files from outside: checked before any spreadsheet library reads them
  (``files``), the monthly counts (``counts``), master data (``master``: the org master
  and the device register) and meter readings (``meters``).
* ``models`` — what is stored, with the history of every change.
* ``reads`` — every database read that feeds a page, an e-mail or the importer.
* ``core`` — the pure rules of DESIGN.md §2: where every rate, status, gap and
  baseline is computed, and how it is said.
* ``dashboard`` and ``alerts`` — what the pages, exports, the meeting report and the
  weekly e-mails show; ``access`` — who may see and do what, and the audit trail.
* ``views``, ``management/commands``, ``templatetags``, ``admin`` — the thin edges.

``demo`` loads the Sakai demo. tests/unit/test_architecture.py keeps the layering.
"""

"""Master data (the org master, the device register) through one table reader.

* ``table`` is the reader every master file shares, pure: column definitions (key,
  Japanese label, aliases incl. English, required or optional), the header search in the
  first rows of any sheet, the data rows as ``(row number, {column key: raw cell})``, the
  ``RowError`` naming sheet, row, column and raw value, and the small cell parsers (code,
  optional text, day-level dates in Western and era forms). It reads files through
  ``files.reader``.
* ``org`` is the org master import (``manage.py import_org``): its columns, parsing,
  validation against the units ``reads.org`` reads, and the commit.
* ``devices`` is the device register import (``manage.py import_devices``), the same way,
  checked against ``reads.devices`` and ``core.meters``' register rules.
"""

"""Meter readings (検針値) into monthly counts, through the counts pipeline.

* ``parse`` recognises a reading file by its columns (the Japanese / English layout and
  a Ricoh-style counter CSV) and reads every reading with its sheet and row; pure. The
  counts parser hands a file over to it when the file holds no count table.
* ``derive`` turns the core's monthly usage (``core.meters``) into count records and its
  problems into issues; pure.
* ``service`` reads the register and the stored readings (``reads.devices``), derives
  the records of the department-months the file touches, and commits them through
  ``counts.commit`` with the new readings in the same transaction.
"""

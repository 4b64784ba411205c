"""The dashboard: what a unit's page, its exports and the meeting report show.

``assembly`` gathers a unit's figures (reads from ``paperless.reads``, rules from
``paperless.core``) and ``cache`` keeps them per data version; ``pages`` shapes them
for the templates; ``charts`` builds the plotly figures, ``tables`` the django-tables2
tables, ``filters`` the django-filter form, ``exports`` the CSV/Excel files and
``report`` the meeting workbook. It may import ``core``, ``reads`` and ``models`` (for
types), never views.
"""

"""The pure core: every rule of DESIGN.md §2 that turns counts into the figures we show.

Modules, one concept each:

* ``fiscal``: months, fiscal years (年度) and era (和暦) labels; reading a month.
* ``period``: the months a figure covers (``Period``) and reading them from parameters.
* ``tree``: walks of the org tree (display order, areas, ancestors).
* ``baselines``: counts cleaned, each department's baseline through reorganisations,
  and ``Prepared`` counts joined to their baseline once per page.
* ``rates``: the policy (``Rules``), status names, the reduction rate and the threshold
  comparison.
* ``rollup``: sums over comparable months rolled up the org tree; rates, status, gap
  and comparable share of every unit for a period (``summarize``).
* ``series``: a unit's figures month by month and the fiscal-year-end projection.
* ``records``: DataFrames as plain Python values for templates, e-mails and JSON.
* ``succession``: reorganisation links and their shares: parsed, checked, weighed.
* ``meters``: meter readings of the devices into monthly usage; ``register``: the
  device register's rules.
* ``wording``: how a figure is said: status labels, rates rounded toward the status,
  the threshold's precision, the gap, the upload deadline.

Numbers, dataclasses and DataFrames in, the same out. It imports nothing from Django or
from the rest of ``paperless``: reads, pages, e-mails, the importer and the report all
call it, so each rule is written once.
"""

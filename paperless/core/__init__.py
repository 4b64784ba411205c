"""The pure core: every rule of DESIGN.md §2 that turns counts into the figures we show.

Fiscal years and 令和 labels (``fiscal``), the org tree (``tree``), baselines through
reorganisations (``baselines``) and rates, status, gap, coverage, roll-up and projection
(``metrics``). Numbers, dataclasses and DataFrames in, the same out. It imports nothing
from Django or from the rest of ``paperless``: reads, pages, e-mails, the importer and
the report all call it, so each rule is written once.
"""

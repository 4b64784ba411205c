"""Counts on the shared test tree that give the dashboard something to show.

On 15 February 2023 (FY2022 to date = April 2022 – January 2023), against FY2020:

  110100 堺区 市民課      −40% every month                      achieved
  110200 堺区 企画総務課   −40% to October, then −10%: 31% FYTD   achieved, at risk
  120100 中区 市民課      −10%, January not reported              lagging
  201100 市民税課         nothing at all                           no data
"""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal

import pytest

from paperless.core.fiscal import fiscal_months
from paperless.models import Policy
from tests.conftest import add_counts
from tests.plotly_figures import validated

TODAY = date(2023, 2, 15)
BASE = fiscal_months(2020)
FY22 = [m for m in fiscal_months(2022) if m <= date(2023, 1, 1)]
FIGURE = re.compile(r'<script id="(figure-[a-z]+)" type="application/json">(.*?)</script>', re.S)


@pytest.fixture
def counts(tree):
    Policy.objects.create(fiscal_year=2020, city_goal=Decimal("0.500"))
    add_counts(tree["sakai_shimin"], BASE, 600, 400, excluded=200)
    add_counts(tree["sakai_shimin"], FY22, 360, 240, excluded=200)
    add_counts(tree["sakai_kikaku"], BASE, 600, 400)
    add_counts(tree["sakai_kikaku"], FY22[:7], 360, 240)
    add_counts(tree["sakai_kikaku"], FY22[7:], 540, 360)
    add_counts(tree["naka_shimin"], BASE, 600, 400)
    add_counts(tree["naka_shimin"], FY22[:-1], 500, 400)
    return tree


def figures(html: str) -> dict[str, dict]:
    """The figures a page hands to charts.js, by their script id, each one checked by
    plotly's own validation first."""
    found = {name: json.loads(body) for name, body in FIGURE.findall(html)}
    for spec in found.values():
        validated(spec)
    return found


def rows_by_code(response) -> dict[str, dict]:
    return {row.record["code"]: row.record for row in response.context["table"].rows}

"""The template filters say what ``core.wording`` says: one rule, one place."""

from __future__ import annotations

import math

import pytest

from paperless.core import wording
from paperless.core.rates import ACHIEVED, LAGGING, NO_BASELINE, NO_DATA
from paperless.templatetags import paperless_alerts, paperless_format

RATES = [0.2997, 0.3, 0.312, 0.19999999999999996, -0.05, 1.0, 0.0]
STATUSES = [ACHIEVED, LAGGING, NO_DATA, NO_BASELINE, None]


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("status", STATUSES)
def test_rate_filter_is_wording_percent(rate, status):
    assert paperless_format.rate(rate, status) == wording.percent(rate, status)


def test_missing_values_show_a_dash_everywhere():
    for value in (None, "", math.nan):
        assert paperless_format.rate(value, LAGGING) == wording.MISSING
        assert paperless_format.percent(value) == wording.MISSING


@pytest.mark.parametrize("threshold", [0.3, 0.325, 0.3333, 0.5])
def test_threshold_filter_is_wording_threshold_text(threshold):
    assert paperless_format.threshold_text(threshold) == wording.threshold_text(threshold)


@pytest.mark.parametrize("status", STATUSES)
def test_status_filters_are_wording_labels(status):
    assert paperless_format.status_label(status) == wording.status_label(status)
    assert paperless_alerts.status_mark(status) == wording.status_text(status)


@pytest.mark.parametrize("gap", [1, 140, 0, -12, None])
@pytest.mark.parametrize("threshold", [0.3, 0.325])
def test_gap_filter_is_wording_gap_text(gap, threshold):
    assert paperless_alerts.gap_text(gap, threshold) == wording.gap_text(gap, threshold)


def test_the_29_97_unit_reads_29_9_and_one_sheet():
    assert paperless_format.rate(1 - 701 / 1001, LAGGING) == "29.9%"
    assert paperless_alerts.gap_text(1, 0.3) == "取組基準30%まで あと 1枚"

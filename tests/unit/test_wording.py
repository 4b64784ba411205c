"""How figures are said: a lagging unit never reads as achieved."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from paperless.core import wording
from paperless.core.wording import gap_sheets, gap_text, percent, threshold_text


def test_a_lagging_rate_is_rounded_toward_its_status():
    assert percent(1 - 701 / 1001, "lagging") == "29.9%"
    assert percent(1 - 701 / 1001, "achieved") == "30.0%"
    assert percent(0.2999999, "lagging") == "29.9%"
    assert percent(0.312, "lagging") == "31.2%"


def test_other_rates_round_half_up_and_missing_ones_show_a_dash():
    assert percent(0.31249) == "31.2%"
    assert percent(0.31250) == "31.3%"
    assert percent(-0.0504) == "-5.0%"
    assert percent(None) == "—"
    assert percent(float("nan")) == "—"


def test_the_threshold_shows_the_precision_it_has():
    assert threshold_text(0.3) == "30%"
    assert threshold_text(0.325) == "32.5%"
    assert threshold_text(0.3333) == "33.33%"
    assert threshold_text(1.0) == "100%"


def test_a_unit_short_by_a_fraction_of_a_sheet_still_has_one_to_cut():
    assert gap_sheets(701, 1001, 0.30) == 1
    assert gap_sheets(700, 1000, 0.30) == 0
    assert gap_sheets(650, 1000, 0.30) == -50
    assert gap_text(1, 0.30) == "取組基準30%まで あと 1枚"
    assert gap_text(-50, 0.325) == "取組基準32.5%を達成（50枚の余裕）"


@given(
    baseline=st.integers(1, 10**7),
    current=st.integers(0, 2 * 10**7),
    threshold=st.sampled_from([0.3, 0.25, 0.325, 0.5, 1 / 3]),
)
def test_status_gap_and_display_agree(baseline, current, threshold):
    rate = 1 - current / baseline
    lagging = round(rate, 12) < round(threshold, 12)
    status = "lagging" if lagging else "achieved"
    gap = gap_sheets(current, baseline, threshold)
    assert (gap > 0) == lagging
    if lagging:
        shown = float(percent(rate, status).rstrip("%")) / 100
        assert shown < threshold
        assert "達成" not in gap_text(gap, threshold)


def test_labels_carry_a_mark_besides_the_word():
    assert wording.status_text("lagging") == "▲ 未達"
    assert wording.status_text("achieved") == "○ 達成"
    assert wording.status_text("unknown") == "—"


def test_the_upload_deadline_is_the_deadline_day_of_the_following_month():
    assert wording.upload_deadline(date(2024, 4, 1), 10) == date(2024, 5, 10)
    assert wording.upload_deadline(date(2024, 1, 1), 31) == date(2024, 2, 29)
    assert wording.upload_deadline(date(2024, 12, 1), 10) == date(2025, 1, 10)

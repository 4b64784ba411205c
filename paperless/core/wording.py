"""How a figure is said: status labels, rates, the threshold, the gap and the deadline.

One place for every word and rounding the pages, e-mails, exports, the upload preview
and the meeting report use (DESIGN.md §2, Status and Gap): a lagging unit's rate is
rounded toward its status (29.97% shows 29.9%, never 30.0%), its gap is at least one
sheet, and no text calls it achieved. Pure: no Django.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from paperless.core.fiscal import add_months
from paperless.core.rates import ACHIEVED, DEPARTMENT, LAGGING, NO_BASELINE, NO_DATA

STATUS_LABELS = {ACHIEVED: "達成", LAGGING: "未達", NO_DATA: "未報告", NO_BASELINE: "基準なし"}
# Status is never told by colour alone: a mark goes with every label.
STATUS_MARKS = {ACHIEVED: "○", LAGGING: "▲", NO_DATA: "－", NO_BASELINE: "－"}
THRESHOLD_WORD = "取組基準"
GOAL_WORD = "全市目標"
MISSING = "—"
# The two figures beside every rate, each with its name and its one-line explanation
# (DESIGN.md §2, Reporting rate and comparable share).
REPORTING_WORD = "報告率"
COMPARABLE_WORD = "比較可能率"
EXPLANATIONS = {
    "reporting": f"{REPORTING_WORD}：報告が必要な月のうち報告があった月の割合",
    "coverage": f"{COMPARABLE_WORD}：基準年度の同じ月と比べられた月の割合",
    "adjusted": "除外後の削減率：除外枚数を両年度とも記入した月だけで比べた率",
}


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def status_label(status: str | None) -> str:
    """'lagging' → '未達' (DESIGN.md §2, Status)."""
    return STATUS_LABELS.get(status or "", MISSING)


def status_text(status: str | None) -> str:
    """'lagging' → '▲ 未達': the mark and the word, never colour alone."""
    label = STATUS_LABELS.get(status or "")
    return f"{STATUS_MARKS[status]} {label}" if label else MISSING


def percent(rate: float | None, status: str | None = None, digits: int = 1) -> str:
    """0.312 → '31.2%'. A lagging unit's rate is rounded down, so that it never shows the
    threshold it has not reached (0.2997 → '29.9%'); others round half up
    (DESIGN.md §2, Status)."""
    if _missing(rate):
        return MISSING
    return f"{_shown_percent(rate, status, digits)}%"


def _shown_percent(rate: float, status: str | None, digits: int) -> Decimal:
    mode = ROUND_FLOOR if status == LAGGING else ROUND_HALF_UP
    # Float noise first removed (1 − 800/1000 is 0.19999999999999996, a true 20.0%), then
    # repr() keeps the float's shortest decimal form: 0.2997 stays 0.2997, not 0.29969...
    exact = Decimal(repr(round(float(rate), 10)))
    return (exact * 100).quantize(Decimal(1).scaleb(-digits), mode)


def shown_rate(rate: float | None, status: str | None = None, digits: int = 1) -> float | None:
    """The rate as ``percent`` shows it, as a fraction (a lagging 0.2997 → 0.299): for
    exports, workbooks and charts that format numbers themselves and would otherwise
    round a lagging unit up to the threshold."""
    if _missing(rate):
        return None
    return float(_shown_percent(rate, status, digits) / 100)


def threshold_text(threshold: float) -> str:
    """0.3 → '30%', 0.325 → '32.5%', 0.3333 → '33.33%': as many decimals as it has."""
    shown = (Decimal(repr(float(threshold))) * 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return f"{shown.normalize():f}%"


def gap_sheets(current: float, baseline: float, threshold: float) -> int:
    """Sheets still to cut to reach the threshold, rounded up: a unit short of the line by
    a fraction of a sheet still has one to cut (DESIGN.md §2, Gap). Zero or less means
    the threshold is reached."""
    exact = current - (1 - threshold) * baseline
    return math.ceil(round(exact, 6))


def gap_text(gap: int | None, threshold: float) -> str:
    """'取組基準30%まで あと 140枚' for a gap to cut, '取組基準30%を達成（12枚の余裕）' past it."""
    if _missing(gap):
        return "比較できる実績がありません"
    line = f"{THRESHOLD_WORD}{threshold_text(threshold)}"
    if gap > 0:
        return f"{line}まで あと {gap:,}枚"
    return f"{line}を達成（{-gap:,}枚の余裕）"


def upload_deadline(month: date, deadline_day: int) -> date:
    """The day a month's counts are due: ``deadline_day`` of the following month (its last
    day in a shorter month)."""
    following = add_months(month, 1)
    last_day = (add_months(following, 1) - timedelta(days=1)).day
    return following.replace(day=min(deadline_day, last_day))


def adjusted_scope(adjusted_months: int | None, share: float | None = None) -> str:
    """Which months the adjusted rate covers: a department's '除外後：除外枚数を両年度とも
    記入した 7か月分'; with ``share`` (a ward or the city, whose months are many
    departments') '… 月（報告が必要な月の 45%）' (DESIGN.md §2, Adjusted rate)."""
    if _missing(adjusted_months) or not adjusted_months:
        return "除外後：除外枚数を両年度とも記入した月がありません"
    if share is not None and not _missing(share):
        return (
            f"除外後：除外枚数を両年度とも記入した月（報告が必要な月の {percent(share, None, 0)}）"
        )
    return f"除外後：除外枚数を両年度とも記入した {int(adjusted_months):,}か月分"


def unit_adjusted_scope(row: dict) -> str:
    """``adjusted_scope`` of a summary row: months for a department, a share above it."""
    if row.get("kind") == DEPARTMENT:
        return adjusted_scope(row.get("adjusted_months"))
    return adjusted_scope(row.get("adjusted_months"), row.get("adjusted_coverage"))


def projected_status(at_risk: bool | None) -> str | None:
    """The status a year-end projection is rounded toward: one that falls short of the
    threshold (at risk) is shown as lagging, so it never reads as the threshold."""
    return LAGGING if at_risk else None

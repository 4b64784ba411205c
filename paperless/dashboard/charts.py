"""DataFrames → plotly figures for the dashboard (pure: no request, no ORM).

Every rate chart draws the action threshold (and the city goal when there is one) as
horizontal lines, and marks lagging units three ways: colour, a hatch pattern and a
"▲未達" label, so that status never depends on colour alone. Each figure has a table
beside it on the page (its text equivalent); these functions only draw.

A figure is plotly's JSON (``{"data": [traces], "layout": {...}}``) built as plain
dicts, ready for ``json_script`` and plotly.js: building ``plotly.graph_objects``
figures validated and deep-copied every value on each page view (45 ms of a cold
city page with 2,000 departments; 14 ms as dicts). The tests pass every figure through
``plotly.graph_objects.Figure``, which rejects any property plotly does not know.
Numbers travel as plotly.js typed arrays (base64 float64), so 2,000 bars stay small.
"""

from __future__ import annotations

import base64
import math
from typing import Any

import numpy as np
import pandas as pd

from paperless.core import wording
from paperless.core.fiscal import month_label
from paperless.core.rates import LAGGING

FONT = "Noto Sans CJK JP, Hiragino Sans, Yu Gothic, Meiryo, sans-serif"
ACHIEVED_COLOUR = "#0b4f8a"
LAGGING_COLOUR = "#a3161a"
MUTED_COLOUR = "#767676"
LAGGING_PATTERN = "/"
LAGGING_MARK = wording.status_text(LAGGING).replace(" ", "")
Figure = dict[str, Any]
# Beyond this many bars the names no longer fit under them: hover and the table carry them.
MAX_LABELLED_BARS = 40


def _pct(value: float | None, status: str | None = None) -> str:
    return wording.percent(None if _missing(value) else float(value), status)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def _sheets(value: Any) -> str:
    return "—" if _missing(value) else f"{round(float(value)):,}"


def _typed(values: Any) -> dict[str, str]:
    """Numbers as a plotly.js typed array: base64 of little-endian float64, NaN a gap."""
    array = np.ascontiguousarray(np.asarray(values, dtype="float64"), dtype="<f8")
    return {"dtype": "f8", "bdata": base64.b64encode(array.tobytes()).decode("ascii")}


def _layout(*, title: str, height: int, **extra: Any) -> dict[str, Any]:
    """The common layout; plotly.js has no theme of its own, the styles are all here."""
    return {
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}},
        "font": {"family": FONT, "size": 13, "color": "#1a1a1a"},
        "height": height,
        "margin": {"l": 64, "r": 72, "t": 56, "b": 64},
        "plot_bgcolor": "#ffffff",
        "paper_bgcolor": "#ffffff",
        "hoverlabel": {"font": {"family": FONT}},
        "separators": ".,",
        **extra,
    }


def _target_lines(*, threshold: float, city_goal: float | None) -> dict[str, list]:
    """The threshold as a solid line and the city goal as a dashed one, both labelled."""
    lines = [("threshold", threshold, "取組基準", {"color": "#1a1a1a", "width": 2})]
    if city_goal is not None:
        dash = {"color": "#1a1a1a", "width": 1.5, "dash": "dash"}
        lines.append(("city_goal", city_goal, "全市目標", dash))
    shapes = [
        {
            "type": "line",
            "name": name,
            "xref": "x domain",
            "x0": 0,
            "x1": 1,
            "yref": "y",
            "y0": y,
            "y1": y,
            "line": line,
        }
        for name, y, _label, line in lines
    ]
    annotations = [
        {
            "text": f"{label}<br>{wording.threshold_text(y)}",
            "xref": "x domain",
            "x": 1,
            "xanchor": "left",
            "yref": "y",
            "y": y,
            "yanchor": "middle",
            "showarrow": False,
        }
        for _name, y, label, _line in lines
    ]
    return {"shapes": shapes, "annotations": annotations}


def _rate_range(rates: pd.Series, threshold: float, city_goal: float | None) -> list[float]:
    values = [v for v in rates.tolist() if not _missing(v)] + [threshold, city_goal or threshold]
    low, high = min([0.0, *values]), max(values)
    return [low - 0.05 if low < 0 else 0.0, min(high + 0.1, 1.0)]


# Bar colours by status code: a numeric colour scale sent as one typed array, smaller
# than a list of 2,000 colour strings.
COLOUR_SCALE = [[0.0, ACHIEVED_COLOUR], [0.5, MUTED_COLOUR], [1.0, LAGGING_COLOUR]]


def _bar_marks(frame: pd.DataFrame, rate: str) -> dict[str, Any]:
    """Colour code, hatch pattern and text of each bar: lagging bars get all three marks."""
    statuses = frame["status"].tolist()
    # Bars stand at the rate as shown, so that plotly's own formatting (hover, axis) never
    # rounds a lagging unit up to the threshold (DESIGN.md §2, Status).
    shown = [
        wording.shown_rate(None if _missing(r) else r, s)
        for r, s in zip(frame[rate].tolist(), statuses, strict=True)
    ]
    rates = np.array([np.nan if r is None else r for r in shown], dtype="float64")
    lagging = (frame["status"] == LAGGING).to_numpy()
    missing = np.isnan(rates)
    labels = np.array([_pct(r, s) for r, s in zip(rates, statuses, strict=True)], dtype=object)
    return {
        "colour": np.where(lagging, 1.0, np.where(missing, 0.5, 0.0)),
        "pattern": np.where(lagging, LAGGING_PATTERN, "").tolist(),
        "text": np.where(
            lagging, LAGGING_MARK + " " + labels, np.where(missing, "データなし", labels)
        ).tolist(),
        "rates": rates,
    }


def _marker(marks: dict[str, Any], *, size: int, outline: bool) -> dict[str, Any]:
    marker: dict[str, Any] = {
        "color": _typed(marks["colour"]),
        "colorscale": COLOUR_SCALE,
        "cmin": 0,
        "cmax": 1,
        "pattern": {"shape": marks["pattern"], "fgcolor": "#ffffff", "size": size, "solidity": 0.3},
    }
    if outline:
        marker["line"] = {"color": "#1a1a1a", "width": 1}
    return marker


def unit_bars(
    units: pd.DataFrame,
    *,
    threshold: float,
    city_goal: float | None,
    title: str,
    rate: str = "rate",
) -> Figure:
    """One bar per unit (in the given order) of its reduction rate, with the target lines.

    ``units``: name, status, gap and the ``rate`` column. A unit without a rate gets
    an empty bar labelled データなし.
    """
    marks = _bar_marks(units, rate)
    hover = [
        f"{n}<br>削減率 {_pct(r, s)}<br>取組基準までの枚数 {_sheets(g)}"
        for n, r, s, g in zip(
            units["name"].tolist(),
            marks["rates"],
            units["status"].tolist(),
            units["gap"].tolist(),
            strict=True,
        )
    ]
    bar = {
        "type": "bar",
        "x": units["name"].tolist(),
        "y": _typed(marks["rates"]),
        "text": marks["text"],
        "textposition": "outside",
        "cliponaxis": False,
        "marker": _marker(marks, size=8, outline=True),
        "hovertext": hover,
        "hovertemplate": "%{hovertext}<extra></extra>",
        "name": "削減率",
    }
    layout = _layout(
        title=title,
        height=380,
        showlegend=False,
        yaxis={
            "tickformat": ".0%",
            "range": _rate_range(units[rate], threshold, city_goal),
            "title": {"text": "削減率"},
            "automargin": True,
            "gridcolor": "#e0e0e0",
            "zeroline": True,
            "zerolinecolor": "#767676",
        },
        xaxis={"type": "category", "tickangle": 0, "automargin": True},
        **_target_lines(threshold=threshold, city_goal=city_goal),
    )
    return {"data": [bar], "layout": layout}


def department_rates(
    depts: pd.DataFrame, *, threshold: float, city_goal: float | None, title: str
) -> Figure:
    """Every department with a rate, lowest first; hover gives name, ward, rate and gap.

    ``depts``: name, area_name, rate (the driving rate), status, gap.
    """
    rows = depts[depts["rate"].notna()].sort_values("rate", kind="stable")
    marks = _bar_marks(rows, "rate")
    areas = rows["area_name"].fillna("").astype(str).tolist()
    labels = [f"{a} {n}".strip() for a, n in zip(areas, rows["name"].tolist(), strict=True)]
    bar = {
        "type": "bar",
        # Names repeat across wards (every ward has a 市民課): the labels need both.
        "x": labels,
        "y": _typed(marks["rates"]),
        "marker": _marker(marks, size=6, outline=False),
        # Numbers travel as typed arrays; plotly.js formats them for the hover label.
        "customdata": _typed(rows["gap"].astype("float64")),
        "hovertemplate": "%{x}<br>削減率 %{y:.1%}<br>取組基準までの枚数 %{customdata:,.0f}枚"
        "<extra></extra>",
        "name": "所属別の削減率",
    }
    layout = _layout(
        title=title,
        height=420,
        showlegend=False,
        bargap=0.1,
        yaxis={
            "tickformat": ".0%",
            "range": _rate_range(rows["rate"], threshold, city_goal),
            "title": {"text": "削減率"},
            "automargin": True,
            "gridcolor": "#e0e0e0",
        },
        xaxis={
            "type": "category",
            "showticklabels": len(rows) <= MAX_LABELLED_BARS,
            "title": {"text": f"所属（削減率の低い順、{len(rows):,}所属）"},
            "automargin": True,
        },
        **_target_lines(threshold=threshold, city_goal=city_goal),
    )
    return {"data": [bar], "layout": layout}


def monthly_lines(series: pd.DataFrame, *, threshold: float, title: str) -> Figure:
    """Sheets per month against the baseline and the threshold path (baseline × (1 − t)).

    ``series``: month, current, baseline, threshold_path (``series.monthly_series``);
    a month without comparable data is a gap in the lines.
    """
    x = [month_label(m) for m in series["month"]]

    def values(column: str) -> list[float | None]:
        return [None if _missing(v) else float(v) for v in series[column]]

    traces = [
        {
            "type": "scatter",
            "x": x,
            "y": values("baseline"),
            "name": "基準年度の同じ月",
            "mode": "lines+markers",
            "line": {"color": MUTED_COLOUR, "width": 2, "dash": "dot"},
            "marker": {"symbol": "square", "size": 7},
            "hovertemplate": "%{x} 基準年度同月 %{y:,.0f}枚<extra></extra>",
        },
        {
            "type": "scatter",
            "x": x,
            "y": values("threshold_path"),
            "name": f"取組基準のライン（基準×{1 - threshold:.2g}）",
            "mode": "lines",
            "line": {"color": "#1a1a1a", "width": 2, "dash": "dash"},
            "hovertemplate": "%{x} 取組基準のライン %{y:,.0f}枚<extra></extra>",
        },
        {
            "type": "scatter",
            "x": x,
            "y": values("current"),
            "name": "実績",
            "mode": "lines+markers",
            "line": {"color": ACHIEVED_COLOUR, "width": 3},
            "marker": {"symbol": "circle", "size": 8},
            "hovertemplate": "%{x} 実績 %{y:,.0f}枚<extra></extra>",
        },
    ]
    layout = _layout(
        title=title,
        height=360,
        yaxis={
            "tickformat": ",d",
            "ticksuffix": "枚",
            "automargin": True,
            "gridcolor": "#e0e0e0",
            "rangemode": "tozero",
        },
        xaxis={"type": "category"},
        legend={"orientation": "h", "y": -0.18, "x": 0},
    )
    return {"data": traces, "layout": layout}

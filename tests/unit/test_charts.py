"""The dashboard's figures: trace types, values, target lines and lagging marks."""

from __future__ import annotations

import base64
import json
import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from paperless.dashboard import charts
from tests.plotly_figures import validated

WARDS = ["堺区役所", "中区役所", "東区役所", "西区役所", "南区役所", "北区役所", "美原区役所"]
RATES = [0.356, 0.178, 0.259, 0.49, 0.352, 0.496, 0.174]


def ward_frame(rates=RATES) -> pd.DataFrame:
    status = ["lagging" if r < 0.3 else "achieved" for r in rates]
    gaps = [None if math.isnan(r) else round((0.3 - r) * 1000) for r in rates]
    return pd.DataFrame(
        {"name": WARDS, "rate": rates, "status": status, "gap": pd.array(gaps, dtype="Int64")}
    )


figure = validated


def shapes_named(fig, name):
    return [s for s in fig.layout.shapes if s.name == name]


def test_ward_chart_has_one_bar_per_ward_with_its_rate():
    fig = figure(charts.unit_bars(ward_frame(), threshold=0.3, city_goal=0.5, title="区役所別"))
    assert [t.type for t in fig.data] == ["bar"]
    assert list(fig.data[0].x) == WARDS
    assert list(fig.data[0].y) == pytest.approx(RATES)
    assert fig.layout.yaxis.tickformat == ".0%"


def test_threshold_is_a_horizontal_line_at_030_across_the_plot():
    fig = figure(charts.unit_bars(ward_frame(), threshold=0.3, city_goal=None, title="t"))
    (line,) = shapes_named(fig, "threshold")
    assert (line.type, line.y0, line.y1, line.x0, line.x1) == ("line", 0.3, 0.3, 0, 1)
    assert line.xref == "x domain"
    assert not shapes_named(fig, "city_goal")
    assert any("取組基準" in a.text and "30%" in a.text for a in fig.layout.annotations)


def test_city_goal_is_a_dashed_line_of_its_own():
    fig = figure(charts.unit_bars(ward_frame(), threshold=0.3, city_goal=0.5, title="t"))
    (goal,) = shapes_named(fig, "city_goal")
    assert (goal.y0, goal.y1, goal.line.dash) == (0.5, 0.5, "dash")
    assert shapes_named(fig, "threshold")[0].line.dash is None
    assert any("全市目標" in a.text and "50%" in a.text for a in fig.layout.annotations)


def test_lagging_bars_are_marked_by_label_and_pattern_not_colour_alone():
    fig = figure(charts.unit_bars(ward_frame(), threshold=0.3, city_goal=0.5, title="t"))
    bar = fig.data[0]
    lagging = [r < 0.3 for r in RATES]
    shapes = list(bar.marker.pattern.shape)
    texts = list(bar.text)
    assert [s == "/" for s in shapes] == lagging
    assert ["▲未達" in t for t in texts] == lagging
    assert texts[1] == "▲未達 17.8%" and texts[0] == "35.6%"
    # The colour differs too, but it is the third mark, not the only one.
    colours = list(bar.marker.color)
    assert len({c for c, lag in zip(colours, lagging, strict=True) if lag}) == 1
    assert set(colours[i] for i, lag in enumerate(lagging) if lag).isdisjoint(
        colours[i] for i, lag in enumerate(lagging) if not lag
    )


def test_unit_without_rate_has_no_bar_and_says_so():
    frame = ward_frame([0.4, math.nan, 0.2, 0.4, 0.4, 0.4, 0.4])
    frame.loc[1, "status"] = "no_data"
    bar = figure(charts.unit_bars(frame, threshold=0.3, city_goal=None, title="t")).data[0]
    assert math.isnan(bar.y[1])
    assert bar.text[1] == "データなし"
    assert bar.marker.pattern.shape[1] == ""
    assert "取組基準までの枚数 —" in bar.hovertext[1]


def test_rate_axis_always_shows_the_threshold_and_negative_rates():
    frame = ward_frame([0.9, 0.95, 0.91, 0.92, 0.93, 0.94, 0.95])
    fig = figure(charts.unit_bars(frame, threshold=0.3, city_goal=None, title="t"))
    assert fig.layout.yaxis.range[0] <= 0.3 <= fig.layout.yaxis.range[1]
    frame = ward_frame([-0.2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1])
    fig = figure(charts.unit_bars(frame, threshold=0.3, city_goal=0.5, title="t"))
    assert fig.layout.yaxis.range[0] < -0.2 and fig.layout.yaxis.range[1] > 0.5


def departments() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": ["市民課", "市民課", "企画課", "秘書課"],
            "area_name": ["堺区役所", "中区役所", "市長公室", None],
            "rate": [0.35, 0.12, math.nan, 0.28],
            "status": ["achieved", "lagging", "no_data", "lagging"],
            "gap": pd.array([-500, 2400, None, 80], dtype="Int64"),
        }
    )


def test_department_chart_sorts_by_rate_and_leaves_out_units_without_one():
    fig = figure(charts.department_rates(departments(), threshold=0.3, city_goal=0.5, title="t"))
    bar = fig.data[0]
    assert bar.type == "bar"
    assert list(bar.x) == ["中区役所 市民課", "秘書課", "堺区役所 市民課"]
    assert list(bar.y) == pytest.approx([0.12, 0.28, 0.35])
    assert list(bar.marker.pattern.shape) == ["/", "/", ""]
    assert shapes_named(fig, "threshold")[0].y0 == 0.3


def test_department_hover_gives_name_ward_rate_and_gap():
    bar = figure(
        charts.department_rates(departments(), threshold=0.3, city_goal=None, title="t")
    ).data[0]
    assert list(bar.customdata) == [2400, 80, -500]
    assert "%{x}" in bar.hovertemplate  # ward and department: the label holds both
    assert "%{y:.1%}" in bar.hovertemplate
    assert "%{customdata:,.0f}枚" in bar.hovertemplate


def test_department_names_are_hidden_under_the_bars_only_when_there_are_many():
    few = figure(charts.department_rates(departments(), threshold=0.3, city_goal=None, title="t"))
    assert few.layout.xaxis.showticklabels is True
    many = pd.concat([departments()] * 20, ignore_index=True)
    fig = figure(charts.department_rates(many, threshold=0.3, city_goal=None, title="t"))
    assert fig.layout.xaxis.showticklabels is False
    assert "60所属" in fig.layout.xaxis.title.text


def series() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "month": [date(2022, 4, 1), date(2022, 5, 1), date(2022, 6, 1)],
            "current": [700.0, math.nan, 650.0],
            "baseline": [1000.0, math.nan, 900.0],
            "threshold_path": [700.0, math.nan, 630.0],
        }
    )


def test_monthly_lines_show_current_against_baseline_and_threshold_path():
    fig = figure(charts.monthly_lines(series(), threshold=0.3, title="月別"))
    assert [t.type for t in fig.data] == ["scatter"] * 3
    by_name = {t.name: t for t in fig.data}
    assert list(by_name["実績"].y) == [700.0, None, 650.0]
    assert list(by_name["基準年度の同じ月"].y) == [1000.0, None, 900.0]
    path = by_name["取組基準のライン（基準×0.7）"]
    assert list(path.y) == [700.0, None, 630.0]
    assert list(path.x) == ["2022年4月", "2022年5月", "2022年6月"]


def test_figures_are_plain_json_for_json_script():
    charts_made = [
        charts.unit_bars(ward_frame(), threshold=0.3, city_goal=0.5, title="t"),
        charts.department_rates(departments(), threshold=0.3, city_goal=0.5, title="t"),
        charts.monthly_lines(series(), threshold=0.3, title="t"),
    ]
    for data in charts_made:
        assert json.loads(json.dumps(data, allow_nan=False)) == data
        # No theme shipped with each figure: the styles are in the layout itself.
        assert "template" not in data["layout"]
    assert charts_made[0]["data"][0]["type"] == "bar"
    assert charts_made[0]["layout"]["shapes"][0]["y0"] == 0.3


def test_plotly_rejects_a_property_it_does_not_know():
    spec = charts.unit_bars(ward_frame(), threshold=0.3, city_goal=0.5, title="t")
    spec["data"][0]["colour"] = "red"
    with pytest.raises(ValueError, match="colour"):
        figure(spec)


def test_large_charts_send_numbers_as_typed_arrays():
    many = pd.concat([departments()] * 500, ignore_index=True)
    data = charts.department_rates(many, threshold=0.3, city_goal=None, title="t")
    y = data["data"][0]["y"]
    assert isinstance(y, dict) and y["dtype"] == "f8"
    values = np.frombuffer(base64.b64decode(y["bdata"]), dtype="<f8")
    assert len(values) == 1500
    assert values[0] == pytest.approx(0.12)

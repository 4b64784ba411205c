"""Native Excel charts for the meeting report's グラフ sheets (openpyxl.chart).

Each chart reads the table written on its own sheet, so the figures in the chart and
in the cells are the same cells; lines for the 取組基準 (and the 全市目標 where one is
set) are drawn as series of their own, so Excel and LibreOffice show them without any
drawing tool. Pure: a worksheet in, the same worksheet with a chart anchored beside
its table out.
"""

from __future__ import annotations

from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.drawing.line import LineProperties
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from paperless.core.wording import threshold_text

THRESHOLD_COLOUR = "C00000"
GOAL_COLOUR = "1F4E79"
CHART_WIDTH_CM = 24
CHART_HEIGHT_CM = 13


def _line(colour: str, dashed: bool = True) -> GraphicalProperties:
    line = LineProperties(solidFill=colour, w=22000, prstDash="dash" if dashed else "solid")
    return GraphicalProperties(ln=line)


def _reference_columns(
    ws: Worksheet, *, first_row: int, last_row: int, lines: list[tuple[str, float, str]]
) -> list[int]:
    """Write each reference line (label, value, colour) as a column of constant values
    to the right of the table (outside the print area, not hidden: Excel does not plot
    hidden cells); returns their column numbers."""
    columns = []
    for offset, (label, value, _colour) in enumerate(lines, start=1):
        column = ws.max_column + 1 if offset == 1 else columns[-1] + 1
        ws.cell(row=first_row - 1, column=column, value=label)
        for row in range(first_row, last_row + 1):
            ws.cell(row=row, column=column, value=value).number_format = "0.0%"
        ws.column_dimensions[get_column_letter(column)].width = 14
        columns.append(column)
    return columns


def rate_bars(
    ws: Worksheet,
    *,
    title: str,
    header_row: int,
    rows: int,
    name_column: int,
    rate_column: int,
    threshold: float,
    goal: float | None,
    anchor: str,
    horizontal: bool = False,
) -> BarChart | None:
    """Bars of the rates in ``rate_column`` named by ``name_column``, with the 取組基準
    and 全市目標 lines; None when there are no rows."""
    if rows == 0:
        return None
    first, last = header_row + 1, header_row + rows
    lines = [(f"取組基準 {threshold_text(threshold)}", threshold, THRESHOLD_COLOUR)]
    if goal is not None:
        lines.append((f"全市目標 {threshold_text(goal)}", goal, GOAL_COLOUR))
    line_columns = _reference_columns(ws, first_row=first, last_row=last, lines=lines)

    bars = BarChart()
    bars.type = "bar" if horizontal else "col"
    bars.title = title
    bars.y_axis.title = "削減率"
    bars.y_axis.number_format = "0%"
    bars.y_axis.majorGridlines = None
    bars.add_data(
        Reference(ws, min_col=rate_column, min_row=header_row, max_row=last), titles_from_data=True
    )
    bars.set_categories(Reference(ws, min_col=name_column, min_row=first, max_row=last))
    bars.legend.position = "b"
    guide = LineChart()
    for column, (_label, _value, colour) in zip(line_columns, lines, strict=True):
        guide.add_data(
            Reference(ws, min_col=column, min_row=header_row, max_row=last), titles_from_data=True
        )
        guide.series[-1].graphicalProperties = _line(colour)
        guide.series[-1].smooth = False
    bars += guide
    bars.width, bars.height = CHART_WIDTH_CM, max(CHART_HEIGHT_CM, 0.5 * rows if horizontal else 0)
    ws.add_chart(bars, anchor)
    return bars


def monthly_lines(
    ws: Worksheet,
    *,
    title: str,
    header_row: int,
    rows: int,
    month_column: int,
    value_columns: list[int],
    anchor: str,
) -> LineChart | None:
    """The month-by-month sheets (実績, 基準年度同月, the lines of 取組基準 and 全市目標)
    as lines; None when there are no months."""
    if rows == 0:
        return None
    last = header_row + rows
    chart = LineChart()
    chart.title = title
    chart.y_axis.title = "枚数"
    chart.y_axis.number_format = "#,##0"
    chart.legend.position = "b"
    for column in value_columns:
        chart.add_data(
            Reference(ws, min_col=column, min_row=header_row, max_row=last), titles_from_data=True
        )
    chart.set_categories(Reference(ws, min_col=month_column, min_row=header_row + 1, max_row=last))
    colours = [None, "7F7F7F", THRESHOLD_COLOUR, GOAL_COLOUR]
    for series, colour in zip(chart.series, colours, strict=False):
        series.smooth = False
        if colour:
            series.graphicalProperties = _line(colour, dashed=colour != "7F7F7F")
    chart.width, chart.height = CHART_WIDTH_CM, CHART_HEIGHT_CM
    ws.add_chart(chart, anchor)
    return chart

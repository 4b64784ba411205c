"""The department table (django-tables2) and its CSV export.

Rows arrive as plain dicts with every number already computed
(``pages.department_rows``); columns only format. Missing values sort last when
ascending: each sortable number has a ``*_key`` twin in the row.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from typing import Any

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from paperless.core import wording
from paperless.dashboard.exports import neutralize
from paperless.templatetags.dashboard_format import points
from paperless.templatetags.paperless_format import percent, sheets

AT_RISK_LABEL = "要注意（年度末見込み未達）"
NUM = {"th": {"class": "num"}, "td": {"class": "num"}}
MISSING_LAST = float("inf")


def _number(key: str, verbose_name: str, **kwargs: Any) -> tables.Column:
    return tables.Column(verbose_name=verbose_name, attrs=NUM, order_by=(key,), **kwargs)


def _day(value: date) -> str:
    return f"{value.year}/{value.month}/{value.day}"


class DepartmentTable(tables.Table):
    area_name = tables.Column("区役所・局", order_by=("area_rank", "rank"))
    name = tables.Column("所属", order_by=("rank",))
    baseline = _number("baseline", "基準年度同月（枚）")
    current = _number("current", "対象期間（枚）")
    rate = _number("rate_key", "削減率")
    adjusted_rate = _number("adjusted_rate_key", "削減率（除外除く）")
    status = tables.Column("判定", order_by=("status_rank", "driving_rate_key"))
    projected_rate = _number("projected_rate_key", "年度末見込み")
    gap = _number("gap_key", "取組基準まで（枚）")
    reporting = _number("reporting_key", wording.REPORTING_WORD)
    coverage = _number("coverage_key", wording.COMPARABLE_WORD)
    change = _number("change_key", "前月比")
    last_updated = tables.Column("最終報告", order_by=("last_updated_key",))
    note_count = tables.Column("改善の取組", order_by=("note_key",))

    class Meta:
        template_name = "paperless/dashboard/_table.html"
        attrs = {"class": "data-table"}
        empty_text = "条件に合う所属はありません。"
        default = "—"
        orderable = True

    def body(self) -> list[SafeString]:
        """The rows of the current page as HTML, each cell formatted by ``CELLS``.

        django-tables2 still sorts, paginates and draws the headers; the cells are
        formatted here in one pass because its per-cell rendering (a signature check
        and an attribute merge for each of ~650 cells) cost more than the rest of
        the page. A missing value shows the table's default, as django-tables2 does.
        """
        columns = [(c.name, c.attrs["td"].as_html()) for c in self.columns]
        rows = []
        for row in self.paginated_rows:
            record = row.record
            cells = []
            for position, (name, attrs) in enumerate(columns):
                value = record.get(name)
                if value is None or value == "":
                    html = self.default
                else:
                    html = CELLS.get(name, _text)(value, record)
                # The department's name heads its row.
                cell = '<th scope="row" {}>{}</th>' if position == 1 else "<td {}>{}</td>"
                cells.append(format_html(cell, attrs, html))
            rows.append(mark_safe("".join(cells)))  # noqa: S308 -- each cell is escaped
        return rows


def _text(value: Any, record: dict[str, Any]) -> str:
    return str(value)


def _name(value: str, record: dict[str, Any]) -> str:
    url = reverse("paperless:unit", args=[record["code"]])
    return format_html('<a href="{}">{}</a>', url, value)


def _status(value: str, record: dict[str, Any]) -> str:
    label = format_html(
        '<span class="status status-{}">{}</span>', value, wording.status_label(value)
    )
    if record.get("at_risk"):
        return format_html(
            '{}<br><span class="at-risk">要注意</span><br><small>年度末見込み未達</small>', label
        )
    return label


def _last_updated(value: date, record: dict[str, Any]) -> str:
    month = record.get("last_month")
    upto = f"〜{month.year}年{month.month}月分" if month else ""  # the latest month sent
    return format_html("{}<br><small>{}</small>", _day(value), upto)


def _note_count(value: int, record: dict[str, Any]) -> str:
    if not value:
        return "なし"
    url = reverse("paperless:unit", args=[record["code"]]) + "#notes"
    latest = record.get("note_latest")
    when = f"最新 {_day(latest)}" if latest else ""
    return format_html('<a href="{}">あり（{}件）</a><br><small>{}</small>', url, value, when)


def _sheets(value: int, record: dict[str, Any]) -> str:
    return sheets(value)


def _percent(value: float, record: dict[str, Any]) -> str:
    return percent(value)


def _rate(value: float, record: dict[str, Any]) -> str:
    """A rate next to the row's status, rounded toward it (``wording.percent``)."""
    return wording.percent(value, record.get("status"))


def _adjusted_rate(value: float, record: dict[str, Any]) -> str:
    """The adjusted rate and the months it covers."""
    scope = wording.unit_adjusted_scope(record)
    return format_html("{}<br><small>{}</small>", _rate(value, record), scope)


CELLS: dict[str, Callable[[Any, dict[str, Any]], str]] = {
    "name": _name,
    "baseline": _sheets,
    "current": _sheets,
    "rate": _rate,
    "adjusted_rate": _adjusted_rate,
    "projected_rate": lambda value, record: wording.percent(
        value, wording.projected_status(record.get("at_risk"))
    ),
    "coverage": lambda value, record: percent(value, 0),
    "reporting": lambda value, record: percent(value, 0),
    "gap": _sheets,
    "change": lambda value, record: points(value),
    "status": _status,
    "last_updated": _last_updated,
    "note_count": _note_count,
}


# --- Export: the filtered rows as data (rates as fractions), text cells neutralised ---

EXPORT_COLUMNS = (
    ("area_name", "区役所・局"),
    ("code", "所属コード"),
    ("name", "所属"),
    ("baseline", "基準年度同月の枚数"),
    ("current", "対象期間の枚数"),
    ("rate", "削減率"),
    ("adjusted_rate", "削減率（除外枚数を除く）"),
    ("status_label", "判定"),
    ("at_risk_label", AT_RISK_LABEL),
    ("projected_rate", "年度末見込み"),
    ("gap", "取組基準までの枚数"),
    ("coverage", wording.COMPARABLE_WORD),
    ("change", "前月比（ポイント）"),
    ("last_month", "最終報告月"),
    ("last_updated", "最終報告日"),
    ("note_count", "改善の取組（件数）"),
    ("reporting", wording.REPORTING_WORD),
    ("adjusted_months", "除外後の比較月数（除外枚数を両年度とも記入した月）"),
)
RATE_COLUMNS = frozenset({"rate", "adjusted_rate", "projected_rate", "coverage", "reporting"})
STATUS_RATES = frozenset({"rate", "adjusted_rate"})


def _export_value(key: str, row: dict[str, Any]) -> Any:
    if key == "status_label":
        return wording.status_label(row["status"]) if row.get("status") else ""
    if key == "at_risk_label":
        return "要注意" if row.get("at_risk") else ""
    value = row.get(key)
    if key == "last_month" and value:
        return f"{value.year:04d}-{value.month:02d}"
    if key in STATUS_RATES:
        # As the page shows it beside the status: a lagging 0.2997 is 0.299, not 0.2997
        # that a spreadsheet's 0.0% format would show as 30.0% (DESIGN.md §2, Status).
        return wording.shown_rate(value, row.get("status"))
    if key == "projected_rate":
        return wording.shown_rate(value, wording.projected_status(row.get("at_risk")))
    if key in RATE_COLUMNS and value is not None:
        return round(value, 4)
    if key == "change" and value is not None:
        return round(value * 100, 2)  # percentage points
    return neutralize(value)


def export_table(rows: list[dict[str, Any]]) -> tuple[list[str], list[list[Any]]]:
    """Header and data rows for CSV / Excel: numbers stay numbers, text is neutralised."""
    header = [label for _, label in EXPORT_COLUMNS]
    data = [[_export_value(key, row) for key, _ in EXPORT_COLUMNS] for row in rows]
    return header, data


def export_csv(rows: list[dict[str, Any]]) -> bytes:
    """UTF-8 with a byte order mark, which Excel needs to read Japanese CSV correctly."""
    header, data = export_table(rows)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(["" if v is None else v for v in row] for row in data)
    return out.getvalue().encode("utf-8-sig")

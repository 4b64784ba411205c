"""The department table: sort, filter, paginate, and export what is shown."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import openpyxl
import pytest
import time_machine

from paperless.models import ActionNote, MonthlyCount, Unit
from tests.conftest import add_counts
from tests.integration.dashboard_data import BASE, FY22, TODAY, counts, rows_by_code

pytestmark = pytest.mark.django_db
__all__ = ["counts"]


@pytest.fixture
def city(client, users, counts):
    client.force_login(users["executive"])
    with time_machine.travel(TODAY, tick=False):
        yield client


def codes(response) -> list[str]:
    return [row.record["code"] for row in response.context["table"].paginated_rows]


def test_table_opens_lowest_rate_first_with_departments_without_rate_last(city):
    assert codes(city.get("/")) == ["120100", "110200", "110100", "201100"]


def test_sort_by_a_column_both_ways_keeps_missing_values_last_ascending(city):
    assert codes(city.get("/?sort=rate")) == ["120100", "110200", "110100", "201100"]
    assert codes(city.get("/?sort=-rate"))[:3] == ["201100", "110100", "110200"]
    assert codes(city.get("/?sort=current")) == ["201100", "110100", "110200", "120100"]
    assert codes(city.get("/?sort=area_name"))[-1] == "201100"


def test_sorted_column_header_says_so_for_screen_readers(city):
    body = city.get("/?sort=-rate").content.decode()
    assert 'aria-sort="descending"' in body


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=lagging", ["120100"]),
        ("status=achieved", ["110200", "110100"]),
        ("status=at_risk", ["110200"]),
        ("status=no_data", ["201100"]),
        ("area=110000", ["110200", "110100"]),
        ("area=200000", ["201100"]),
        ("name=市民", ["120100", "110100", "201100"]),
        ("area=110000&name=企画", ["110200"]),
    ],
)
def test_filter_by_ward_or_bureau_status_and_name(city, query, expected):
    response = city.get(f"/?{query}")
    assert codes(response) == expected
    assert response.context["filter"].active


def test_unknown_filter_values_are_ignored_not_an_error(city):
    response = city.get("/?status=bogus&area=999")
    assert response.status_code == 200
    assert len(codes(response)) == 4


def test_filter_form_is_labelled_in_japanese(city):
    body = city.get("/").content.decode()
    for label in ("区役所・局", "判定", "所属名（一部でも可）", "要注意（年度末見込み未達）"):
        assert label in body
    assert "previous" not in body.lower()


def test_table_is_paginated_fifty_rows_a_page(city, tree):
    for i in range(60):
        unit = Unit.objects.create(
            code=f"13{i:04d}", name=f"課{i}", kind="department", parent=tree["naka"]
        )
        add_counts(unit, BASE + FY22, 500, 400)
    first, second = city.get("/"), city.get("/?page=2")
    assert len(codes(first)) == 50 and len(codes(second)) == 14
    body = second.content.decode()
    assert "前のページ" in body and 'aria-current="page">2<' in body


def test_note_flag_in_the_table_links_to_the_department_notes(city, users, tree):
    ActionNote.objects.create(
        department=tree["naka_shimin"], author=users["head"], text="両面印刷を既定にしました。"
    )
    response = city.get("/")
    assert rows_by_code(response)["120100"]["note_count"] == 1
    assert rows_by_code(response)["110100"]["note_count"] == 0
    assert '<a href="/units/120100/#notes">あり（1件）</a>' in response.content.decode()


def test_last_upload_column_shows_the_latest_month_reported(city):
    rows = rows_by_code(city.get("/"))
    assert rows["120100"]["last_month"] == date(2022, 12, 1)
    assert rows["110100"]["last_month"] == date(2023, 1, 1)
    assert rows["201100"]["last_updated"] is None


def test_last_upload_day_is_the_day_in_tokyo_and_sorts_the_column(city):
    late = datetime(2023, 1, 31, 16, 30, tzinfo=UTC)  # 1 February, 01:30 in Tokyo
    MonthlyCount.objects.filter(department__code="120100").update(updated_at=late)
    early = datetime(2023, 1, 10, 3, 0, tzinfo=UTC)
    MonthlyCount.objects.exclude(department__code="120100").update(updated_at=early)
    response = city.get("/?sort=-last_updated")
    rows = rows_by_code(response)
    assert rows["120100"]["last_updated"] == date(2023, 2, 1)
    assert rows["110100"]["last_updated"] == date(2023, 1, 10)
    assert codes(response)[0] == "120100"
    assert "2023/2/1<br><small>〜2022年12月分</small>" in response.content.decode()


def read_csv(response) -> list[list[str]]:
    assert response.content.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_csv_export_holds_the_filtered_rows_as_data(city):
    response = city.get("/export/departments.csv?status=achieved&sort=-rate&unit=100000")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    header, *rows = read_csv(response)
    assert header[:6] == [
        "区役所・局",
        "所属コード",
        "所属",
        "基準年度同月の枚数",
        "対象期間の枚数",
        "削減率",
    ]
    assert [r[1] for r in rows] == ["110100", "110200"]
    assert rows[0][5] == "0.4"  # a fraction, as in the JSON
    assert rows[1][8] == "要注意"


def test_csv_export_neutralises_names_that_look_like_formulas(city, tree):
    tree["zeimu"].name = '=HYPERLINK("http://evil","x")'
    tree["zeimu"].save()
    header, *rows = read_csv(city.get("/export/departments.csv?status=no_data"))
    assert rows[0][2] == '\'=HYPERLINK("http://evil","x")'


def test_excel_export_keeps_numbers_with_formats(city):
    response = city.get("/export/departments.xlsx?area=110000")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in ws[4]]
    first = {h: c for h, c in zip(header, ws[5], strict=True)}
    assert first["所属コード"].value == "110200"
    assert first["削減率"].value == pytest.approx(0.31)
    assert first["削減率"].number_format == "0.0%"
    assert first["基準年度同月の枚数"].value == 10000
    assert ws.max_row == 6
    assert ws.page_setup.orientation == "landscape"


def test_export_of_another_unit_is_refused(client, users, counts):
    client.force_login(users["manager"])  # 堺区役所
    with time_machine.travel(TODAY, tick=False):
        own = client.get("/export/departments.csv")
        other = client.get("/export/departments.csv?unit=120000")
    assert [r[1] for r in read_csv(own)[1:]] == ["110200", "110100"]
    assert other.status_code == 403


def test_names_with_markup_are_shown_as_text_in_the_table(city, tree):
    Unit.objects.filter(pk=tree["naka_shimin"].pk).update(name='<img src=x onerror="alert(1)">')
    Unit.objects.filter(pk=tree["naka"].pk).update(name="<b>中区</b>")
    body = city.get("/?sort=rate").content.decode()
    table = body[body.index('<table class="data-table"') :]
    assert "<img src=x" not in table and "<b>中区</b>" not in table
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in table
    assert "&lt;b&gt;中区&lt;/b&gt;" in table

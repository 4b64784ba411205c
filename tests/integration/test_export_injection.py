"""Exports cannot carry formulas: text that a spreadsheet would run comes out as text.

Department names (and action notes) are typed by people. A name such as
=HYPERLINK("http://x") must reach the CSV and Excel downloads neutralised, while a
negative reduction rate (paper use went up) stays a number.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from paperless.core.fiscal import fiscal_months
from paperless.dashboard.exports import FORMULA_PREFIXES, looks_like_formula
from paperless.models import ActionNote
from tests.authz_rules import walk_urls
from tests.conftest import add_counts

pytestmark = pytest.mark.django_db

TODAY = date(2023, 2, 15)
HOSTILE = {
    "naka_shimin": '=HYPERLINK("http://x")',
    "sakai_kikaku": "@SUM(1)",
    "zeimu": "\t+市民税課",
}
HOSTILE_WARD = "-1+中区役所"
# The same, hidden behind blanks or written with full-width signs.
HIDDEN = {
    "naka_shimin": ' =HYPERLINK("http://x")',
    "sakai_kikaku": "\u00a0@SUM(1)",
    "zeimu": "＝1+1",
    "sakai_shimin": "\u3000＋市民課",
}
HIDDEN_WARD = "－1+中区役所"
# Every download of the dashboard: the URL names that say "export", and the meeting report.
EXPORTS = sorted(name for name, _ in walk_urls() if "export" in name or name.endswith("_report"))


@pytest.fixture
def hostile(tree):
    for key, name in HOSTILE.items():
        tree[key].name = name
        tree[key].save()
    tree["naka"].name = HOSTILE_WARD
    tree["naka"].save()
    fy22 = [m for m in fiscal_months(2022) if m <= date(2023, 1, 1)]
    for key in ("sakai_shimin", "sakai_kikaku", "naka_shimin", "zeimu"):
        add_counts(tree[key], fiscal_months(2020), 600, 400)
    add_counts(tree["naka_shimin"], fy22, 700, 500)  # +20%: a negative reduction rate
    add_counts(tree["sakai_kikaku"], fy22, 500, 400)  # −10%, lagging
    add_counts(tree["zeimu"], fy22, 300, 200)
    add_counts(tree["sakai_shimin"], fy22, 300, 200)
    return tree


def _download(client, users, tree, name: str):
    client.force_login(users["executive"])
    with time_machine.travel(TODAY, tick=False):
        response = client.get(reverse(f"paperless:{name.split(':')[-1]}"), {"unit": "100000"})
    assert response.status_code == 200, name
    assert response["Content-Disposition"].startswith("attachment")
    return response


def _rows(response) -> list[list[object]]:
    if response["Content-Type"].startswith("text/csv"):
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            formulas = [c.coordinate for c in row if c.data_type == "f"]
            assert not formulas, f"formula cells in {sheet.title}: {formulas}"
            rows.append([c.value for c in row])
    return rows


def _is_number(value: object) -> bool:
    if isinstance(value, int | float):
        return True
    try:
        float(str(value))
    except ValueError:
        return False
    return True


def test_exports_were_found():
    assert {"paperless:export_csv", "paperless:export_xlsx"} <= set(EXPORTS)


@pytest.mark.parametrize("name", EXPORTS)
def test_hostile_names_come_out_as_text(client, users, hostile, name):
    ActionNote.objects.create(
        department=hostile["sakai_kikaku"], author=users["head"], text="=cmd|' /C calc'!A0"
    )
    rows = _rows(_download(client, users, hostile, name))
    cells = [c for row in rows for c in row if isinstance(c, str)]

    for text in [*HOSTILE.values(), HOSTILE_WARD]:
        assert text not in cells, f"{text!r} exported as is"
    dangerous = [c for c in cells if c.startswith(FORMULA_PREFIXES) and not _is_number(c)]
    assert dangerous == []
    assert "'" + HOSTILE["naka_shimin"] in cells or any(
        "'" + HOSTILE["naka_shimin"] in c for c in cells
    ), "the department is still in the export, neutralised"


@pytest.mark.parametrize("name", [n for n in EXPORTS if "export" in n])
def test_negative_rate_stays_a_number(client, users, hostile, name):
    rows = _rows(_download(client, users, hostile, name))
    header = next(r for r in rows if "削減率" in r)
    naka = next(r for r in rows if "'" + HOSTILE["naka_shimin"] in r)
    rate = naka[header.index("削減率")]
    if isinstance(rate, str):  # CSV: the text of a number, without a leading quote
        rate = float(rate)
    assert isinstance(rate, float) and rate == pytest.approx(-0.2)


@pytest.fixture
def hidden(hostile):
    for key, name in HIDDEN.items():
        hostile[key].name = name
        hostile[key].save()
    hostile["naka"].name = HIDDEN_WARD
    hostile["naka"].save()
    return hostile


@pytest.mark.parametrize("name", EXPORTS)
def test_formulas_behind_blanks_or_in_full_width_come_out_as_text(client, users, hidden, name):
    ActionNote.objects.create(
        department=hidden["sakai_kikaku"], author=users["head"], text=" ＝cmd|' /C calc'!A0"
    )
    rows = _rows(_download(client, users, hidden, name))
    cells = [c for row in rows for c in row if isinstance(c, str)]

    for text in [*HIDDEN.values(), HIDDEN_WARD]:
        assert text not in cells, f"{text!r} exported as is"
    dangerous = [c for c in cells if looks_like_formula(c) and not _is_number(c)]
    assert dangerous == []
    assert any("'" + HIDDEN["naka_shimin"] in c for c in cells), "still exported, neutralised"

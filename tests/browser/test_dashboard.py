"""The dashboard in a real browser, on the Sakai demo data: what the CDXO does."""

from __future__ import annotations

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache

from paperless.access import permissions
from paperless.demo.org import BUREAUS
from paperless.demo.seed import DEMO_PASSWORD, seed_demo

# The live server needs committed data: each test's data is flushed afterwards, the
# roles (groups) a migration created included, so the fixture makes sure of them.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1280, 1024)


@pytest.fixture
def cdxo(tab):
    for role in permissions.ROLES:
        Group.objects.get_or_create(name=role)
    seed_demo()
    cache.clear()
    tab.log_in("cdxo", DEMO_PASSWORD)
    return tab


def test_cdxo_sees_the_wards_filters_to_lagging_opens_a_department_and_downloads_the_report(
    cdxo, artifacts
):
    page = cdxo.page
    assert page.url == cdxo.base_url + "/"
    page.wait_for_selector("#chart-wards .point")
    assert page.locator("#chart-wards .point").count() == 7
    assert page.locator("#chart-wards .bars .point").count() == 7
    labels = page.locator("#chart-wards .bartext").all_text_contents()
    assert sum("未達" in t for t in labels) >= 2
    assert page.locator("#chart-series .scatterlayer .trace").count() == 3
    assert page.locator("#chart-departments .point").count() > 100

    # The ward/bureau toggle is a pair of real buttons: keyboard works.
    toggle = page.locator('button[data-toggle="panel-bureaus"]')
    toggle.focus()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-pressed") == "true"
    page.wait_for_selector("#chart-bureaus .point")
    assert page.locator("#chart-bureaus .point").count() == len(BUREAUS)
    assert page.locator("#panel-wards").is_hidden()

    page.select_option("#id_status", "lagging")
    with page.expect_navigation():
        page.click("text=絞り込む")
    statuses = page.locator(".data-table tbody td .status").all_text_contents()
    assert statuses and all(s == "未達" for s in statuses)
    page.screenshot(path=artifacts / "dashboard-lagging.png", full_page=True)

    first = page.locator(".data-table tbody th a").first
    name = first.text_content()
    with page.expect_navigation():
        first.click()
    page.wait_for_selector("#chart-history .point")
    assert name in page.locator("h1").text_content()
    assert page.locator("#chart-history .scatterlayer .trace").count() == 3
    assert "未達" in page.locator("#gap-heading + p").text_content()
    page.screenshot(path=artifacts / "dashboard-department.png", full_page=True)

    cdxo.open("/")
    with page.expect_download() as download:
        page.click("text=会議資料（Excel）をダウンロード")
    saved = artifacts / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.suffix == ".xlsx"
    workbook = openpyxl.load_workbook(saved)
    assert workbook.properties.title.endswith("月末現在）")
    assert "ペーパーレスの取組状況" in workbook.properties.title
    assert "未達の所属" in workbook.sheetnames

    assert cdxo.errors == []
    assert cdxo.outside == []


@pytest.mark.parametrize("width", WIDTHS)
def test_city_and_ward_pages_fit_the_screen_at_desktop_and_tablet_widths(cdxo, artifacts, width):
    page = cdxo.page
    page.set_viewport_size({"width": width, "height": 900})
    for path, name in (("/", "city"), ("/units/120000/", "ward"), ("/units/120100/", "department")):
        cdxo.open(path)
        page.wait_for_selector(".chart .main-svg")
        page.screenshot(path=artifacts / f"dashboard-{name}-{width}.png", full_page=True)
        # Nothing sticks out sideways but the table, which scrolls in its own region.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} is {overflow}px wider than {width}px"
        for chart in page.locator(".chart .main-svg").all():
            box = chart.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width
    assert cdxo.errors == []


def test_main_pages_have_no_serious_accessibility_violations(cdxo):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    found = {}
    for path in ("/", "/units/120000/", "/units/120100/"):
        cdxo.open(path)
        cdxo.page.wait_for_selector(".chart .main-svg")
        results = axe.run(cdxo.page, options={"resultTypes": ["violations"]})
        serious = [
            f"{v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        if serious:
            found[path] = serious
    assert found == {}

"""A department head uploads counts in a real browser, from template to committed data."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from paperless.models import MonthlyCount, Upload


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_department_head_uploads_counts_from_the_template(tab, artifacts, users, tree, tmp_path):
    page = tab.page
    tab.log_in("head", "pw-Sakai-2022!")
    page.click("nav >> text=アップロード")
    page.click("text=ファイルをアップロードする")
    assert page.locator("h1").inner_text() == "印刷・コピー枚数のアップロード"

    with page.expect_download() as download:
        page.click("#template-long")
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)

    workbook = load_workbook(template)
    sheet = workbook["枚数"]
    row = next(r for r in sheet.iter_rows(min_row=4) if r[1].value == "110100")
    month_text = row[0].value
    row[3].value, row[4].value = 4210, "１，９８０"
    filled = tmp_path / "堺区市民課.xlsx"
    workbook.save(filled)

    page.set_input_files("input[type=file]", str(filled))
    page.click("text=送信して内容を確認する")
    page.wait_for_selector("#records")
    assert page.locator("h1").inner_text() == "内容の確認"
    body = page.locator("main").inner_text()
    assert "確認待ち" in body and month_text in body and "4,210" in body and "1,980" in body
    assert "新規" in body and "堺区 市民課" in body
    page.screenshot(path=str(artifacts / "upload_preview.png"), full_page=True)

    page.click("#confirm-button")
    page.wait_for_selector("text=登録しました")
    assert page.locator("#upload-status").inner_text() == "登録済み"
    page.screenshot(path=str(artifacts / "upload_committed.png"), full_page=True)
    # A download ends its request as "aborted" in the browser: that one is expected.
    assert [e for e in tab.errors if "/uploads/template.xlsx" not in e] == []
    assert tab.outside == []

    count = MonthlyCount.objects.get(department=tree["sakai_shimin"])
    assert (count.print_sheets, count.copy_sheets) == (4210, 1980)
    assert count.upload == Upload.objects.get() and count.upload.status == "committed"

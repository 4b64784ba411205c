"""Predecessor shares in the org master: splits and hand-overs refused without shares,
stored with them, and nothing written on error."""

from __future__ import annotations

from decimal import Decimal

import pytest

from paperless.models import Succession, Unit
from tests.integration.test_import_org import JA, assert_rejected, run, tree_state, xlsx

pytestmark = pytest.mark.django_db

HEADER = [*JA, "有効", "表示順", "前身所属コード"]


def org(tmp_path, *rows):
    return xlsx(tmp_path, [HEADER, *rows])


def links() -> dict[tuple[str, str], Decimal | None]:
    rows = Succession.objects.values_list("from_unit__code", "to_unit__code", "share")
    return {(heir, predecessor): share for heir, predecessor, share in rows}


def test_a_50_50_split_is_stored_with_its_shares(tmp_path, tree):
    path = org(
        tmp_path,
        ["110200", "堺区 企画総務課", "所属", "110000", "", "廃止", "", ""],
        ["110300", "堺区 企画課", "所属", "110000", "", "○", "", "110200:50%"],
        ["110400", "堺区 総務課", "所属", "110000", "", "○", "", "110200：０．５"],
    )
    outcome = run(path)
    assert outcome.code == 0, outcome
    assert links() == {("110300", "110200"): Decimal("0.5"), ("110400", "110200"): Decimal("0.5")}
    assert "変更なし 3件" in run(path).out


def test_a_split_without_shares_is_refused_and_nothing_written(tmp_path, tree):
    before = tree_state()
    path = org(
        tmp_path,
        ["110200", "堺区 企画総務課", "所属", "110000", "", "廃止", "", ""],
        ["110300", "堺区 企画課", "所属", "110000", "", "○", "", "110200"],
        ["110400", "堺区 総務課", "所属", "110000", "", "○", "", "110200"],
    )
    message = (
        "前身所属「110200」は2つの所属に分割される所属なので、"
        "引継割合を「110200:40%」のように書いてください。"
    )
    assert_rejected(
        run(path),
        f"組織 行3 列「前身所属コード」: {message}",
        f"組織 行4 列「前身所属コード」: {message}",
    )
    assert tree_state() == before
    assert not Succession.objects.exists()


def test_a_hand_over_from_an_active_department_needs_a_share(tmp_path, tree):
    without = org(tmp_path, ["110300", "堺区 新設課", "所属", "110000", "", "○", "", "110200"])
    outcome = run(without)
    assert outcome.code == 1
    assert "存続する所属" in outcome.err
    assert not Unit.objects.filter(code="110300").exists()

    with_share = org(
        tmp_path, ["110300", "堺区 新設課", "所属", "110000", "", "○", "", "110200:30%"]
    )
    assert run(with_share).code == 0
    assert links() == {("110300", "110200"): Decimal("0.3")}


def test_shares_of_an_abolished_department_must_sum_to_one(tmp_path, tree):
    path = org(
        tmp_path,
        ["110200", "堺区 企画総務課", "所属", "110000", "", "廃止", "", ""],
        ["110300", "堺区 企画課", "所属", "110000", "", "○", "", "110200:40%"],
        ["110400", "堺区 総務課", "所属", "110000", "", "○", "", "110200:40%"],
    )
    outcome = run(path)
    assert outcome.code == 1
    assert "引継割合の合計が 80% です。合計が100%になるようにしてください。" in outcome.err


def test_abolishing_a_department_with_two_heirs_without_shares_names_its_row(tmp_path, tree):
    for code in ("110300", "110400"):
        heir = Unit.objects.create(code=code, name=code, kind="department", parent=tree["sakai"])
        Succession.objects.create(from_unit=heir, to_unit=tree["sakai_kikaku"], share=None)
    path = org(tmp_path, ["110200", "堺区 企画総務課", "所属", "110000", "", "廃止", "", ""])
    outcome = run(path)
    assert outcome.code == 1
    assert any(line.startswith("組織 行2 列「前身所属コード」") for line in outcome.error_lines)
    assert Unit.objects.get(code="110200").active


def test_an_unreadable_share_is_reported_on_its_cell(tmp_path, tree):
    path = org(tmp_path, ["110300", "堺区 企画課", "所属", "110000", "", "○", "", "110200:半分"])
    assert_rejected(
        run(path),
        "組織 行2 列「前身所属コード」: "
        "引継割合「半分」を読めません。0.4 または 40% のように書いてください。",
    )


def test_the_history_records_a_changed_share(tmp_path, tree):
    first = org(tmp_path, ["110300", "堺区 新設課", "所属", "110000", "", "○", "", "110200:30%"])
    assert run(first).code == 0
    second = org(tmp_path, ["110300", "堺区 新設課", "所属", "110000", "", "○", "", "110200:40%"])
    assert "更新 1件" in run(second).out
    latest = Unit.objects.get(code="110300").history.first()
    assert [(link.to_unit.code, link.share) for link in latest.predecessors.all()] == [
        ("110200", Decimal("0.4"))
    ]

"""The org master import (`manage.py import_org FILE`), end to end through the command."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from paperless.importing.cells import (
    column_letter,
    is_blank,
    normalize_code,
    normalize_key,
    normalize_text,
)
from paperless.importing.files.limits import Limits, TableError
from paperless.importing.files.reader import read_rows
from paperless.models import Unit

JA = ["所属コード", "所属名", "種別", "上位所属コード", "所属長メールアドレス"]
EN = ["code", "name", "kind", "parent_code", "head_email"]
SMALL_TREE = [
    ["100000", "堺市", "市", "", ""],
    ["200000", "財政局", "局", "100000", ""],
    ["201100", "市民税課", "所属", "200000", "shiminzei@city.sakai.example"],
]


@dataclass
class Outcome:
    code: int
    out: str
    err: str

    @property
    def error_lines(self) -> list[str]:
        return self.err.splitlines()


def run(path: Path, *args: str) -> Outcome:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_org", str(path), *args, stdout=out, stderr=err)
    except CommandError as exc:
        return Outcome(exc.returncode, out.getvalue(), err.getvalue() + str(exc))
    return Outcome(0, out.getvalue(), err.getvalue())


def xlsx(tmp_path: Path, rows: list[list], *, title: str = "組織", name: str = "org.xlsx"):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


def csv_file(tmp_path: Path, rows: list[list], *, encoding: str = "utf-8") -> Path:
    path = tmp_path / "org.csv"
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def tree_state() -> dict[str, tuple]:
    return {
        u.code: (u.name, u.kind, u.parent.code if u.parent else None, u.head_emails, u.active)
        for u in Unit.objects.select_related("parent")
    }


def assert_rejected(outcome: Outcome, *expected_lines: str) -> None:
    assert outcome.code == 1, outcome
    for line in expected_lines:
        assert line in outcome.error_lines
    assert f"{len(expected_lines)}件のエラーがあるため、何も登録していません。" in outcome.err


# --- cells ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", [110100, 110100.0, "110100", " 110100 ", "１１０１００", "\u3000110100\t"]
)
def test_code_cells_in_every_spelling_give_the_same_code(value):
    assert normalize_code(value) == "110100"


def test_code_keeps_leading_zeros_of_text_and_is_none_when_blank():
    assert normalize_code("011000") == "011000"
    assert normalize_code(1101.5) == "1101.5"
    assert normalize_code(None) is None
    assert normalize_code(" \u3000") is None


def test_text_is_trimmed_but_not_nfkc_normalised():
    assert normalize_text("  ①ｶﾀｶﾅ㈱ ") == "①ｶﾀｶﾅ㈱"
    assert normalize_text(None) == ""
    assert normalize_text(3.0) == "3"
    assert is_blank("\u3000") and is_blank(None) and not is_blank(0)


def test_header_keys_and_column_letters():
    assert normalize_key(" Parent_Code ") == normalize_key("parentcode") == "parentcode"
    assert normalize_key("所属長メールアドレス（任意）") == "所属長メールアドレス"
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == [
        "A",
        "Z",
        "AA",
        "AB",
        "ZZ",
        "AAA",
    ]


# --- reader ----------------------------------------------------------------------------


def test_reader_keeps_excel_row_numbers_and_skips_blank_rows(tmp_path):
    path = xlsx(tmp_path, [["タイトル"], [], ["a", None, "b", None, None], [None, ""]])
    (sheet,) = read_rows(path, filename="org.xlsx")
    assert sheet.name == "組織"
    assert sheet.rows == [(1, ("タイトル",)), (3, ("a", None, "b"))]


def test_reader_takes_a_file_object_and_numbers_csv_records_by_their_first_line():
    data = 'a,"二\n行"\n\nb,c\n'.encode()
    (sheet,) = read_rows(io.BytesIO(data), filename="x.csv")
    assert sheet.name == "x.csv"
    assert sheet.rows == [(1, ("a", "二\n行")), (4, ("b", "c"))]


def test_reader_limits_apply_to_a_file_object_too():
    limits = Limits(max_bytes=4, max_rows=10, max_columns=10)
    with pytest.raises(TableError, match="大きすぎます"):
        read_rows(io.BytesIO(b"a,b,c\n"), filename="x.csv", limits=limits)


# --- success -------------------------------------------------------------------------


def test_xlsx_with_japanese_headers_creates_the_tree(tmp_path, db):
    outcome = run(xlsx(tmp_path, [JA, *SMALL_TREE]))

    assert outcome.code == 0, outcome
    assert "新規 3件、更新 0件、変更なし 0件" in outcome.out
    assert tree_state() == {
        "100000": ("堺市", "city", None, "", True),
        "200000": ("財政局", "bureau", "100000", "", True),
        "201100": ("市民税課", "department", "200000", "shiminzei@city.sakai.example", True),
    }


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_csv_in_each_office_encoding(tmp_path, db, encoding):
    outcome = run(csv_file(tmp_path, [JA, *SMALL_TREE], encoding=encoding))

    assert outcome.code == 0, outcome
    assert Unit.objects.get(code="201100").name == "市民税課"
    assert Unit.objects.get(code="201100").parent.name == "財政局"


def test_english_headers_and_kinds_in_any_column_order_with_extra_columns(tmp_path, db):
    rows = [
        ["memo", "kind", "Parent_Code", "NAME", "code"],
        ["ignored", "city", "", "堺市", "100000"],
        ["", "ward_office", "100000", "堺区役所", "110000"],
    ]
    outcome = run(xlsx(tmp_path, rows))

    assert outcome.code == 0, outcome
    assert tree_state() == {
        "100000": ("堺市", "city", None, "", True),
        "110000": ("堺区役所", "ward_office", "100000", "", True),
    }


def test_title_rows_above_the_header_and_blank_rows_are_skipped(tmp_path, db):
    rows = [["堺市 組織マスタ"], ["令和6年4月1日現在"], [], JA, SMALL_TREE[0], [], SMALL_TREE[1]]
    outcome = run(xlsx(tmp_path, rows))

    assert outcome.code == 0, outcome
    assert set(tree_state()) == {"100000", "200000"}


def test_headers_may_carry_marks_and_notes(tmp_path, db):
    header = ["所属コード※", "所属名※", "種別※", "上位所属コード", "所属長メールアドレス（任意）"]
    rows = [header, ["100000", "堺市", "市", "", "a@city.sakai.example；b@city.sakai.example"]]
    outcome = run(xlsx(tmp_path, rows))

    assert outcome.code == 1  # a full-width semicolon is not a separator
    rows[1][4] = "a@city.sakai.example、b@city.sakai.example"
    assert run(xlsx(tmp_path, rows)).code == 0
    assert Unit.objects.get().emails == ["a@city.sakai.example", "b@city.sakai.example"]


def test_a_parent_may_come_after_its_children(tmp_path, db):
    outcome = run(xlsx(tmp_path, [JA, *reversed(SMALL_TREE)]))

    assert outcome.code == 0, outcome
    assert Unit.objects.get(code="201100").parent.parent.code == "100000"


def test_a_parent_may_be_a_unit_already_in_the_database(tmp_path, tree):
    outcome = run(xlsx(tmp_path, [JA, ["110300", "堺区 保険年金課", "所属", "110000", ""]]))

    assert outcome.code == 0, outcome
    assert Unit.objects.get(code="110300").parent == tree["sakai"]


def test_numeric_and_full_width_codes_mean_the_same_code(tmp_path, db):
    rows = [
        JA,
        [110000.0, "堺区役所", "区役所", None, None],
        ["１１０１００", "堺区 市民課", "所属", 110000, None],
        [110200, "堺区 企画総務課", "所属", "１１００００", None],
    ]
    outcome = run(xlsx(tmp_path, rows))

    assert outcome.code == 0, outcome
    assert sorted(Unit.objects.values_list("code", "parent__code")) == [
        ("110000", None),
        ("110100", "110000"),
        ("110200", "110000"),
    ]


def test_a_second_run_changes_nothing(tmp_path, db):
    path = xlsx(tmp_path, [JA, *SMALL_TREE])
    assert run(path).code == 0
    history = Unit.history.count()

    outcome = run(path)

    assert outcome.code == 0, outcome
    assert "新規 0件、更新 0件、変更なし 3件" in outcome.out
    assert Unit.history.count() == history


def test_an_existing_unit_is_updated_with_history_and_others_are_kept(tmp_path, tree):
    before = tree_state()
    rows = [
        JA,
        ["110100", "堺区 市民窓口課", "所属", "110000", "madoguchi@city.sakai.example"],
        ["110200", "堺区 企画総務課", "所属", "110000", "kikaku.sakai@city.sakai.example"],
    ]
    outcome = run(xlsx(tmp_path, rows, name="組織_R6.xlsx"))

    assert outcome.code == 0, outcome
    assert "新規 0件、更新 1件、変更なし 1件" in outcome.out
    after = tree_state()
    assert after.pop("110100") == (
        "堺区 市民窓口課",
        "department",
        "110000",
        "madoguchi@city.sakai.example",
        True,
    )
    before.pop("110100")
    assert after == before  # nothing else changed, nothing deleted
    latest = tree["sakai_shimin"].history.first()
    assert latest.history_type == "~"
    assert latest.history_change_reason == "組織マスタ取込: 組織_R6.xlsx"


def test_the_optional_columns_set_active_sort_order_and_predecessors(tmp_path, tree):
    rows = [
        [*JA, "有効", "表示順", "前身所属コード"],
        ["110100", "堺区 市民課", "所属", "110000", "", "廃止", "", ""],
        ["110200", "堺区 企画総務課", "所属", "110000", "", "×", "", ""],
        ["110300", "堺区 市民総務課", "所属", "110000", "", "○", 5, "110100、１１０２００"],
    ]
    path = xlsx(tmp_path, rows)

    outcome = run(path)

    assert outcome.code == 0, outcome
    merged = Unit.objects.get(code="110300")
    assert merged.sort_order == 5 and merged.active
    assert sorted(merged.predecessors.values_list("code", flat=True)) == ["110100", "110200"]
    assert not Unit.objects.get(code="110100").active
    assert "新規 0件、更新 0件、変更なし 3件" in run(path).out


def test_dry_run_writes_nothing(tmp_path, db):
    outcome = run(xlsx(tmp_path, [JA, *SMALL_TREE]), "--dry-run")

    assert outcome.code == 0, outcome
    assert "保存していません" in outcome.out
    assert "新規 3件" in outcome.out
    assert Unit.objects.count() == 0


# --- data errors: exit 1, every error, nothing written ------------------------------


def test_unknown_parent_is_named_with_row_and_column(tmp_path, tree):
    count = Unit.objects.count()
    rows = [["組織マスタ"], JA, ["110300", "堺区 保険年金課", "所属", "990000", ""]]

    outcome = run(xlsx(tmp_path, rows))

    assert_rejected(
        outcome,
        "組織 行3 列「上位所属コード」: "
        "上位所属コード「990000」はファイルにもデータベースにもありません。",
    )
    assert Unit.objects.count() == count


def test_a_cycle_in_the_file_is_rejected(tmp_path, db):
    rows = [JA, ["200000", "財政局", "局", "201000", ""], ["201000", "税務部", "部", "200000", ""]]

    outcome = run(xlsx(tmp_path, rows))

    assert_rejected(
        outcome,
        "組織 行2 列「上位所属コード」: 上位所属をたどると循環しています"
        "（200000 → 201000 → 200000）。",
    )
    assert Unit.objects.count() == 0


def test_a_cycle_through_the_database_is_rejected(tmp_path, tree):
    before = tree_state()
    # 110000 (堺区役所) sits under 100000 in the database; the file puts 100000 under it.
    outcome = run(xlsx(tmp_path, [JA, ["100000", "堺市", "市", "110000", ""]]))

    assert_rejected(
        outcome,
        "組織 行2 列「上位所属コード」: 上位所属をたどると循環しています"
        "（100000 → 110000 → 100000）。",
    )
    assert tree_state() == before


def test_a_unit_cannot_be_its_own_parent(tmp_path, db):
    outcome = run(xlsx(tmp_path, [JA, ["100000", "堺市", "市", "100000", ""]]))

    assert_rejected(
        outcome, "組織 行2 列「上位所属コード」: 上位所属コード「100000」が自分自身です。"
    )


def test_duplicate_codes_are_rejected_at_the_second_row(tmp_path, db):
    rows = [JA, SMALL_TREE[0], ["100000", "堺市役所", "市", "", ""]]

    outcome = run(csv_file(tmp_path, rows))

    assert_rejected(
        outcome,
        "org.csv 行3 列「所属コード」: 所属コード「100000」が重複しています（行2にもあり）。",
    )
    assert Unit.objects.count() == 0


def test_a_bad_kind_names_the_value_and_the_choices(tmp_path, db):
    rows = [EN, ["100000", "堺市", "課", "", ""]]

    outcome = run(xlsx(tmp_path, rows))

    assert_rejected(
        outcome,
        "組織 行2 列「kind」: 「課」は種別として使えません"
        "（市・局・区役所・部・所属 のいずれか）。",
    )


def test_missing_code_and_name_and_bad_email_are_all_reported(tmp_path, db):
    rows = [
        JA,
        ["", "堺市", "市", "", ""],
        ["200000", "", "局", "", ""],
        ["201100", "市民税課", "所属", "200000", "ok@city.sakai.example, not-an-address"],
    ]

    outcome = run(xlsx(tmp_path, rows))

    assert_rejected(
        outcome,
        "組織 行2 列「所属コード」: 所属コードが空です。",
        "組織 行3 列「所属名」: 所属名が空です。",
        "組織 行4 列「所属長メールアドレス」: "
        "メールアドレス「not-an-address」の形式が正しくありません。",
    )
    assert outcome.error_lines[:3] == [
        "組織 行2 列「所属コード」: 所属コードが空です。",
        "組織 行3 列「所属名」: 所属名が空です。",
        "組織 行4 列「所属長メールアドレス」: "
        "メールアドレス「not-an-address」の形式が正しくありません。",
    ]
    assert Unit.objects.count() == 0


def test_a_missing_required_column_is_named(tmp_path, db):
    rows = [["所属コード", "所属名", "上位所属コード"], ["100000", "堺市", ""]]

    outcome = run(xlsx(tmp_path, rows))

    assert_rejected(outcome, "組織 行1: 必須の列「種別」（または「kind」）が見出し行にありません。")


def test_a_sheet_without_a_header_row_is_rejected(tmp_path, db):
    outcome = run(xlsx(tmp_path, [["100000", "堺市", "市", ""]]))

    assert_rejected(
        outcome,
        "組織: 見出し行が見つかりません。先頭20行のどこかに"
        "「所属コード」「所属名」「種別」「上位所属コード」の列見出しを置いてください。",
    )


def test_a_unit_cannot_be_placed_under_a_department(tmp_path, tree):
    outcome = run(xlsx(tmp_path, [JA, ["110101", "窓口係", "所属", "110100", ""]]))

    assert_rejected(
        outcome,
        "組織 行2 列「上位所属コード」: "
        "上位所属「110100」は種別が「所属」なので、その下に所属を置けません。",
    )


def test_a_unit_with_children_in_the_database_cannot_become_a_department(tmp_path, tree):
    outcome = run(xlsx(tmp_path, [JA, ["201000", "税務部", "所属", "200000", ""]]))

    assert_rejected(
        outcome,
        "組織 行2 列「種別」: 種別を「所属」にできません。"
        "下位の所属（201100）がデータベースにあります。",
    )


def test_bad_optional_values_and_unknown_predecessors_are_reported(tmp_path, tree):
    rows = [
        [*EN, "active", "sort_order", "predecessor_codes"],
        ["110300", "堺区 市民総務課", "所属", "110000", "", "はい", "-1", "110100 990000"],
    ]

    outcome = run(xlsx(tmp_path, rows))

    assert_rejected(
        outcome,
        "組織 行2 列「active」: 「はい」を読めません（○／×、1／0、true／false、有効／廃止）。",
        "組織 行2 列「sort_order」: 表示順「-1」は0以上の整数で入力してください。",
        "組織 行2 列「predecessor_codes」: "
        "前身所属コード「990000」はファイルにもデータベースにもありません。",
        # 110100 stays active, so the link needs the share it hands over.
        "組織 行2 列「predecessor_codes」: 前身所属「110100」は存続する所属なので、"
        "引継割合を「110100:40%」のように書いてください。",
    )


def test_a_bad_row_at_the_end_leaves_the_database_untouched(tmp_path, tree):
    before = tree_state()
    history = Unit.history.count()
    rows = [JA, ["110100", "改名した市民課", "所属", "110000", ""]]
    rows += [[str(300000 + i), f"新しい課{i}", "所属", "200000", ""] for i in range(50)]
    rows += [["399999", "最後の課", "係", "200000", ""]]

    outcome = run(xlsx(tmp_path, rows))

    assert_rejected(
        outcome,
        "組織 行53 列「種別」: 「係」は種別として使えません"
        "（市・局・区役所・部・所属 のいずれか）。",
    )
    assert tree_state() == before
    assert Unit.history.count() == history


# --- unreadable files: exit 2 ----------------------------------------------------------


def test_a_missing_file_exits_2(tmp_path, db):
    outcome = run(tmp_path / "nothing.xlsx")

    assert outcome.code == 2
    assert "ファイル「nothing.xlsx」が見つかりません。" in outcome.err


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("org.txt", b"code,name", "「org.txt」は読めない形式です"),
        ("org.xlsx", b"code,name\n", "「org.xlsx」は Excel（.xlsx）ファイルではありません。"),
        ("org.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "パスワード付き"),
        ("org.xlsx", b"PK\x03\x04broken", "Excel ファイル「org.xlsx」を読めません"),
        (
            "org.csv",
            b"\x81\x20\xff\xfe",
            "CSV「org.csv」の文字コードを判別できません"
            "（UTF-8（BOM付き・なし）、Shift_JIS（CP932） を試しました）。",
        ),
    ],
)
def test_an_unreadable_file_exits_2(tmp_path, db, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)

    outcome = run(path)

    assert outcome.code == 2
    assert message in outcome.err


def test_a_file_over_the_size_limit_exits_2(tmp_path, db, settings):
    settings.UPLOAD_MAX_BYTES = 100
    outcome = run(csv_file(tmp_path, [JA, *SMALL_TREE] * 3))

    assert outcome.code == 2
    assert "ファイル「org.csv」が大きすぎます" in outcome.err


def test_a_sheet_over_the_row_or_column_limit_exits_2(tmp_path, db, settings):
    settings.UPLOAD_MAX_ROWS = 3
    assert "行数が上限（3行）を超えています" in run(xlsx(tmp_path, [JA, *SMALL_TREE])).err

    settings.UPLOAD_MAX_ROWS = 100
    settings.UPLOAD_MAX_COLUMNS = 4
    outcome = run(xlsx(tmp_path, [JA, *SMALL_TREE]))
    assert outcome.code == 2
    assert "シート「組織」の行1の列数が上限（4列）を超えています。" in outcome.err
    assert Unit.objects.count() == 0

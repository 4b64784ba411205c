"""The words of a count table's header row, in Japanese and English.

``field_of`` names the field a header cell stands for: first by the known names
(compared after NFKC, case folding, without spaces and a trailing note in brackets:
"印刷枚数（枚）", "Print Sheets", "所属ｺｰﾄﾞ"), then by the words offices build their own
headers from ("プリンター印刷枚数", "課CD", "組織名"). A total column ("印刷・コピー合計")
is no field. Pure.
"""

from __future__ import annotations

from functools import lru_cache

from paperless.importing.cells import MAX_LABEL_CHARS, normalize_key

ALIASES: dict[str, tuple[str, ...]] = {
    "month": (
        "年月",
        "対象年月",
        "報告年月",
        "実績年月",
        "集計年月",
        "年月分",
        "対象月",
        "報告月",
        "実績月",
        "月分",
        "月",
        "month",
        "year_month",
        "ym",
    ),
    "year": ("年", "暦年", "year"),
    "fiscal_year": ("年度", "fiscal_year", "fy"),
    "code": (
        "所属コード",
        "所属cd",
        "所属番号",
        "部署コード",
        "課コード",
        "組織コード",
        "コード",
        "department_code",
        "dept_code",
        "unit_code",
        "code",
    ),
    "name": (
        "所属名",
        "所属",
        "所属名称",
        "部署名",
        "部署",
        "課名",
        "組織名",
        "department_name",
        "dept_name",
        "department",
        "name",
    ),
    "print": (
        "印刷枚数",
        "印刷",
        "印刷数",
        "プリント枚数",
        "プリント",
        "出力枚数",
        "print_sheets",
        "print",
    ),
    "copy": ("コピー枚数", "コピー", "コピー数", "複写枚数", "copy_sheets", "copy", "copies"),
    "excluded": ("除外枚数", "除外", "除外数", "対象外枚数", "excluded_sheets", "excluded"),
    "note": ("備考", "メモ", "摘要", "note", "notes", "remarks", "comment"),
    "kind": ("区分", "種別", "種類", "項目", "内訳", "kind", "category", "type"),
}
LABELS = {
    "month": "年月",
    "year": "年",
    "fiscal_year": "年度",
    "code": "所属コード",
    "name": "所属名",
    "print": "印刷枚数",
    "copy": "コピー枚数",
    "excluded": "除外枚数",
    "note": "備考",
    "kind": "区分",
}
ENGLISH = {
    "month": "month",
    "year": "year",
    "fiscal_year": "fiscal_year",
    "code": "department_code",
    "name": "department_name",
    "print": "print_sheets",
    "copy": "copy_sheets",
    "excluded": "excluded_sheets",
    "note": "note",
    "kind": "kind",
}
FIELD_BY_KEY = {normalize_key(a): f for f, aliases in ALIASES.items() for a in aliases}
_TOTAL_WORDS = ("合計", "総計", "小計", "total")
# Checked in this order: the first word found decides (除外 before 印刷: "印刷除外枚数").
_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("excluded", ("除外", "対象外", "excluded")),
    ("code", ("コード", "code")),
    ("copy", ("コピー", "複写", "copy", "copies")),
    ("print", ("印刷", "プリント", "print")),
    ("month", ("年月",)),
    ("kind", ("区分",)),
    ("name", ("所属", "部署", "課名", "組織", "department")),
    ("note", ("備考",)),
)


_UNIT_WORDS = ("所属", "部署", "課", "組織")
# People, contacts and devices: a meter export's 機器番号 is not a department code.
_NOT_OURS = ("所属長", "担当", "氏名", "者", "メール", "電話", "機器", "シリアル")
_COUNTS = frozenset({"print", "copy", "excluded"})
_NOT_A_COUNT = ("機", "名", "日", "率", "単価", "金額", "料")


def field_of(cell: object) -> str | None:
    """The field a header cell names, or None (also for text too long to be a header)."""
    if not isinstance(cell, str):
        return None
    text = cell.strip()
    if not text or len(text) > MAX_LABEL_CHARS:
        return None
    return _field_of_key(normalize_key(text))


@lru_cache(maxsize=4096)
def _field_of_key(key: str) -> str | None:
    found = FIELD_BY_KEY.get(key)
    if found or not key or len(key) > 30:
        return found
    if any(word in key for word in _TOTAL_WORDS) or key.endswith("計"):
        return None
    if ("印刷" in key or "プリント" in key) and ("コピー" in key or "複写" in key):
        return None  # a combined column is neither
    if any(word in key for word in _NOT_OURS):
        return None
    if key.endswith("cd") or ("番号" in key and any(w in key for w in _UNIT_WORDS)):
        return "code"
    found = next((name for name, words in _WORDS if any(w in key for w in words)), None)
    if found in _COUNTS and any(word in key for word in _NOT_A_COUNT):
        return None  # 印刷機名, コピー単価, 印刷率: about the counts, not counts
    return found

"""What a master-data import reports, the same for the org master and the device register:
rows created, updated and unchanged, every error, and the line a person reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from paperless.importing.master.table import RowError

DRY_RUN_NOTE = "（試行のみ。保存していません）"


@dataclass
class Summary:
    """Keys of the rows the commit created, updated or found unchanged, in file order."""

    created: list[Any] = field(default_factory=list)
    updated: list[Any] = field(default_factory=list)
    unchanged: list[Any] = field(default_factory=list)


@dataclass
class ImportResult:
    what: str  # 組織マスタ, 機器台帳
    filename: str
    sheet: str
    errors: list[RowError]
    summary: Summary
    dry_run: bool = False

    def message(self) -> str:
        s = self.summary
        note = DRY_RUN_NOTE if self.dry_run else ""
        where = "" if self.sheet == self.filename else f"シート「{self.sheet}」"
        return (
            f"{self.what}「{self.filename}」{where}を取り込みました{note}: "
            f"新規 {len(s.created)}件、更新 {len(s.updated)}件、変更なし {len(s.unchanged)}件"
        )


def history_reason(what: str, filename: str) -> str:
    """The change reason every history row of the import carries (the column holds 100)."""
    return f"{what}取込: {filename}"[:100]

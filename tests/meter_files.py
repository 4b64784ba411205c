"""Device registers and meter-reading files built in code, as lessors and offices send them."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError

from paperless.core.fiscal import add_months
from tests.import_files import csv_bytes, xlsx

READING_HEADER = ["機器番号", "部門ID", "検針日", "印刷カウンター", "コピーカウンター"]
REGISTER_HEADER = [
    "機器番号",
    "部門ID",
    "所属コード",
    "利用開始日",
    "利用終了日",
    "機種",
    "設置場所",
]


def month_end(month: date) -> date:
    return add_months(month, 1) - timedelta(days=1)


def reading_rows(*rows: Sequence[object], header: Sequence[str] = READING_HEADER) -> list[list]:
    return [list(header), *(list(r) for r in rows)]


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def readings_xlsx(tmp_path: Path, *rows: Sequence[object], name: str = "検針.xlsx") -> Path:
    return write(tmp_path, name, xlsx(reading_rows(*rows), title="検針値"))


def readings_csv(
    tmp_path: Path, rows: Iterable[Sequence[object]], *, name: str, encoding: str = "utf-8"
) -> Path:
    return write(tmp_path, name, csv_bytes(list(rows), encoding=encoding))


def register_xlsx(tmp_path: Path, *rows: Sequence[object], name: str = "台帳.xlsx") -> Path:
    return write(tmp_path, name, xlsx([REGISTER_HEADER, *(list(r) for r in rows)], title="台帳"))


def run_command(name: str, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(name, *args, stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()

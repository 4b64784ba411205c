"""Cost of a bulk count import: 120,000 rows (10,000 departments x 12 months).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/paperless_bench \\
        .venv/bin/python benchmarks/bench_import.py [--departments 10000]

Without DATABASE_URL it runs on a throwaway SQLite file. With it, the database is
created when missing, migrated, and emptied of counts, uploads and units first, so it
must be a throwaway database named paperless_bench* (any other name is refused). It
writes a long-layout workbook as offices make them (a title row, the header, months as
date cells, codes as text, counts as numbers), creates the org units, and prints, from
one run:

  import    ``manage.py import_counts FILE --json`` end to end: safety checks, reading
            in the limited child process, parsing, validation, and the commit with
            history (every row is new: the first load of a year)
  calamine  the raw python-calamine parse of the same file (the reference)
  pandas    pandas.read_excel(FILE, engine="openpyxl")

with the ratios against the targets (import <= 3x calamine, faster than pandas) and
the peak resident memory of this process and of the reader child (target < 1 GB).
The import is measured first, so the peaks are the import's own.
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from contextlib import redirect_stdout
from datetime import date
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
TODAY = date(2024, 4, 10)  # FY2023 complete: its twelve months are all in the past
MONTHS = [date(2023 + (m < 4), m, 1) for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]


def write_workbook(path: Path, departments: int) -> None:
    """The 120,000-row workbook, written with openpyxl's streaming writer."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("枚数")
    sheet.append(["令和5年度 印刷・コピー枚数（全所属）"])
    sheet.append(["年月", "所属コード", "所属名", "印刷枚数", "コピー枚数", "除外枚数", "備考"])
    for d in range(departments):
        code, name = f"5{d:05d}", f"第{d}課"
        for i, month in enumerate(MONTHS):
            cell = WriteOnlyCell(sheet, value=month)
            cell.number_format = "yyyy年m月"
            excluded = (d * 7 + i) % 50 if d % 10 == 0 else None
            sheet.append(
                [cell, code, name, 1000 + (d * 37 + i * 11) % 4000, 300 + d % 700, excluded]
            )
    workbook.save(path)


def workbook_path(departments: int) -> Path:
    path = Path(tempfile.gettempdir()) / f"bench-import-{departments}.xlsx"
    if not path.exists():
        # In a child process: the writer's memory must not count as the import's peak.
        process = multiprocessing.get_context("fork").Process(
            target=write_workbook, args=(path, departments)
        )
        process.start()
        process.join()
    return path


def ensure_postgres_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1].split("?")[0]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        found = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not found:
            connection.execute(f'CREATE DATABASE "{name}"')


def setup_django() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        name = url.rsplit("/", 1)[1].split("?")[0]
        if not name.startswith("paperless_bench"):
            # It empties counts, uploads and units: never a database that matters.
            sys.exit(f"refusing database {name!r}: use a throwaway paperless_bench* database")
        ensure_postgres_database(url)
    else:
        path = Path(tempfile.mkdtemp(prefix="bench-import-")) / "bench.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sakai_dx.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ["UPLOAD_ROOT"] = tempfile.mkdtemp(prefix="bench-uploads-")
    os.environ.pop("CELERY_BROKER_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    return connection.vendor


def build_org(departments: int) -> None:
    from paperless.models import MonthlyCount, Unit, Upload

    MonthlyCount.history.all().delete()
    MonthlyCount.objects.all().delete()
    Upload.objects.all().delete()
    Unit.objects.filter(code__startswith="5").delete()
    Unit.objects.filter(code__in=[f"1{i:02d}000" for i in range(1, 8)]).delete()
    Unit.objects.filter(code="100000").delete()
    k = Unit.Kind
    city = Unit.objects.create(code="100000", name="堺市", kind=k.CITY)
    wards = Unit.objects.bulk_create(
        Unit(code=f"1{i:02d}000", name=f"第{i}区役所", kind=k.WARD_OFFICE, parent=city)
        for i in range(1, 8)
    )
    Unit.objects.bulk_create(
        (
            Unit(code=f"5{d:05d}", name=f"第{d}課", kind=k.DEPARTMENT, parent=wards[d % 7])
            for d in range(departments)
        ),
        batch_size=2000,
    )


def timed(function) -> tuple[float, object]:
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def run_import(path: Path) -> dict:
    import time_machine
    from django.core.management import call_command

    out = io.StringIO()
    with time_machine.travel(TODAY, tick=True), redirect_stdout(out):
        call_command("import_counts", str(path), "--json", stdout=out)
    return json.loads(out.getvalue())


def run_parts(path: Path) -> dict[str, float]:
    """The import's stages on their own, before the real run (the database is empty)."""
    from paperless.importing.counts.context import load_context
    from paperless.importing.counts.parse import parse_bytes
    from paperless.importing.counts.validate import validate
    from paperless.importing.files.limits import Limits

    data = path.read_bytes()
    limits = Limits.from_settings()
    parse_s, parsed = timed(lambda: parse_bytes(data, filename=path.name, limits=limits))
    context_s, context = timed(lambda: load_context(parsed.records, user=None, today=TODAY))
    validate_s, _ = timed(lambda: validate(parsed.records, context, sheet=parsed.sheet))
    return {"parse": parse_s, "load": context_s, "validate": validate_s}


def calamine_parse(path: Path) -> int:
    import python_calamine

    workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    return len(workbook.get_sheet_by_index(0).to_python())


def pandas_parse(path: Path) -> int:
    import pandas as pd

    return len(pd.read_excel(path, engine="openpyxl", header=1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--departments", type=int, default=10_000)
    parser.add_argument("--skip-pandas", action="store_true", help="pandas takes a while")
    args = parser.parse_args()

    path = workbook_path(args.departments)
    vendor = setup_django()
    build_org(args.departments)
    parts = run_parts(path)

    import_s, result = timed(lambda: run_import(path))
    self_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert result["ok"] and result["records"] == args.departments * 12, result

    calamine_s = min(timed(lambda: calamine_parse(path))[0] for _ in range(3))
    pandas_s = None if args.skip_pandas else timed(lambda: pandas_parse(path))[0]

    rows = args.departments * 12
    commit_s = import_s - sum(parts.values())
    print(f"\nbulk import of {rows:,} rows ({path.stat().st_size / 1e6:.1f} MB .xlsx) on {vendor}")
    print(f"{'step':<42}{'seconds':>9}{'x calamine':>12}")
    lines = [
        ("import_counts end to end", import_s),
        ("  of which parse (checks + child reader)", parts["parse"]),
        ("  of which load from database", parts["load"]),
        ("  of which validate", parts["validate"]),
        ("  of which commit with history (rest)", commit_s),
        ("python-calamine raw parse (best of 3)", calamine_s),
    ]
    if pandas_s is not None:
        lines.append(("pandas.read_excel(engine='openpyxl')", pandas_s))
    for label, seconds in lines:
        print(f"{label:<42}{seconds:>9.2f}{seconds / calamine_s:>12.2f}")
    print(f"\nimport / calamine  = {import_s / calamine_s:.2f}  (target <= 3)")
    if pandas_s is not None:
        print(f"import / pandas    = {import_s / pandas_s:.2f}  (target < 1)")
    print(
        f"peak RSS: this process {self_peak:,.0f} MB, reader child {child_peak:,.0f} MB"
        " (target < 1,024)"
    )


if __name__ == "__main__":
    main()

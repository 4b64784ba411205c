"""City page against the raw SQL it needs, on PostgreSQL with 2,000 departments.

Prints, in one run:

* the time of hand-written SQL giving every number the page shows (the period's sums
  and rates per unit rolled up the org tree, the previous month's rates, the fiscal-year
  projection, the monthly lines, the last reports and the action notes), and of the
  period's sums alone,
* the city page's server time (Django test client, median of N requests), cold (every
  figure computed) and warm (from the cache), with the ratios (target: at most 2x) and
  the number of SQL queries of the page, and
* the first page's transfer size, compressed: HTML + CSS + JS it references, gzip
  (target: at most 1.6 MB).

Usage (a throwaway database is created when missing and filled once)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/paperless_bench_dash \\
        .venv/bin/python benchmarks/bench_dashboard.py [--runs 15] [--rebuild]
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import re
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/paperless_bench_dash"
os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-secret-key-not-used-anywhere")
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "sakai_dx.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECURE": "0",
        "DJANGO_STATIC_MANIFEST": "0",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "LOG_LEVEL": "WARNING",
    }
)

DEPARTMENTS = 2_000
FIRST_FY, LAST_FY = 2020, 2025  # six fiscal years; FY2020 is the base year
TODAY = date(2026, 3, 16)  # before the March meeting: FY2025 to date runs to February
WARDS = ("堺区", "中区", "東区", "西区", "南区", "北区", "美原区")
BUREAUS = 16
DIVISIONS_PER_BUREAU = 4
TARGET_RATIO = 2.0
TARGET_BYTES = 1_600_000

# The reference: hand-written SQL for every number the city page shows, each query
# written to scan the counts once. PERIOD_SQL alone is the headline aggregation.
TREE_CTE = """
WITH RECURSIVE tree(department_id, unit_id) AS (
    SELECT id, id FROM paperless_unit WHERE kind = 'department'
    UNION ALL
    SELECT t.department_id, u.parent_id
    FROM tree t JOIN paperless_unit u ON u.id = t.unit_id
    WHERE u.parent_id IS NOT NULL
),
cur AS (
    SELECT department_id, month, print_sheets + copy_sheets AS total,
           LEAST(COALESCE(excluded_sheets, 0), print_sheets + copy_sheets) AS excluded
    FROM paperless_monthlycount WHERE month >= %(fy_first)s AND month <= %(last)s
),
base AS (
    SELECT department_id, EXTRACT(MONTH FROM month) AS cal, print_sheets + copy_sheets AS total,
           LEAST(COALESCE(excluded_sheets, 0), print_sheets + copy_sheets) AS excluded
    FROM paperless_monthlycount WHERE month >= %(base_first)s AND month <= %(base_last)s
),
joined AS (
    SELECT c.department_id, c.month, c.total AS cur, c.excluded AS cur_ex,
           b.total AS base, b.excluded AS base_ex,
           ROW_NUMBER() OVER (PARTITION BY c.department_id ORDER BY c.month DESC) AS recent
    FROM cur c JOIN base b
      ON b.department_id = c.department_id AND b.cal = EXTRACT(MONTH FROM c.month)
)
"""

# Period (headline, table, bars), the period one month shorter (the change column), the
# fiscal-year projection (last 3 comparable months' pace over the remaining months'
# baseline) per department rolled up the org tree, and the city's monthly lines: one
# statement, so the counts are scanned and joined to their baseline once for all.
UNITS_SQL = (
    TREE_CTE
    + """,
per_department AS (
    SELECT department_id,
           SUM(cur) FILTER (WHERE month >= %(first)s) AS current,
           SUM(base) FILTER (WHERE month >= %(first)s) AS baseline,
           SUM(cur - cur_ex) FILTER (WHERE month >= %(first)s) AS current_adjusted,
           SUM(base - base_ex) FILTER (WHERE month >= %(first)s) AS baseline_adjusted,
           COUNT(*) FILTER (WHERE month >= %(first)s) AS comparable_months,
           SUM(cur) FILTER (WHERE month >= %(first)s AND month <= %(prev_last)s) AS prev_current,
           SUM(base) FILTER (WHERE month >= %(first)s AND month <= %(prev_last)s) AS prev_baseline,
           SUM(cur) AS fy_current, SUM(base) AS fy_baseline,
           1 - SUM(cur) FILTER (WHERE recent <= 3)::float
             / NULLIF(SUM(base) FILTER (WHERE recent <= 3), 0) AS pace
    FROM joined GROUP BY department_id
),
ahead AS (
    SELECT department_id, SUM(total) AS base FROM base
    WHERE cal = ANY(%(remaining)s) GROUP BY department_id
),
units AS (
    SELECT t.unit_id, SUM(d.current) AS current, SUM(d.baseline) AS baseline,
           SUM(d.current_adjusted) AS current_adjusted,
           SUM(d.baseline_adjusted) AS baseline_adjusted,
           SUM(d.comparable_months) AS comparable_months,
           1 - SUM(d.current)::float / NULLIF(SUM(d.baseline), 0) AS rate,
           1 - SUM(d.prev_current)::float / NULLIF(SUM(d.prev_baseline), 0) AS previous_rate,
           1 - (SUM(d.fy_current) + SUM(COALESCE(a.base, 0) * (1 - COALESCE(
                 d.pace, 1 - d.fy_current::float / NULLIF(d.fy_baseline, 0), 0))))::float
             / NULLIF(SUM(d.fy_baseline) + SUM(COALESCE(a.base, 0)), 0) AS projected_rate
    FROM tree t JOIN per_department d ON d.department_id = t.department_id
    LEFT JOIN ahead a ON a.department_id = t.department_id
    GROUP BY t.unit_id
),
series AS (
    SELECT month, SUM(cur) AS current, SUM(base) AS baseline, COUNT(*) AS departments
    FROM joined WHERE month >= %(first)s GROUP BY month
)
SELECT u.*, NULL::date AS month FROM units u
UNION ALL
SELECT NULL, s.current, s.baseline, NULL, NULL, s.departments, NULL, NULL, NULL, s.month
FROM series s
"""
)

# The table's last report and action-note columns, per department.
REPORTS_SQL = """
SELECT u.id,
       (SELECT MAX(month) FROM paperless_monthlycount m WHERE m.department_id = u.id),
       (SELECT MAX(updated_at) FROM paperless_monthlycount m WHERE m.department_id = u.id)
FROM paperless_unit u WHERE u.kind = 'department'
"""
NOTES_SQL = """
SELECT department_id, COUNT(*), MAX(noted_on) FROM paperless_actionnote GROUP BY department_id
"""

# The headline aggregation alone (the reference of earlier runs): the period's sums.
PERIOD_SQL = (
    TREE_CTE
    + """,
per_department AS (
    SELECT department_id, SUM(cur) AS current, SUM(base) AS baseline,
           SUM(cur - cur_ex) AS current_adjusted, SUM(base - base_ex) AS baseline_adjusted,
           COUNT(*) AS comparable_months
    FROM joined WHERE month >= %(first)s GROUP BY department_id
)
SELECT t.unit_id, SUM(d.current), SUM(d.baseline), SUM(d.current_adjusted),
       SUM(d.baseline_adjusted), SUM(d.comparable_months),
       1 - SUM(d.current)::float / NULLIF(SUM(d.baseline), 0) AS rate
FROM tree t JOIN per_department d ON d.department_id = t.department_id
GROUP BY t.unit_id
"""
)
REFERENCE = (UNITS_SQL, REPORTS_SQL, NOTES_SQL)


def ensure_database(url: str, *, drop: bool) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.startswith("paperless_bench"):
        sys.exit(f"refusing to use {name!r}: the benchmark needs a throwaway paperless_bench_* db")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if drop:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def build() -> None:
    """The org tree (7 wards, 16 bureaus with divisions) and 2,000 × 72 monthly counts."""
    from django.contrib.auth.models import Group, User
    from django.db import transaction

    from paperless.access import permissions
    from paperless.core.fiscal import fiscal_months
    from paperless.models import MonthlyCount, Policy, Unit

    if MonthlyCount.objects.exists():
        return
    print("building the benchmark data (once)…", flush=True)
    rng = random.Random(2022)
    with transaction.atomic():
        city = Unit.objects.create(code="100000", name="堺市", kind=Unit.Kind.CITY)
        parents: list[Unit] = []
        for k, ward in enumerate(WARDS, start=1):
            parents.append(
                Unit.objects.create(
                    code=f"1{k}0000", name=f"{ward}役所", kind="ward_office", parent=city,
                    sort_order=k,
                )
            )  # fmt: skip
        for b in range(1, BUREAUS + 1):
            bureau = Unit.objects.create(
                code=f"2{b:02d}000", name=f"第{b}局", kind="bureau", parent=city, sort_order=100 + b
            )
            for d in range(1, DIVISIONS_PER_BUREAU + 1):
                parents.append(
                    Unit.objects.create(
                        code=f"2{b:02d}{d}00", name=f"第{b}局 第{d}部", kind="division",
                        parent=bureau, sort_order=1000 + b * 10 + d,
                    )
                )  # fmt: skip
        departments = Unit.objects.bulk_create(
            Unit(
                code=f"9{i:05d}",
                name=f"第{i}課",
                kind=Unit.Kind.DEPARTMENT,
                parent=parents[i % len(parents)],
                sort_order=10_000 + i,
            )
            for i in range(DEPARTMENTS)
        )
        Policy.objects.update_or_create(
            fiscal_year=2020, defaults={"base_fiscal_year": 2020, "city_goal": "0.500"}
        )
        months = [m for fy in range(FIRST_FY, LAST_FY + 1) for m in fiscal_months(fy)]
        rows = []
        for dept in departments:
            size, level = rng.randint(3_000, 40_000), rng.uniform(0.05, 0.6)
            for m in months:
                cut = 0.0 if m.year * 12 + m.month < 2021 * 12 + 7 else level
                total = max(int(size * (1 - cut) * rng.gauss(1, 0.05)), 2)
                print_sheets = total * 6 // 10
                excluded = total // 5 if dept.pk % 4 == 0 else None
                rows.append(
                    MonthlyCount(
                        department=dept,
                        month=m,
                        print_sheets=print_sheets,
                        copy_sheets=total - print_sheets,
                        excluded_sheets=excluded,
                    )
                )
        MonthlyCount.objects.bulk_create(rows, batch_size=5_000)
        user, _ = User.objects.get_or_create(username="bench-cdxo")
        user.groups.add(Group.objects.get(name=permissions.EXECUTIVE))


def median_seconds(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def transfer_size(html: bytes) -> tuple[int, list[tuple[str, int, int]]]:
    """gzip sizes: the HTML (level 6, as a proxy compresses it) and each referenced file
    (level 9, as whitenoise precompresses static files)."""
    from django.conf import settings
    from django.contrib.staticfiles import finders

    parts = [("HTML", len(html), len(gzip.compress(html, 6)))]
    pattern = rb'(?:href|src)="' + re.escape(settings.STATIC_URL.encode()) + rb'([^"?#]+)"'
    for name in dict.fromkeys(m.decode() for m in re.findall(pattern, html)):
        if not name.endswith((".css", ".js")):
            continue
        data = Path(finders.find(name)).read_bytes()
        parts.append((name, len(data), len(gzip.compress(data, 9))))
    return sum(p[2] for p in parts), parts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--rebuild", action="store_true", help="drop and rebuild the database")
    args = parser.parse_args()
    ensure_database(os.environ["DATABASE_URL"], drop=args.rebuild)

    import django

    django.setup()
    import time_machine
    from django.contrib.auth.models import User
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.utils import timezone

    from paperless.core.fiscal import fiscal_months
    from paperless.core.period import fiscal_year_to_date

    setup_test_environment()
    call_command("migrate", verbosity=0)
    build()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    with time_machine.travel(TODAY, tick=True):
        period = fiscal_year_to_date(timezone.localdate())
        client = Client()
        client.force_login(User.objects.get(username="bench-cdxo"))
        response = client.get("/")
        assert response.status_code == 200, response.status_code

        base = fiscal_months(2020)
        params = {
            "first": period.first,
            "last": period.last,
            "prev_last": period.previous_months[-1],
            "fy_first": fiscal_months(period.fy)[0],
            "remaining": [m.month for m in fiscal_months(period.fy) if m > period.last],
            "base_first": base[0],
            "base_last": base[-1],
        }

        def run_sql(statements: tuple[str, ...]) -> None:
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement, params)
                    cursor.fetchall()

        def cold() -> None:
            cache.clear()  # as after an upload: the figures are computed again
            client.get("/")

        run_sql(REFERENCE)
        # Interleaved, so that a change of load on the machine touches every figure alike.
        timings: dict[str, list[float]] = {"all": [], "period": [], "cold": []}
        for _ in range(args.runs):
            for name, fn in (
                ("all", lambda: run_sql(REFERENCE)),
                ("period", lambda: run_sql((PERIOD_SQL,))),
                ("cold", cold),
            ):
                start = time.perf_counter()
                fn()
                timings[name].append(time.perf_counter() - start)
        sql, period_sql, cold_page = (statistics.median(timings[k]) for k in timings)
        with CaptureQueriesContext(connection) as cold_queries:
            cold()
        cold_count = len(cold_queries)  # now: the log is reset by the next request
        client.get("/")
        warm_page = median_seconds(lambda: client.get("/"), args.runs)
        with CaptureQueriesContext(connection) as warm_queries:
            html = client.get("/").content
        warm_count = len(warm_queries)

        # Below the city a page reads only its own departments' counts.
        below = {}
        for label, url in (
            ("a ward's page", "/units/110000/"),
            ("a department's page", "/units/900007/"),
        ):
            assert client.get(url).status_code == 200, url

            def cold_below(url: str = url) -> None:
                cache.clear()
                client.get(url)

            below[label] = median_seconds(cold_below, args.runs)

    total, parts = transfer_size(html)
    counts = connection.cursor()
    counts.execute("SELECT count(*) FROM paperless_monthlycount")
    rows = counts.fetchone()[0]

    print(f"data: {DEPARTMENTS:,} departments, {rows:,} monthly counts (FY{FIRST_FY}–FY{LAST_FY})")
    print(f"period: {period.label}, {len(period.months)} months (today = {TODAY})")
    queries_run = f"{len(REFERENCE)} queries, median of {args.runs}"
    print(f"reference SQL, every figure of the page ({queries_run}):")
    print(f"  {sql * 1000:8.1f} ms   (the period's sums alone: {period_sql * 1000:.1f} ms)")
    for label, seconds, queries in (
        ("city page, cold (figures computed)", cold_page, cold_count),
        ("city page, warm (figures cached)", warm_page, warm_count),
    ):
        ratio = seconds / sql
        verdict = "OK" if ratio <= TARGET_RATIO else "over target"
        print(
            f"{label}: {seconds * 1000:8.1f} ms = {ratio:.2f}x SQL"
            f" (target <= {TARGET_RATIO:.0f}x: {verdict};"
            f" {seconds / period_sql:.2f}x the period's sums), {queries} SQL queries"
        )
    for label, seconds in below.items():
        print(f"{label}, cold: {seconds * 1000:8.1f} ms")
    print("first page transfer, gzip:")
    for name, size, packed in parts:
        print(f"  {name:28s} {size:>10,} B  -> {packed:>10,} B")
    verdict = "OK" if total <= TARGET_BYTES else "over target"
    size = f"{total:>10,} B ({total / 1e6:.2f} MB, target <= 1.6 MB: {verdict})"
    print(f"  {'total':28s} {'':>10}       {size}")


if __name__ == "__main__":
    main()

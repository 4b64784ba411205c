"""Cost of the weekly alert run: plan recipients and contents for 2,000 departments.

    .venv/bin/python benchmarks/bench_alerts.py [--departments 2000] [--repeat 3]

Builds a synthetic city in a throwaway SQLite file (or DATABASE_URL if given with
--use-database-url): 7 ward offices and 14 bureaus, the departments spread over
them, FY2020 as the base year and FY2022 to December, a third of the departments
lagging and a tenth late. Then it times, best of --repeat runs:

  frames   the raw DataFrame load the dashboard does too (units, counts, predecessors)
  plan     every read of the run and the plan itself (delivery.week_plan)
  render   subject, text and HTML of every message (three templates each)
  claim    plan + render + one delivery row per message (alert_week_prepare, writes)

and prints the run time, the number of SQL queries, and each time as a ratio of the
raw frames load, so the numbers compare across machines.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
AS_OF = date(2023, 1, 16)  # latest complete month December 2022, deadline passed


def setup_django(use_database_url: bool) -> None:
    if not use_database_url:
        path = Path(tempfile.mkdtemp(prefix="bench-alerts-")) / "bench.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sakai_dx.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.pop("CELERY_BROKER_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build_city(departments: int) -> None:
    from django.contrib.auth.models import Group, User

    from paperless.access import permissions
    from paperless.core.fiscal import fiscal_months, months_between
    from paperless.models import ActionNote, Membership, MonthlyCount, Unit

    k = Unit.Kind
    city = Unit.objects.create(code="100000", name="堺市", kind=k.CITY)
    groups = [
        Unit(code=f"1{i:02d}000", name=f"第{i}区役所", kind=k.WARD_OFFICE, parent=city)
        for i in range(1, 8)
    ] + [
        Unit(code=f"2{i:02d}000", name=f"第{i}局", kind=k.BUREAU, parent=city) for i in range(1, 15)
    ]
    for g in groups:
        g.head_emails = f"head-{g.code}@city.example"
    groups = Unit.objects.bulk_create(groups)
    depts = Unit.objects.bulk_create(
        (
            Unit(
                code=f"9{i:05d}",
                name=f"第{i}課",
                kind=k.DEPARTMENT,
                parent=groups[i % len(groups)],
                head_emails=f"dept{i}@city.example",
                sort_order=i,
            )
            for i in range(departments)
        ),
        batch_size=500,
    )
    fytd = months_between(date(2022, 4, 1), date(2022, 12, 1))
    rows = []
    for i, dept in enumerate(depts):
        rows += [
            MonthlyCount(department=dept, month=m, print_sheets=6000, copy_sheets=4000)
            for m in fiscal_months(2020)
        ]
        level = 8500 if i % 3 == 0 else 6000 + (i % 7) * 100
        rows += [
            MonthlyCount(department=dept, month=m, print_sheets=level - 3000, copy_sheets=3000)
            for m in fytd
            if not (i % 10 == 0 and m == fytd[-1])
        ]
    MonthlyCount.objects.bulk_create(rows, batch_size=2000)
    roles = {g.name: g for g in Group.objects.all()}
    cdxo = User.objects.create(username="cdxo", email="cdxo@city.example")
    cdxo.groups.add(roles[permissions.EXECUTIVE])
    Membership.objects.create(user=cdxo, unit=city)
    for g in groups[:7]:
        user = User.objects.create(username=f"m{g.code}", email=f"m{g.code}@city.example")
        user.groups.add(roles[permissions.MANAGER])
        Membership.objects.create(user=user, unit=g)
    ActionNote.objects.bulk_create(
        (
            ActionNote(department=d, author=cdxo, text="両面・集約印刷を既定にします。")
            for d in depts[::3]
        ),
        batch_size=1000,
    )


def measure(fn, repeat: int) -> tuple[float, int, object]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    best, queries, result = float("inf"), 0, None
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            result = fn()
            elapsed = time.perf_counter() - start
        best = min(best, elapsed)
        queries = len(captured)
    return best, queries, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--departments", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--use-database-url", action="store_true")
    args = parser.parse_args()
    setup_django(args.use_database_url)

    from django.db import transaction

    from paperless.alerts import delivery
    from paperless.alerts.planning import data_months, week_timing
    from paperless.models import AlertDelivery
    from paperless.reads import frames

    build_city(args.departments)
    timing = week_timing(AS_OF, deadline_day=10)

    def load_frames():
        rules = frames.rules_for(timing.fy)
        return (
            frames.units_frame(),
            frames.counts_frame(months=data_months(timing), base_fy=rules.base_fy),
            frames.predecessors_frame(),
        )

    def plan():
        return delivery.week_plan(AS_OF)[0]

    def plan_and_render():
        return delivery.render_plan(plan())

    def claim():
        with transaction.atomic():
            prepared = delivery.alert_week_prepare(as_of=AS_OF)
            transaction.set_rollback(True)  # the next repeat claims again
        return prepared

    rows = len(load_frames()[1])
    results = {
        "frames": measure(load_frames, args.repeat),
        "plan": measure(plan, args.repeat),
        "render": measure(plan_and_render, args.repeat),
        "claim": measure(claim, args.repeat),
    }
    week_plan = results["plan"][2]
    base = results["frames"][0]
    print(f"weekly alerts for {args.departments:,} departments ({rows:,} count rows loaded)")
    print(
        f"  messages: {len(week_plan.messages):,} "
        f"(lagging {len(week_plan.lagging):,}, not reported {len(week_plan.missing):,})"
    )
    print(f"  {'step':<8}{'seconds':>9}{'queries':>9}{'x frames':>10}")
    for name, (seconds, count, _) in results.items():
        print(f"  {name:<8}{seconds:>9.3f}{count:>9}{seconds / base:>10.1f}")
    assert not AlertDelivery.objects.exists()


if __name__ == "__main__":
    main()

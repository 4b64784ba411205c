"""The Sakai demo data: org tree, policy, monthly counts, users and action notes.

Three of 堺区's departments are fed by meter readings instead (``demo.meters``): the
seed builds the device register and the readings and imports them through the same code
as a lessor's file, so their counts (the same figures) show the flow. ``seed_demo`` is
idempotent: it creates what is missing and never changes what is
there (a unit, count, user or note that exists is left as it is), so running it twice
changes nothing. The counts are deterministic: each department draws from its own
``random.Random`` seeded with its code, so a month's figures do not depend on the day
the seed runs nor on the other departments.

Longer than most modules: the demo's story (counts with seasonality, a merger, late
reporters, notes, users, meter readings) is told in one place so it can be read whole.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from paperless.access import permissions
from paperless.core.fiscal import latest_complete_month, months_between
from paperless.data_version import one_bump
from paperless.demo.meters import METER_FED, MeterSeed, ensure_meters
from paperless.demo.org import CITY_CODE, UnitSpec, org_specs
from paperless.models import ActionNote, Membership, MonthlyCount, Policy, Unit

SEED = "sakai-paperless-demo"
FIRST_MONTH = date(2020, 4, 1)  # FY2020, the base fiscal year
PROGRAMME_START = date(2021, 7, 1)
# Months for the drive to take hold: about three quarters of a department's final
# level by the end of FY2021, nearly all of it two years in.
RAMP_MONTHS = 6.0

# Paper by calendar month: tax season (Feb–Mar) and the fiscal year end are heavy,
# the summer holidays in August light.
SEASON = {
    4: 1.08, 5: 0.97, 6: 1.03, 7: 1.00, 8: 0.80, 9: 0.95,
    10: 1.00, 11: 0.98, 12: 0.94, 1: 0.98, 2: 1.15, 3: 1.25,
}  # fmt: skip

# Where a department's head drives the work harder or softer than the ward or bureau.
LEVEL_OVERRIDES = {
    "120100": 0.13,  # 中区 企画総務課: lagging (its head is the kikaku-naka demo user)
    "120200": 0.37,  # 中区 自治推進課: achieved in a lagging ward
    "110300": 0.34,  # 堺区 市民課: just past the line
    "140400": 0.21,  # 西区 保険年金課: lagging in a leading ward
    "160200": 0.22,  # 北区 自治推進課: lagging in a leading ward
}
# Uploads that never came: (department code, months).
MISSING_MONTHS = {
    "130200": (date(2023, 8, 1),),  # 東区 自治推進課
    "150800": (date(2024, 1, 1), date(2024, 2, 1)),  # 南区 保健センター
    "211030": (date(2025, 5, 1),),  # 建設局 道路整備課
    "213050": (date(2026, 6, 1),),  # 消防局 指令課
}
# Departments that have not yet reported the latest complete month.
LATE_REPORTERS = ("120700", "170800", "209060")  # 中区 子育て支援課, 美原区 保健センター, 農水産課

CHANGE_REASON = "seed_demo（デモデータ）"
DEMO_PASSWORD = "demo-pass-2022"  # noqa: S105 - local demo only, printed by seed_demo


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    title: str  # first_name, shown in the header
    unit: str  # code of the Membership unit
    email_local: str
    staff: bool = False


DEMO_USERS = (
    DemoUser("admin", permissions.ADMINISTRATOR, "管理者", "201060", "ict-admin", staff=True),
    DemoUser("cdxo", permissions.EXECUTIVE, "市長", CITY_CODE, "cdxo"),
    DemoUser("kita-kucho", permissions.MANAGER, "北区長", "160000", "kita-kucho"),
    DemoUser("naka-kucho", permissions.MANAGER, "中区長", "120000", "naka-kucho"),
    DemoUser("shimin-sakai", permissions.DEPARTMENT_HEAD, "堺区市民課長", "110300", "sakai-shimin"),
    DemoUser(
        "kikaku-naka", permissions.DEPARTMENT_HEAD, "中区企画総務課長", "120100", "naka-kikaku"
    ),
)

# (department, author, noted_on, target month, text): the mayor asked on 31 Jan 2022.
ACTION_NOTES = (
    (
        "120100",
        "kikaku-naka",
        date(2022, 2, 14),
        date(2022, 9, 1),
        "区の会議資料を原則タブレットでの閲覧に切り替え、課内の回覧をやめて"
        "共有フォルダで確認することにしました。",
    ),
    (
        "120100",
        "kikaku-naka",
        date(2026, 10, 20),
        date(2027, 3, 1),
        "今年度も30%に届いていないため、両面・集約印刷を既定にし、印刷の多い業務"
        "（庁内照会の回答、決裁の添付資料）を電子決裁と共有フォルダへ移します。"
        "課内で月ごとの枚数を確認します。",
    ),
)


Login = tuple[str, str | None, str, str]


@dataclass(frozen=True)
class CountRow:
    department: str
    month: date
    print_sheets: int
    copy_sheets: int
    excluded_sheets: int | None


@dataclass
class SeedResult:
    today: date
    first_month: date
    last_month: date
    units: int = 0
    units_created: int = 0
    departments: int = 0
    departments_closed: int = 0
    counts: int = 0
    counts_created: int = 0
    policy_created: bool = False
    notes_created: int = 0
    meters: MeterSeed = field(default_factory=MeterSeed)
    # username, password (None when an existing user's password was left alone),
    # role, unit label
    logins: list[Login] = field(default_factory=list)


def reduction_at(month: date, level: float) -> float:
    """How far a department at ``level`` has cut its paper by ``month``."""
    if month < PROGRAMME_START:
        return 0.0
    elapsed = (month.year - PROGRAMME_START.year) * 12 + month.month - PROGRAMME_START.month + 1
    return level * (1 - math.exp(-elapsed / RAMP_MONTHS))


def department_counts(spec: UnitSpec, latest: date) -> Iterator[CountRow]:
    """One department's counts from FY2020 to ``latest``, with its gaps and late month."""
    rng = random.Random(f"{SEED}:{spec.code}")
    # Draw the same numbers in the same order whatever is skipped later, so that a
    # month's figures never depend on ``latest`` or on which months are missing.
    level = min(max(spec.level + rng.gauss(0, 0.07) - 0.04 * spec.counter, 0.05), 0.65)
    level = LEVEL_OVERRIDES.get(spec.code, level)
    size = spec.scale * rng.uniform(0.75, 1.3)
    print_share = rng.uniform(0.56, 0.64)
    excluded_share = rng.uniform(0.20, 0.26)
    skip = set(MISSING_MONTHS.get(spec.code, ()))
    if spec.code in LATE_REPORTERS:
        skip.add(latest)
    for month in months_between(FIRST_MONTH, latest):
        noise, share = rng.gauss(1, 0.045), print_share + rng.gauss(0, 0.02)
        if (
            month in skip
            or (spec.first_month and month < spec.first_month)
            or (spec.last_month and month > spec.last_month)
        ):
            continue
        cut = reduction_at(month, level)
        total = max(round(size * SEASON[month.month] * (1 - cut) * noise), 2)
        print_sheets = min(max(round(total * share), 1), total - 1)
        excluded = None
        if spec.counter:
            # Paper the law requires does not shrink with the drive: its share grows.
            excluded = round(total * min(excluded_share * (1 + 0.6 * cut), 0.35))
        yield CountRow(spec.code, month, print_sheets, total - print_sheets, excluded)


def demo_counts(specs: list[UnitSpec], latest: date) -> list[CountRow]:
    return [row for s in specs if s.is_department for row in department_counts(s, latest)]


def _email(local: str) -> str:
    return f"{local}@{settings.PAPERLESS_DEMO_MAIL_DOMAIN}" if local else ""


def _ensure_units(specs: list[UnitSpec]) -> tuple[dict[str, Unit], int]:
    units = {u.code: u for u in Unit.objects.filter(code__in=[s.code for s in specs])}
    created: list[tuple[Unit, UnitSpec]] = []
    for spec in specs:  # parents come before their children
        if spec.code in units:
            continue
        unit = Unit(
            code=spec.code,
            name=spec.name,
            kind=spec.kind,
            parent=units.get(spec.parent) if spec.parent else None,
            active=spec.active,
            head_emails=_email(spec.email_local),
            sort_order=spec.sort_order,
        )
        unit._change_reason = CHANGE_REASON  # read by simple_history on save
        unit.save()
        units[spec.code] = unit
        created.append((unit, spec))
    for unit, spec in created:
        if spec.predecessors:
            unit.predecessors.set([units[code] for code in spec.predecessors])
    return units, len(created)


def _ensure_policy() -> bool:
    _, created = Policy.objects.get_or_create(
        fiscal_year=2020,
        defaults={
            "base_fiscal_year": 2020,
            "threshold": Decimal("0.300"),
            "city_goal": Decimal("0.500"),
            "programme_start": PROGRAMME_START,
            "status_basis": Policy.Basis.GROSS,
        },
    )
    return created


def _ensure_counts(rows: list[CountRow], units: dict[str, Unit]) -> int:
    ids = {code: units[code].pk for code in {r.department for r in rows}}
    existing = set(
        MonthlyCount.objects.filter(department_id__in=ids.values()).values_list(
            "department_id", "month"
        )
    )
    new = [
        MonthlyCount(
            department_id=ids[r.department],
            month=r.month,
            print_sheets=r.print_sheets,
            copy_sheets=r.copy_sheets,
            excluded_sheets=r.excluded_sheets,
        )
        for r in rows
        if (ids[r.department], r.month) not in existing
    ]
    # With a history row each, like uploaded counts, that says where they came from.
    bulk_create_with_history(
        new, MonthlyCount, batch_size=1000, default_change_reason=CHANGE_REASON
    )
    return len(new)


def unit_label(unit: Unit) -> str:
    """``堺区役所 市民課``: a department with the unit above it, for the login table."""
    if unit.is_department and unit.parent is not None:
        return f"{unit.parent.name} {unit.name}"
    return unit.name


def _ensure_users(units: dict[str, Unit], reset_passwords: bool) -> list[Login]:
    groups = {g.name: g for g in Group.objects.filter(name__in=permissions.ROLES)}
    existing = {
        u.username: u for u in User.objects.filter(username__in=[d.username for d in DEMO_USERS])
    }
    # One hash for all: the password is printed anyway, and hashing is the slow part.
    hashed = (
        make_password(DEMO_PASSWORD) if reset_passwords or len(existing) < len(DEMO_USERS) else ""
    )
    logins = []
    for demo in DEMO_USERS:
        user = existing.get(demo.username)
        password_set = user is None or reset_passwords
        if user is None:
            user = User.objects.create(
                username=demo.username,
                email=_email(demo.email_local),
                password=hashed,
                first_name=demo.title,
                is_staff=demo.staff,
                is_superuser=demo.staff,
            )
        elif reset_passwords:
            user.password = hashed
            user.save(update_fields=["password"])
        user.groups.add(groups[demo.role])  # adding twice is a no-op
        unit = units[demo.unit]
        Membership.objects.get_or_create(user=user, unit=unit)
        logins.append(
            (demo.username, DEMO_PASSWORD if password_set else None, demo.role, unit_label(unit))
        )
    return logins


def _ensure_notes(units: dict[str, Unit], today: date) -> int:
    created = 0
    for code, username, noted_on, target, text in ACTION_NOTES:
        if noted_on > today:
            continue
        _, new = ActionNote.objects.get_or_create(
            department=units[code],
            author=User.objects.get(username=username),
            text=text,
            defaults={"noted_on": noted_on, "target_month": target},
        )
        created += new
    return created


def seed_demo(*, today: date | None = None, reset_passwords: bool = False) -> SeedResult:
    """Create whatever of the demo data is missing, in one transaction."""
    today = today or timezone.localdate()
    latest = latest_complete_month(today)
    specs = org_specs()
    result = SeedResult(today=today, first_month=FIRST_MONTH, last_month=latest)
    with transaction.atomic(), one_bump():
        units, result.units_created = _ensure_units(specs)
        result.policy_created = _ensure_policy()
        counts = demo_counts(specs, latest)
        typed = [row for row in counts if row.department not in METER_FED]
        result.counts_created = _ensure_counts(typed, units)
        # 堺区's meter-fed departments: their counts come from meter readings, imported.
        metered = [row for row in counts if row.department in METER_FED]
        result.meters = ensure_meters(metered, today=today)
        result.counts_created += result.meters.counts_created
        result.logins = _ensure_users(units, reset_passwords)
        result.notes_created = _ensure_notes(units, today)
    result.units = len(specs)
    result.departments = sum(1 for s in specs if s.is_department and s.active)
    result.departments_closed = sum(1 for s in specs if s.is_department and not s.active)
    dept_ids = [units[s.code].pk for s in specs if s.is_department]
    result.counts = MonthlyCount.objects.filter(department_id__in=dept_ids).count()
    return result

"""seed_demo: Sakai's organisation, six years of counts and the demo logins, idempotent."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.core.validators import validate_email
from django.db import transaction
from django.test import override_settings

from paperless.access import permissions
from paperless.core import rollup
from paperless.core.fiscal import fiscal_months, fy_to_date_months, months_between
from paperless.demo import seed
from paperless.demo.org import COUNTER_DEPARTMENTS, org_specs
from paperless.models import ActionNote, Membership, MonthlyCount, Policy, Unit

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
LATEST = date(2026, 10, 1)  # the last complete month on NOW
WARDS = ["堺区役所", "中区役所", "東区役所", "西区役所", "南区役所", "北区役所", "美原区役所"]
DOMAIN = "city.sakai.example"


FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    # Production hashes the demo password for real; here only the speed changes.
    settings.PASSWORD_HASHERS = FAST_HASHER


def run_seed(*args: str) -> str:
    out = StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("seed_demo", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture(scope="module")
def _seeded_once(django_db_setup, django_db_blocker):
    """Seed once for the module, in a transaction rolled back after its last test.

    Seeding takes a couple of seconds; each test still runs in its own savepoint
    (the ``db`` fixture), so one that writes does not disturb the next.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(PASSWORD_HASHERS=FAST_HASHER):
            output = run_seed()
        yield output
        transaction.set_rollback(True)


@pytest.fixture
def seeded(_seeded_once, db) -> str:
    return _seeded_once


def departments():
    return Unit.objects.filter(kind=Unit.Kind.DEPARTMENT)


def snapshot() -> dict[str, object]:
    """Everything seed_demo writes, including history, to compare two runs."""
    return {
        "units": list(Unit.objects.values_list("code", "name", "kind", "parent__code", "active")),
        "predecessors": sorted(Unit.predecessors.through.objects.values_list("pk", flat=True)),
        "counts": list(
            MonthlyCount.objects.order_by("pk").values_list(
                "department__code", "month", "print_sheets", "copy_sheets", "excluded_sheets"
            )
        ),
        "count_history": MonthlyCount.history.count(),
        "unit_history": Unit.history.count(),
        "users": list(User.objects.order_by("pk").values_list("username", "password")),
        "memberships": Membership.objects.count(),
        "policies": list(Policy.objects.values_list("fiscal_year", "threshold", "city_goal")),
        "notes": list(ActionNote.objects.values_list("department__code", "noted_on", "text")),
    }


def test_builds_sakai_with_at_least_120_departments_with_valid_head_emails(seeded):
    city = Unit.objects.get(parent__isnull=True)
    assert (city.code, city.name, city.kind) == ("100000", "堺市", Unit.Kind.CITY)
    active = departments().filter(active=True)
    assert active.count() >= 120
    for unit in departments():
        assert unit.head_emails, unit
        validate_email(unit.head_emails)
        assert unit.head_emails.isascii() and unit.head_emails.endswith(f"@{DOMAIN}")
    emails = Counter(departments().values_list("head_emails", flat=True))
    assert emails.most_common(1)[0][1] == 1
    assert Unit.objects.filter(kind=Unit.Kind.BUREAU).count() == 14
    assert departments().get(name="市民税課").parent.name == "税務部"
    assert departments().get(name="介護保険課").parent.parent.name == "健康福祉局"


def test_seven_wards_in_official_order_with_systematic_codes(seeded):
    wards = Unit.objects.filter(kind=Unit.Kind.WARD_OFFICE)
    assert [w.name for w in wards] == WARDS
    assert [w.code for w in wards] == [f"1{k}0000" for k in range(1, 8)]
    for ward in wards:
        depts = ward.children.filter(kind=Unit.Kind.DEPARTMENT)
        assert 5 <= depts.count() <= 9
        assert all(re.fullmatch(rf"{ward.code[:2]}\d\d00", d.code) for d in depts)
    assert all(re.fullmatch(r"\d{6}", code) for code in Unit.objects.values_list("code", flat=True))
    sakai = wards.get(name="堺区役所")
    assert sakai.children.get(code="110300").name == "市民課"
    mihara = wards.get(name="美原区役所")
    assert mihara.children.count() < sakai.children.count()


def test_running_twice_creates_nothing_and_changes_nothing(seeded):
    before = snapshot()
    out = run_seed()
    assert snapshot() == before
    assert "今回作成 0 件" in out
    assert before["counts"] and before["count_history"] == len(before["counts"])


def test_merged_department_starts_in_fy2022_with_its_predecessors_as_baseline(seeded):
    merged = Unit.objects.filter(predecessors__isnull=False).distinct().get()
    assert (merged.name, merged.parent.name) == ("地域福祉・生活援護課", "北区役所")
    old = merged.predecessors.all()
    assert sorted(u.name for u in old) == ["地域福祉課", "生活援護課"]
    assert not any(u.active for u in old)
    own = merged.counts.order_by("month").values_list("month", flat=True)
    assert own[0] == date(2022, 4, 1)
    assert not merged.counts.filter(month__lt=date(2022, 4, 1)).exists()
    for unit in old:
        months = set(unit.counts.values_list("month", flat=True))
        assert set(fiscal_months(2020)) <= months
        assert max(months) == date(2022, 3, 1)


def test_counts_cover_fy2020_to_the_last_complete_month_within_their_rules(seeded):
    counts = list(
        MonthlyCount.objects.values_list(
            "department__name", "month", "print_sheets", "copy_sheets", "excluded_sheets"
        )
    )
    assert 9_000 <= len(counts) <= 12_000
    assert min(c[1] for c in counts) == date(2020, 4, 1)
    assert max(c[1] for c in counts) == LATEST
    for name, _, print_sheets, copy_sheets, excluded in counts:
        assert print_sheets > 0 and copy_sheets > 0
        assert 0.45 <= print_sheets / (print_sheets + copy_sheets) <= 0.75
        if name in COUNTER_DEPARTMENTS:
            assert excluded is not None
            assert 0.18 <= excluded / (print_sheets + copy_sheets) <= 0.35
        else:
            assert excluded is None


def test_paper_peaks_in_march_and_dips_in_august(seeded):
    def total(month: date) -> int:
        rows = MonthlyCount.objects.filter(month=month).values_list("print_sheets", "copy_sheets")
        return sum(p + c for p, c in rows)

    assert total(date(2021, 3, 1)) > total(date(2020, 10, 1)) > total(date(2020, 8, 1))


def test_some_departments_have_gaps_and_some_have_not_reported_the_latest_month(seeded):
    active = departments().filter(active=True)
    late = active.exclude(counts__month=LATEST)
    assert 2 <= late.count() <= 4
    expected = {}
    for unit in active.prefetch_related("predecessors"):
        first = date(2022, 4, 1) if unit.predecessors.all() else date(2020, 4, 1)
        expected[unit.code] = len(months_between(first, LATEST))
    reported = Counter(
        MonthlyCount.objects.filter(department__active=True).values_list(
            "department__code", flat=True
        )
    )
    short = {code for code, n in expected.items() if reported[code] < n}
    gaps = short - set(late.values_list("code", flat=True))
    assert 3 <= len(gaps) <= 5


def test_demo_users_have_their_roles_units_and_the_demo_password(seeded):
    expected = {
        "admin": (permissions.ADMINISTRATOR, "ICTイノベーション推進室"),
        "cdxo": (permissions.EXECUTIVE, "堺市"),
        "kita-kucho": (permissions.MANAGER, "北区役所"),
        "naka-kucho": (permissions.MANAGER, "中区役所"),
        "shimin-sakai": (permissions.DEPARTMENT_HEAD, "市民課"),
        "kikaku-naka": (permissions.DEPARTMENT_HEAD, "企画総務課"),
    }
    for username, (role, unit_name) in expected.items():
        user = User.objects.get(username=username)
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert [m.unit.name for m in user.memberships.all()] == [unit_name]
        assert user.check_password(seed.DEMO_PASSWORD)
        validate_password(seed.DEMO_PASSWORD, user)
        assert user.email.endswith(f"@{DOMAIN}")
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    assert User.objects.get(username="cdxo").first_name == "市長"
    assert User.objects.get(username="shimin-sakai").memberships.get().unit.code == "110300"
    assert Unit.objects.get(memberships__user__username="kikaku-naka").parent.name == "中区役所"


def test_existing_passwords_are_kept_unless_reset_is_asked(seeded):
    user = User.objects.get(username="kikaku-naka")
    user.set_password("changed-by-hand-2026")
    user.save()
    out = run_seed()
    user.refresh_from_db()
    assert user.check_password("changed-by-hand-2026")
    assert "（変更なし）" in out and "--reset-passwords" in out
    out = run_seed("--reset-passwords")
    user.refresh_from_db()
    assert user.check_password(seed.DEMO_PASSWORD)
    assert "（変更なし）" not in out


def test_action_notes_for_the_lagging_naka_department_by_its_head(seeded):
    notes = ActionNote.objects.select_related("department__parent", "author")
    assert 1 <= notes.count() <= 2
    for note in notes:
        assert note.department.parent.name == "中区役所"
        assert note.author.memberships.filter(unit=note.department).exists()
        assert note.noted_on <= NOW.date()


def test_policy_is_fy2020_baseline_with_30_percent_line_and_50_percent_goal(seeded):
    policy = Policy.objects.get()
    assert (policy.fiscal_year, policy.base_fiscal_year) == (2020, 2020)
    assert (float(policy.threshold), float(policy.city_goal)) == (0.30, 0.50)
    assert policy.programme_start == date(2021, 7, 1)
    assert policy.status_basis == Policy.Basis.GROSS


def test_command_prints_summary_and_logins_with_a_local_only_warning(seeded):
    out = seeded  # what the first run printed
    assert "2020年4月〜2026年10月（令和2年度〜令和8年度）" in out
    created = re.search(r"月別枚数: ([\d,]+) 件（今回作成 ([\d,]+) 件）", out)
    assert created and created[1] == created[2] == f"{MonthlyCount.objects.count():,}"
    assert re.search(r"うち所属 1[2-9]\d", out)
    for demo_user in seed.DEMO_USERS:
        assert re.search(rf"{demo_user.username}\s+{seed.DEMO_PASSWORD}\s+{demo_user.role}", out)
    assert "ローカルでのデモ専用" in out
    assert run_seed("--quiet") == ""


def test_counts_do_not_depend_on_the_day_the_seed_runs():
    specs = org_specs()
    earlier = seed.demo_counts(specs, date(2024, 5, 1))
    later = {(r.department, r.month): r for r in seed.demo_counts(specs, LATEST)}
    late = set(seed.LATE_REPORTERS)
    for row in earlier:
        if row.month < date(2024, 5, 1) or row.department not in late:
            assert later[(row.department, row.month)] == row


def test_fy2026_wards_differ_widely_and_a_fair_share_of_departments_lag(seeded):
    from paperless.reads import frames

    months = fy_to_date_months(2026, LATEST)
    table = rollup.summarize(
        frames.counts_frame(months=months, base_fy=2020),
        frames.units_frame(),
        frames.predecessors_frame(),
        months=months,
        rules=frames.rules_for(2026),
    )
    wards = table[table["kind"] == Unit.Kind.WARD_OFFICE].set_index("name")["rate"]
    assert list(wards.index) == WARDS
    assert wards.max() - wards.min() >= 0.2
    assert wards.min() < 0.30 and wards.max() >= 0.45
    assert wards["北区役所"] >= 0.45 and wards["西区役所"] >= 0.45
    assert wards["中区役所"] < 0.30 and wards["美原区役所"] < 0.30
    judged = table[(table["kind"] == "department") & table["status"].isin(["achieved", "lagging"])]
    lagging = (judged["status"] == "lagging").mean()
    assert 0.15 <= lagging <= 0.40
    assert table.loc["120100", "status"] == "lagging"  # kikaku-naka's department


def test_three_sakai_departments_are_fed_by_meter_readings_through_the_import(seeded):
    from paperless.demo.meters import METER_FED
    from paperless.models import CounterAssignment, MeterReading, Upload

    shared = CounterAssignment.objects.filter(device_serial="C318R220101").order_by("account")
    assert [(a.account, a.department.name) for a in shared] == [
        ("0101", "企画総務課"),
        ("0102", "自治推進課"),
    ]
    replaced = CounterAssignment.objects.filter(department__code="110500").order_by("start_date")
    assert [(a.device_serial, a.end_date) for a in replaced] == [
        ("C308P800455", date(2023, 9, 30)),
        ("C319R330877", None),
    ]
    upload = Upload.objects.get()
    assert (upload.original_name, upload.status) == ("demo_検針値_202610.csv", "committed")
    fed = MonthlyCount.objects.filter(department__code__in=METER_FED).select_related("department")
    assert {c.upload_id for c in fed} == {upload.pk}
    assert MeterReading.objects.filter(upload=upload).count() == 3 * 79 + 4  # + first readings
    # The derived counts are the demo's own figures for those departments.
    expected = {
        (r.department, r.month): (r.print_sheets, r.copy_sheets, r.excluded_sheets)
        for r in seed.demo_counts(org_specs(), LATEST)
        if r.department in METER_FED
    }
    got = {
        (c.department.code, c.month): (c.print_sheets, c.copy_sheets, c.excluded_sheets)
        for c in fed
    }
    assert got == expected and len(got) == 3 * 79


def test_running_twice_imports_no_readings_again(seeded):
    from paperless.models import CounterAssignment, MeterReading, Upload

    def state():
        return (
            Upload.objects.count(),
            MeterReading.objects.count(),
            CounterAssignment.history.count(),
        )

    before = state()
    out = run_seed()
    assert state() == before
    assert "複合機 3 台、検針値 241 件、検針値から作成した月別枚数 0 件" in out

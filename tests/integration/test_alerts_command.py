"""send_weekly_alerts on the Sakai demo data: the dry run lists the right people."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings

from paperless.demo import seed
from paperless.models import AlertDelivery

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TODAY = date(2026, 11, 26)  # demo counts up to October 2026; three late reporters
AFTER_DEADLINE = "2026-11-16"
BEFORE_DEADLINE = "2026-11-09"
DOMAIN = "city.sakai.example"
LINE = re.compile(r"^(\S+)　(\S+@\S+)　", re.MULTILINE)


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    """The demo seeded once for the module, rolled back after its last test."""
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(PASSWORD_HASHERS=FAST_HASHER):
            seed.seed_demo(today=TODAY)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def seeded(demo_data, db):
    return demo_data


def command(*args: str) -> str:
    out = StringIO()
    call_command("send_weekly_alerts", *args, stdout=out)
    return out.getvalue()


def recipients(output: str) -> Counter[tuple[str, str]]:
    return Counter((kind, address) for kind, address in LINE.findall(output))


def test_dry_run_lists_lagging_missing_managers_and_the_cdxo(seeded):
    output = command("--dry-run", "--week", AFTER_DEADLINE)
    found = recipients(output)
    assert max(found.values()) == 1  # one message per recipient and kind
    kinds = Counter(kind for kind, _ in found)
    # The demo's three late reporters, and only them, are reminded.
    assert {a for k, a in found if k == "未報告の所属へ"} == {
        f"naka-kosodate@{DOMAIN}",
        f"mihara-hoken@{DOMAIN}",
        f"sangyo-nosui@{DOMAIN}",
    }
    # 中区 企画総務課 is the demo's lagging department with an action note.
    assert ("未達の所属へ", f"naka-kikaku@{DOMAIN}") in found
    assert ("未達の所属へ", f"nishi-kikaku@{DOMAIN}") not in found  # 西区 leads
    assert ("区長・局長へ", f"naka-kucho@{DOMAIN}") in found
    assert [a for k, a in found if k == "CDXO・幹部へ"] == [f"cdxo@{DOMAIN}"]
    assert kinds["区長・局長へ"] >= 7
    assert re.search(r"件名: 【ペーパーレス】2026年10月 削減率\d+\.\d%（目標30%未達）", output)
    assert "件名: 【ペーパーレス】2026年10月分の枚数が未報告です（締切 11月10日）" in output
    assert re.search(r"件名: 【ペーパーレス】2026年10月 中区役所 未達\d+所属・未報告1所属", output)
    assert "対象の所属: 企画総務課（120100）" in output
    assert f"送信予定 {sum(found.values())}通（送信はしません）" in output
    assert AlertDelivery.objects.count() == 0
    assert mail.outbox == []


def test_dry_run_before_the_deadline_reminds_nobody(seeded):
    output = command("--dry-run", "--week", BEFORE_DEADLINE)
    assert "未報告の所属へ" not in output
    assert "締切（2026年11月10日）前のため未報告の催促はしません" in output


def test_real_run_sends_once_and_a_second_run_sends_nothing(seeded):
    planned = sum(recipients(command("--dry-run", "--week", AFTER_DEADLINE)).values())
    first = command("--week", AFTER_DEADLINE)
    assert f"送信 {planned}通、失敗 0通" in first
    assert len(mail.outbox) == planned
    second = command("--week", AFTER_DEADLINE)
    assert "送信 0通" in second
    assert f"送信済み {planned}通" in second
    assert len(mail.outbox) == planned
    again = command("--dry-run", "--week", AFTER_DEADLINE)
    assert again.count("［送信済み］") == planned


def test_a_malformed_week_is_refused_in_japanese(seeded):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        command("--week", "2026/11/16")

"""The admin speaks Japanese for the packages that ship no Japanese translation."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

ENGLISH = ["Access attempts", "Periodic tasks", "Clocked", "Crontabs", "Solar events", "Axes"]


def test_the_admin_index_names_every_section_in_japanese(client, users):
    client.force_login(users["admin"])
    body = client.get("/admin/").content.decode()
    for japanese in ("ログイン試行の記録", "定期タスク", "曜日・時刻スケジュール（crontab）"):
        assert japanese in body
    for english in ENGLISH:
        assert f">{english}<" not in body


def test_policy_rates_are_typed_and_shown_as_percentages(client, users):
    from decimal import Decimal

    from paperless.models import Policy

    client.force_login(users["admin"])
    data = {
        "fiscal_year": "2024",
        "base_fiscal_year": "2020",
        "threshold": "32.5",
        "city_goal": "50",
        "status_basis": "gross",
    }
    assert client.post("/admin/paperless/policy/add/", data).status_code == 302
    policy = Policy.objects.get(fiscal_year=2024)
    assert (policy.threshold, policy.city_goal) == (Decimal("0.325"), Decimal("0.5"))
    form = client.get(f"/admin/paperless/policy/{policy.pk}/change/").content.decode()
    assert 'value="32.5"' in form and 'value="50"' in form
    listing = client.get("/admin/paperless/policy/").content.decode()
    assert "32.5%" in listing and "50%" in listing
    too_much = dict(data, fiscal_year="2025", threshold="130")
    assert client.post("/admin/paperless/policy/add/", too_much).status_code == 200
    assert not Policy.objects.filter(fiscal_year=2025).exists()

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

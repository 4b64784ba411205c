"""plotly.js served by the app itself, and the demo data telling its story."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

import plotly
import plotly.offline
import pytest
import time_machine
from django.contrib.auth.models import User
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client

from paperless import staticfinders
from paperless.demo.seed import LATE_REPORTERS, seed_demo
from tests.integration.dashboard_data import figures

pytestmark = pytest.mark.django_db

FULL_BUNDLE = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
PARTIAL_BUNDLE = Path(__file__).resolve().parents[2] / staticfinders.PARTIAL_BUNDLE


def served_version() -> str | None:
    return staticfinders.bundle_version(Path(finders.find("vendor/plotly.min.js")))


def test_plotly_js_is_the_version_of_the_installed_plotly_package():
    assert served_version() == plotly.offline.get_plotlyjs_version()
    head = FULL_BUNDLE.read_text(encoding="utf-8")[:200]
    assert f"plotly.js v{plotly.offline.get_plotlyjs_version()}" in head


@pytest.mark.skipif(
    not PARTIAL_BUNDLE.is_file() and not os.environ.get("CI"),
    reason="npm ci has not been run (CI runs it)",
)
def test_the_partial_bundle_from_npm_is_served_when_installed():
    served = Path(finders.find("vendor/plotly.min.js"))
    assert served == PARTIAL_BUNDLE
    assert served.stat().st_size < FULL_BUNDLE.stat().st_size / 3
    assert b"(basic - minified)" in served.read_bytes()[:200]


def test_without_npm_the_full_bundle_of_the_python_package_is_served(settings, tmp_path):
    settings.BASE_DIR = tmp_path  # no node_modules there
    assert Path(finders.find("vendor/plotly.min.js")) == FULL_BUNDLE
    assert [w.id for w in staticfinders.PlotlyFinder().check()] == ["paperless.W010"]


def test_collectstatic_publishes_the_bundle_under_its_public_name(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    call_command("collectstatic", interactive=False, verbosity=0)
    published = tmp_path / "vendor" / "plotly.min.js"
    assert published.read_bytes() == Path(finders.find("vendor/plotly.min.js")).read_bytes()


def test_static_files_of_the_dashboard_are_served_by_the_app(settings):
    settings.WHITENOISE_USE_FINDERS = True  # what collectstatic gives in production
    client = Client()  # the middleware reads the setting when it starts
    for name in ("vendor/plotly.min.js", "paperless/charts.js", "paperless/dashboard.css"):
        response = client.get(f"/static/{name}")
        assert response.status_code == 200, name
        body = b"".join(response.streaming_content)
        assert body == Path(finders.find(name)).read_bytes()


def test_charts_script_draws_from_json_script_data_only():
    script = Path(finders.find("paperless/charts.js")).read_text(encoding="utf-8")
    assert "Plotly.newPlot" in script and "JSON.parse" in script
    assert not re.search(r"https?://", script)
    assert "eval(" not in script and "innerHTML" not in script


@pytest.fixture
def demo(client):
    today = date(2023, 2, 15)
    with time_machine.travel(today, tick=False):
        seed_demo(today=today)
        client.force_login(User.objects.get(username="cdxo"))
        yield client


def test_demo_city_page_shows_seven_ward_bars_and_which_lag(demo):
    response = demo.get("/")
    wards = figures(response.content.decode())["figure-wards"]["data"][0]
    assert wards["x"] == [
        "堺区役所",
        "中区役所",
        "東区役所",
        "西区役所",
        "南区役所",
        "北区役所",
        "美原区役所",
    ]
    lagging = {x for x, s in zip(wards["x"], wards["marker"]["pattern"]["shape"], strict=True) if s}
    assert {"中区役所", "美原区役所"} <= lagging
    assert "西区役所" not in lagging and "北区役所" not in lagging
    missing = {row["code"] for row in response.context["page"].not_reported}
    assert set(LATE_REPORTERS) <= missing

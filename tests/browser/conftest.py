"""Headless Chromium (Debian's) driven by Playwright against pytest-django's live server.

The browser tests skip on a machine without Chromium, and fail in CI, where
PAPERLESS_REQUIRE_BROWSER=1. Screenshots go to test-artifacts/ (not committed).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REQUIRE_BROWSER

# Playwright's sync API runs an event loop in this thread; the live server's database
# calls from test code are still synchronous.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def browser_unavailable(reason: str) -> None:
    """Skip locally, fail in CI: the browser tests are required there."""
    if REQUIRE_BROWSER:
        pytest.fail(f"required browser unavailable: {reason}")
    pytest.skip(reason)


# Module scope: a running sync Playwright owns this thread's event loop, so it must be
# stopped before a test elsewhere starts its own.
@pytest.fixture(scope="module")
def browser() -> Iterator:
    if not CHROMIUM.exists():
        browser_unavailable(f"{CHROMIUM} is not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - a dev requirement
        browser_unavailable("playwright is not installed")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


class Tab:
    """A page with what went wrong on it: console errors, failed and outside requests."""

    def __init__(self, page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.errors: list[str] = []
        self.outside: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        page.on("request", self._request)
        page.on("requestfailed", lambda r: self.errors.append(f"request failed: {r.url}"))

    def _console(self, message) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text} ({message.location.get('url')})")

    def _request(self, request) -> None:
        if not request.url.startswith((self.base_url, "data:", "blob:")):
            self.outside.append(request.url)

    def open(self, path: str) -> None:
        self.page.goto(self.base_url + path)
        self.page.wait_for_load_state("networkidle")

    def log_in(self, username: str, password: str) -> None:
        self.open("/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        with self.page.expect_navigation():
            self.page.click("button[type=submit]")
        self.page.wait_for_load_state("networkidle")


@pytest.fixture
def tab(browser, live_server) -> Iterator[Tab]:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="ja-JP", accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield Tab(page, live_server.url)
    context.close()

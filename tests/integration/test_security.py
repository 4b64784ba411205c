"""Production hardening: CSRF, lockout, sessions, passwords, headers, CSP, deploy checks.

The POST URLs and the pages checked for inline script come from the same rule table as
the authorization matrix (tests/authz_rules.py), so a new URL is covered here too.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import axes.utils
import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

import sakai_dx.settings as configured
from tests.authz_rules import (
    ALLOWED,
    RULES,
    TODAY,
    allowed_role,
    case_for,
    prepare_world,
    walk_urls,
)

pytestmark = pytest.mark.django_db

BASE_DIR = Path(settings.BASE_DIR)
PASSWORD = "pw-Sakai-2022!"  # tests.conftest.make_user


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_lockout_left_over():
    axes.utils.reset()
    yield
    axes.utils.reset()


@pytest.fixture
def world(tree, users, monkeypatch, settings):
    with time_machine.travel(TODAY, tick=False):
        yield prepare_world(tree, users, settings, monkeypatch)


PAGE_ROLES = ("admin", "executive", "head_own", "anonymous")


def _probes(method: str):
    urls = dict(walk_urls())
    for name in sorted(set(RULES) & set(urls)):
        for index, probe in enumerate(RULES[name]):
            if probe.method == method:
                yield pytest.param(name, index, id=f"{name}[{probe.label or method}]")


def _page_role(probe) -> str | None:
    return next((r for r in PAGE_ROLES if probe.expect[r] == ALLOWED), None)


def _pages():
    """GET probes that some role receives as a page (not only a redirect or a refusal)."""
    for param in _probes("GET"):
        name, index = param.values
        if _page_role(RULES[name][index]) is not None:
            yield param


def _request(client: Client, name: str, probe, case):
    made = probe.build(case)
    url = reverse(name, kwargs=dict(made.kwargs))
    if probe.method == "GET":
        return client.get(url, dict(made.query))
    if made.query:
        url = f"{url}?{urlencode(dict(made.query))}"
    return client.post(url, dict(made.data))


# --- CSRF ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "index"), list(_probes("POST")))
def test_post_without_csrf_token_is_refused(name, index, world):
    probe = RULES[name][index]
    role = allowed_role(probe) or "admin"
    case = case_for(role, world)
    client = Client(enforce_csrf_checks=True)
    if case.user is not None:
        client.force_login(case.user)
    before = probe.effect(case) if probe.effect else None

    response = _request(client, name, probe, case)

    assert response.status_code == 403, f"POST {name} as {role} without a CSRF token"
    assert "CSRF" in response.content.decode()
    if probe.effect:
        assert probe.effect(case) == before


def test_every_post_url_of_the_rules_was_checked_for_csrf():
    assert len(list(_probes("POST"))) >= 3  # login, logout, note form at least


def _all_callbacks(patterns=None):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from _all_callbacks(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            yield pattern


def test_no_view_is_exempt_from_csrf():
    exempt = [str(p.pattern) for p in _all_callbacks() if getattr(p.callback, "csrf_exempt", False)]
    assert exempt == []


# --- Login, lockout, sessions, passwords --------------------------------------------------


def test_login_page_is_japanese(client, db):
    body = client.get(reverse("login")).content.decode()
    assert '<html lang="ja">' in body
    for text in ("ログイン", "ユーザー名", "パスワード"):
        assert text in body


def test_wrong_password_message_is_japanese(client, users):
    response = client.post(reverse("login"), {"username": "head", "password": "wrong"})
    assert response.status_code == 200
    assert "ユーザー名またはパスワードが正しくありません" in response.content.decode()


def test_login_is_locked_after_the_failure_limit_even_with_the_right_password(client, users):
    url = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(url, {"username": "head", "password": "wrong"}).status_code == 200

    locked = client.post(url, {"username": "head", "password": "wrong"})
    assert locked.status_code == 429
    assert "ログインを一時停止しています" in locked.content.decode()
    assert '<html lang="ja">' in locked.content.decode()

    right = client.post(url, {"username": "head", "password": PASSWORD})
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session

    axes.utils.reset()
    assert client.post(url, {"username": "head", "password": PASSWORD}).status_code == 302
    assert client.session["_auth_user_id"] == str(users["head"].pk)


def test_lockout_wears_off_and_is_configured_from_the_environment():
    assert settings.AXES_LOCKOUT_TEMPLATE == "registration/lockout.html"
    assert settings.AXES_COOLOFF_TIME.total_seconds() > 0  # the default would lock forever
    assert 3 <= settings.AXES_FAILURE_LIMIT <= 10


def test_session_ends_with_the_browser_and_within_a_working_day(client, users):
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_AGE <= 8 * 60 * 60
    assert settings.SESSION_COOKIE_HTTPONLY
    response = client.post(reverse("login"), {"username": "head", "password": PASSWORD})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == "" and cookie["expires"] == ""  # a browser-session cookie
    assert cookie["httponly"]
    assert client.session.get_expire_at_browser_close()


@pytest.mark.parametrize(
    "password",
    ["short1!", "password123", "12345678901", "head@city.sakai.example"],
    ids=["too short", "common", "numeric", "like the user name"],
)
def test_password_validators_refuse_weak_passwords(users, password):
    with pytest.raises(ValidationError):
        password_validation.validate_password(password, users["head"])


def test_password_validators_accept_a_strong_password(users):
    password_validation.validate_password("Kaizen-Paper-2023-Sakai!", users["head"])


# --- Headers and pages --------------------------------------------------------------------


def _directives(header: str) -> dict[str, list[str]]:
    parts = (d.strip().split() for d in header.split(";") if d.strip())
    return {p[0]: p[1:] for p in parts}


def test_security_headers_on_a_page(client, users):
    client.force_login(users["executive"])
    response = client.get(reverse("paperless:home"))
    csp = _directives(response["Content-Security-Policy"])
    assert csp["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp.get("default-src", [])
    assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


class _ScriptAudit(HTMLParser):
    """Collects every <script> and every inline event handler of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[tuple[dict, str]] = []
        self.handlers: list[str] = []
        self._open: dict | None = None
        self._body: list[str] = []

    def handle_starttag(self, tag, attrs):
        named = dict(attrs)
        self.handlers += [f"<{tag} {k}>" for k in named if k.lower().startswith("on")]
        self.handlers += [
            f"<{tag} {k}=javascript:>"
            for k, v in named.items()
            if (v or "").strip().lower().startswith("javascript:")
        ]
        if tag == "script":
            self._open, self._body = named, []

    def handle_data(self, data):
        if self._open is not None:
            self._body.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._open is not None:
            self.scripts.append((self._open, "".join(self._body)))
            self._open = None


def _inline_script_problems(html: str) -> list[str]:
    audit = _ScriptAudit()
    audit.feed(html)
    problems = list(audit.handlers)
    for attrs, body in audit.scripts:
        if attrs.get("type") == "application/json":
            if "src" in attrs:
                problems.append("json_script with src")
        elif not attrs.get("src") or body.strip():
            problems.append(f"inline <script {attrs}>{body.strip()[:60]}")
    return problems


def test_script_audit_catches_inline_script_and_handlers():
    page = '<script>alert(1)</script><a onclick="x()">a</a><script src="/s.js"></script>'
    assert len(_inline_script_problems(page)) == 2
    assert _inline_script_problems('<script type="application/json" id="d">{"a": 1}</script>') == []


@pytest.mark.parametrize(("name", "index"), list(_pages()))
def test_page_has_no_inline_script(name, index, world, client):
    probe = RULES[name][index]
    role = _page_role(probe)
    case = case_for(role, world)
    if case.user is not None:
        client.force_login(case.user)
    response = _request(client, name, probe, case)
    assert response.status_code == 200
    if not response["Content-Type"].startswith("text/html"):
        return
    assert _inline_script_problems(response.content.decode()) == []


def test_department_head_following_a_mail_link_to_another_department_is_refused(
    client, users, tree
):
    # Alert e-mails link to /units/<code>/; a forwarded mail must not open another unit.
    other = tree["naka_shimin"]
    path = f"/units/{other.code}/"
    assert resolve(path).url_name == "unit"
    client.force_login(users["head"])
    response = client.get(path)
    assert response.status_code == 403
    assert "表示できません" in response.content.decode()
    assert other.name not in response.content.decode()
    own = client.get(f"/units/{tree['sakai_shimin'].code}/")
    assert own.status_code == 200


def test_refusal_and_not_found_pages_are_japanese(client, users):
    client.force_login(users["head"])
    refused = client.get(reverse("paperless:audit"))
    assert refused.status_code == 403
    assert "このページを表示する権限がありません" in refused.content.decode()
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404
    assert "ページが見つかりません" in missing.content.decode()


def test_server_error_page_is_japanese_and_needs_no_request():
    from django.template.loader import render_to_string

    assert "エラーが発生しました" in render_to_string("500.html")


# --- Uploaded originals are never web-served --------------------------------------------


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def test_upload_root_is_outside_every_served_folder():
    upload_root = Path(configured.UPLOAD_ROOT)
    served = [Path(configured.STATIC_ROOT), *map(Path, configured.STATICFILES_DIRS)]
    if getattr(configured, "MEDIA_ROOT", ""):
        served.append(Path(configured.MEDIA_ROOT))
    if getattr(configured, "WHITENOISE_ROOT", None):
        served.append(Path(configured.WHITENOISE_ROOT))
    for folder in served:
        assert not _inside(upload_root, folder), f"uploads under served folder {folder}"
        assert not _inside(folder, upload_root), f"served folder {folder} under uploads"
    assert not getattr(configured, "MEDIA_URL", "").strip("/"), "no MEDIA_URL: uploads are private"


def test_no_url_serves_files_from_a_folder():
    from django.views import static

    serving = [str(p.pattern) for p in _all_callbacks() if p.callback is static.serve]
    assert serving == []


def test_an_uploaded_file_cannot_be_fetched_by_its_path(client, world, users):
    upload = world.uploads["sakai_shimin"]
    stored = Path(settings.UPLOAD_ROOT) / upload.file.name
    assert stored.exists()
    client.force_login(users["admin"])
    for prefix in ("/static/", "/media/", "/uploads/", "/var/uploads/", "/"):
        assert client.get(prefix + upload.file.name).status_code == 404, prefix


# --- Production settings ---------------------------------------------------------------


def _production_env(tmp_path: Path, **changes: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "AXES_"))}
    env.pop("DATABASE_URL", None)
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="paperless.example",
        DJANGO_SECURE="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        # Production shares one cache between processes; nothing connects to it here.
        REDIS_URL="redis://127.0.0.1:6379/15",
        PYTHONPATH=str(BASE_DIR),
    )
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = _run(["manage.py", "check", "--deploy"], _production_env(tmp_path))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "no issues" in output
    assert "W0" not in output and "WARNING" not in output.upper().replace("AXES", "")


def test_check_deploy_is_clean_behind_a_proxy_with_its_address(tmp_path):
    env = _production_env(
        tmp_path, DJANGO_BEHIND_PROXY="1", DJANGO_TRUSTED_PROXIES="10.0.0.5,10.0.1.0/24"
    )
    result = _run(["manage.py", "check", "--deploy"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout + result.stderr


def test_check_deploy_warns_about_a_cache_in_each_process(tmp_path):
    result = _run(["manage.py", "check", "--deploy"], _production_env(tmp_path, REDIS_URL=None))
    assert "paperless.W001" in result.stdout + result.stderr


def test_check_deploy_warns_behind_a_proxy_that_is_not_trusted(tmp_path):
    env = _production_env(tmp_path, DJANGO_BEHIND_PROXY="1")
    result = _run(["manage.py", "check", "--deploy"], env)
    assert "paperless.W002" in result.stdout + result.stderr


def test_production_refuses_to_start_with_debug_on(tmp_path):
    result = _run(["manage.py", "check", "--deploy"], _production_env(tmp_path, DJANGO_DEBUG="1"))
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be off" in result.stderr


def test_check_deploy_flags_debug_on_a_local_host(tmp_path):
    env = _production_env(tmp_path, DJANGO_DEBUG="1", DJANGO_ALLOWED_HOSTS="127.0.0.1")
    result = _run(["manage.py", "check", "--deploy"], env)
    assert "security.W018" in result.stdout + result.stderr


# A developer's .env must not decide these: the child process ignores it.
_IGNORE_DOTENV = "import environ; environ.Env.read_env = classmethod(lambda *a, **k: None); "


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    code = _IGNORE_DOTENV + "import django; django.setup()"
    env = _production_env(
        tmp_path, DJANGO_SECRET_KEY=None, DJANGO_SETTINGS_MODULE="sakai_dx.settings"
    )
    result = _run(["-c", code], env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_debug_is_off_unless_asked_for_and_cookies_are_secure_in_production(tmp_path):
    code = _IGNORE_DOTENV + (
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY,"
        " s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0)"
    )
    env = _production_env(
        tmp_path, DJANGO_DEBUG=None, DJANGO_SECURE=None, DJANGO_SETTINGS_MODULE="sakai_dx.settings"
    )
    result = _run(["-c", code], env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False"] + ["True"] * 5


_PERIMETER = _IGNORE_DOTENV + (
    "from django.conf import settings as s; "
    "d = s.DATABASES['default']; "
    "print(s.SECURE_PROXY_SSL_HEADER, s.SECURE_HSTS_SECONDS > 0, s.SECURE_HSTS_INCLUDE_SUBDOMAINS,"
    " s.SECURE_HSTS_PRELOAD, d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
)


def test_proxy_header_and_hsts_reach_are_opt_in_and_connections_are_kept(tmp_path):
    env = _production_env(tmp_path, DJANGO_SETTINGS_MODULE="sakai_dx.settings")
    result = _run(["-c", _PERIMETER], env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["None", "True", "False", "False", "60", "True"]


def test_proxy_header_and_hsts_reach_when_asked_for(tmp_path):
    env = _production_env(
        tmp_path,
        DJANGO_SETTINGS_MODULE="sakai_dx.settings",
        DJANGO_BEHIND_PROXY="1",
        DJANGO_HSTS_INCLUDE_SUBDOMAINS="1",
        DJANGO_HSTS_PRELOAD="1",
        DJANGO_CONN_MAX_AGE="120",
    )
    result = _run(["-c", _PERIMETER], env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
        "True",
        "True",
        "True",
        "120",
        "True",
    ]


def test_a_malformed_trusted_proxy_stops_the_start(tmp_path):
    env = _production_env(
        tmp_path,
        DJANGO_SETTINGS_MODULE="sakai_dx.settings",
        DJANGO_TRUSTED_PROXIES="10.0.0.5,proxy.city.example",
    )
    result = _run(["-c", _IGNORE_DOTENV + "import django; django.setup()"], env)
    assert result.returncode != 0
    assert "DJANGO_TRUSTED_PROXIES" in result.stderr and "proxy.city.example" in result.stderr


def test_the_shared_cache_check_fires_only_for_local_memory_without_debug(settings):
    from paperless.checks import check_shared_cache

    locmem = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    redis = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache"}}
    settings.DEBUG, settings.CACHES = False, locmem
    assert [w.id for w in check_shared_cache()] == ["paperless.W001"]
    settings.DEBUG = True
    assert check_shared_cache() == []
    settings.DEBUG, settings.CACHES = False, redis
    assert check_shared_cache() == []


def test_the_proxy_check_fires_only_behind_a_proxy_without_trusted_proxies(settings):
    from paperless.checks import check_trusted_proxies

    settings.BEHIND_PROXY, settings.TRUSTED_PROXIES = True, []
    assert [w.id for w in check_trusted_proxies()] == ["paperless.W002"]
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    assert check_trusted_proxies() == []
    settings.BEHIND_PROXY, settings.TRUSTED_PROXIES = False, []
    assert check_trusted_proxies() == []


def test_env_example_lists_every_secret_and_sets_none(tmp_path):
    example = (BASE_DIR / ".env.example").read_text(encoding="utf-8")
    values = dict(
        line.split("=", 1)
        for line in example.splitlines()
        if "=" in line and not line.startswith("#")
    )
    assert values["DJANGO_SECRET_KEY"] == ""
    for name in ("DJANGO_SECRET_KEY", "DATABASE_URL", "EMAIL_URL", "DJANGO_ALLOWED_HOSTS"):
        assert name in values

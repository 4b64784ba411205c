"""Real parts for the alert service tests: an SMTP server on loopback, Redis, a watcher.

``Mailbox`` is an aiosmtpd handler that keeps what it accepts (parsed) and can refuse
an address (5xx), fail the next DATA commands (4xx) or hold a MAIL command until
released, so a test can kill the sender in the middle of a message.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
import redis
from aiosmtpd.controller import Controller
from celery.signals import task_postrun

from sakai_dx.celery import app
from tests.conftest import service_unavailable

REDIS_URL = os.environ.get("PAPERLESS_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


def free_port() -> int:
    # aiosmtpd's Controller cannot take port 0: ask the system for a free port first.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse: dict[str, str] = {}
        self.fail_data: list[str] = []
        self.hold_mail_at: int | None = None
        self.held = threading.Event()
        self.release = threading.Event()
        self.mail_commands = 0
        self._lock = threading.Lock()

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802
        with self._lock:
            self.mail_commands += 1
            hold = self.mail_commands == self.hold_mail_at
        if hold:
            self.held.set()
            # Bounded, so a test that never releases does not hang the server thread.
            for _ in range(1200):
                if self.release.is_set():
                    break
                await asyncio.sleep(0.05)
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        refusal = self.refuse.get(address.lower())
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        with self._lock:
            if self.fail_data:
                return self.fail_data.pop(0)
            raw = envelope.original_content or envelope.content
            self.messages.append(message_from_bytes(raw, policy=policy.default))
        return "250 Message accepted for delivery"

    def received(self) -> list[tuple[str, str]]:
        """(recipient, alert kind) of every accepted message."""
        with self._lock:
            return [
                (str(m["To"]), str(m["X-Paperless-Alert"]).split(";")[0]) for m in self.messages
            ]


@contextmanager
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        mailbox.release.set()
        controller.stop()


def use_smtp(settings, port: int) -> None:
    """Django's test runner forces the locmem backend: send over SMTP instead."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10


def redis_client() -> redis.Redis:
    """The test Redis database, emptied; unavailable → skip locally, fail in CI."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        service_unavailable(f"Redis at {REDIS_URL}: {exc}")
    client.flushdb()
    return client


def _reset_connections() -> None:
    # Connection and producer pools were made for the previous broker URL.
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None


@contextmanager
def celery_on_redis() -> Iterator[redis.Redis]:
    """The Celery app sending to the test Redis for real (not eager) while inside."""
    client = redis_client()
    keys = ("broker_url", "task_always_eager", "broker_transport_options")
    saved = {key: app.conf[key] for key in keys}
    app.conf.update(
        broker_url=REDIS_URL,
        task_always_eager=False,
        broker_transport_options={"visibility_timeout": 3600},
    )
    _reset_connections()
    try:
        yield client
    finally:
        app.conf.update(saved)
        _reset_connections()
        client.flushdb()


class TaskWatcher:
    """Counts finished task runs in this process (the embedded worker's thread)."""

    def __init__(self) -> None:
        self.runs: list[tuple[str, str, object]] = []
        self._lock = threading.Lock()

    def __call__(self, sender=None, task=None, retval=None, state=None, **kwargs) -> None:
        with self._lock:
            self.runs.append((task.name if task else "", state or "", retval))

    def finished(self, name: str) -> list[object]:
        with self._lock:
            return [r for n, s, r in self.runs if n.endswith(name) and s != "RETRY"]

    def queued(self) -> int:
        return sum(r["queued"] for r in self.finished(".send_weekly_alerts") if isinstance(r, dict))

    def settled(self, weekly_runs: int) -> bool:
        """All weekly runs done and every send they queued finished (not waiting to retry)."""
        weekly = self.finished(".send_weekly_alerts")
        return (
            len(weekly) >= weekly_runs
            and len(self.finished(".send_alert_delivery")) >= self.queued()
        )


@contextmanager
def watching() -> Iterator[TaskWatcher]:
    watcher = TaskWatcher()
    task_postrun.connect(watcher, weak=False)
    try:
        yield watcher
    finally:
        task_postrun.disconnect(watcher)


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 120) -> None:
    """Poll until ``condition`` holds; a bound so a broken run fails instead of hanging."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")

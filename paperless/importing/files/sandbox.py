"""Run a reader on untrusted bytes in a child process with a memory and time limit.

A native reader that aborts (python-calamine does on some crafted files), runs out of
memory or loops takes only the child with it: the caller gets a ``TableError`` with a
message for the user and goes on. The child is forked, so it starts at once with
everything already imported; it touches no database connection and ends with
``os._exit`` (multiprocessing's own way), so nothing inherited is cleaned up twice.
"""

from __future__ import annotations

import faulthandler
import gc
import logging
import multiprocessing
import os
import resource
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from paperless.importing.files.limits import MB, Limits, TableError

T = TypeVar("T")
logger = logging.getLogger(__name__)

_CONTEXT = multiprocessing.get_context(
    "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while 100,000s of small objects are made.

    Rows, records and changes hold no reference cycles, but each batch of new objects
    makes the collector rescan the whole heap (the web process's too): pausing it
    halves the parse of a large file.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _address_space() -> int:
    """Bytes of address space this process maps now (0 when /proc cannot tell)."""
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _limit_child(limits: Limits) -> None:
    base = _address_space()
    if base:
        cap = base + limits.max_memory
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            cap = min(cap, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    seconds = int(limits.max_seconds) + 2
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard == resource.RLIM_INFINITY or hard > seconds:
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, hard))


def _quiet() -> None:
    # A native reader that aborts writes its own report; the parent reports instead.
    faulthandler.disable()
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 2)


def _child(connection, function: Callable[..., Any], args: tuple, kwargs: dict) -> None:
    limits: Limits = kwargs["limits"]
    gc.disable()  # a short-lived process: see gc_paused
    try:
        _quiet()
        _limit_child(limits)
        result: tuple[str, Any] = ("ok", function(*args, **kwargs))
    except TableError as exc:
        result = ("error", (exc.code, exc.message, exc.detail))
    except MemoryError:
        result = ("memory", None)
    except BaseException as exc:  # noqa: B036 - a Rust panic arrives as a BaseException
        result = ("crash", f"{type(exc).__name__}: {exc}"[:500])
    try:
        connection.send(result)
    except MemoryError:
        connection.send(("memory", None))
    finally:
        connection.close()


def _stopped(filename: str, limits: Limits, why: str) -> TableError:
    """The child ran out of memory or was killed: the limits stopped it, not the checks.

    The code stays ``corrupt_file`` (what scripts have always seen for it); the message
    says what happened.
    """
    logger.warning("reading %r stopped by the reader's limits: %s", filename, why)
    return TableError(
        "corrupt_file",
        f"「{filename}」の読み取り処理が上限（メモリ {limits.max_memory / MB:g} MB・時間"
        f" {limits.max_seconds:g}秒）を超えたため中止しました。ファイルの中身が大きすぎるか、"
        "Excel が作らない形の内容が含まれています。不要なシートやセルを削除して保存し直すか、"
        "ファイルを分けてください。",
        why,
    )


def _crashed(filename: str, why: str) -> TableError:
    logger.error("reading %r failed in the reader process: %s", filename, why)
    return TableError(
        "corrupt_file",
        f"「{filename}」の読み取り処理が予期しないエラーで中止しました。Excel で開けるか"
        "確かめ、保存し直してからもう一度アップロードしてください。続く場合は管理者に"
        "お知らせください。",
        why,
    )


def _timed_out(filename: str, limits: Limits) -> TableError:
    return TableError(
        "timeout",
        f"「{filename}」の読み込みが制限時間（{limits.max_seconds:g}秒）内に終わらなかった"
        "ため中止しました。ファイルを分けるか、不要なシートやセルを削除してください。",
    )


def run(function: Callable[..., T], *args: Any, filename: str, limits: Limits) -> T:
    """``function(*args, filename=filename, limits=limits)`` in a child; its result.

    Raises the child's ``TableError`` as is, and a ``TableError`` of its own when the
    child dies, runs out of memory or is still working after ``limits.max_seconds``.
    """
    kwargs = {"filename": filename, "limits": limits}
    receiver, sender = _CONTEXT.Pipe(duplex=False)
    process = _CONTEXT.Process(
        target=_child, args=(sender, function, args, kwargs), daemon=True, name="upload-reader"
    )
    process.start()
    sender.close()
    deadline = time.monotonic() + limits.max_seconds
    try:
        if not receiver.poll(max(deadline - time.monotonic(), 0)):
            raise _timed_out(filename, limits)
        try:
            with gc_paused():
                status, payload = receiver.recv()
        except (EOFError, OSError):
            process.join(1)
            raise _stopped(filename, limits, f"exit code {process.exitcode}") from None
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join(5)
    if status == "ok":
        return payload
    if status == "error":
        code, message, detail = payload
        if detail:
            logger.warning("reading %r refused (%s): %s", filename, code, detail)
        raise TableError(code, message, detail)
    if status == "crash":
        raise _crashed(filename, payload)
    raise _stopped(filename, limits, status)

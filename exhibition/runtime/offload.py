"""Slow, CPU-bound work off the event loop: ``run_blocking(fn, *args)``.

Under eventlet or gevent every socket of a process is served by one OS thread; a call
that computes for 100 ms (a scrypt password hash) stops every client for that long.
``run_blocking`` runs such a call in a real OS thread while the loop goes on serving:
eventlet's ``tpool``, gevent's hub threadpool, or, under threading (the tests, the CLI),
the calling thread itself. OpenSSL's scrypt releases the GIL, so a second core hashes
while the first serves. On a process confined to one core the worker thread runs at a
lower priority (``BLOCKING_NICE``, default 10): the loop keeps the core when both want
it, so chat stays quick while logins queue for their hash.

``fn`` runs outside the request's context: pass it everything it needs (no
``current_app``, no database session).
"""
from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, has_app_context

T = TypeVar("T")

_limit_lock = threading.Lock()
_limits: dict[int, threading.BoundedSemaphore] = {}


def async_mode() -> str:
    """``eventlet``, ``gevent`` or ``threading``: which loop this process runs, from
    the app's SOCKETIO_ASYNC_MODE, confirmed by the socket module being patched (a
    CLI command of an eventlet-configured app runs unpatched: a plain call then)."""
    configured = current_app.config.get("SOCKETIO_ASYNC_MODE", "threading") if has_app_context() else None
    if configured in (None, "eventlet") and "eventlet" in sys.modules:
        # Imported here, and only if the process already loaded eventlet: the
        # application stays neutral; the entry points choose and patch the loop.
        from eventlet import patcher

        if patcher.is_monkey_patched("socket"):
            return "eventlet"
    if configured in (None, "gevent") and "gevent" in sys.modules:
        from gevent import monkey  # as above: only when the entry point chose gevent

        if monkey.is_module_patched("socket"):
            return "gevent"
    return "threading"


def _limit() -> threading.BoundedSemaphore:
    """At most one hash per core at a time (more only queue in the pool, each holding
    32 MB of scrypt memory). Made on first use, after the entry point patched
    ``threading``, so under eventlet/gevent waiting for it is green."""
    size = int(current_app.config.get("BLOCKING_THREADS") or 0) if has_app_context() else 0
    size = size or os.cpu_count() or 1
    with _limit_lock:
        if size not in _limits:
            _limits[size] = threading.BoundedSemaphore(size)
        return _limits[size]


def _niced(fn: Callable[..., T], nice: int | None) -> Callable[..., T]:
    """``fn`` run at the thread priority ``nice`` (absolute; None: unchanged)."""
    def call(*args: Any) -> T:
        if nice is not None:
            try:
                # Linux: who=0 is the calling thread only (nice is per thread), not the process.
                os.setpriority(os.PRIO_PROCESS, 0, nice)
            except OSError:  # not allowed here: the hash runs at the loop's priority
                pass
        return fn(*args)
    return call


def run_blocking(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` in an OS thread while the event loop serves; its result or its
    exception. Under threading: a plain call."""
    mode = async_mode()
    if mode == "threading":
        return fn(*args)
    lower_by = int(current_app.config.get("BLOCKING_NICE", 10)) if has_app_context() else 10
    # Relative to the loop's thread (read here, on it): the workers never run above it.
    work = _niced(fn, min(19, os.getpriority(os.PRIO_PROCESS, 0) + lower_by) if lower_by > 0 else None)
    with _limit():
        if mode == "eventlet":
            from eventlet import tpool  # only under eventlet (see async_mode)

            return tpool.execute(work, *args)
        from gevent import get_hub  # only under gevent (see async_mode)

        return get_hub().threadpool.apply(work, args)

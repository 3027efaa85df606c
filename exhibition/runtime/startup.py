"""Serving a process: the per-process background loops, then the server itself, and
the drain on SIGTERM (SPEC §11)."""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

from flask import Flask

from exhibition.extensions import socketio
from exhibition.runtime import serving

BackgroundTask = Callable[[Flask], None]

DRAIN_TIMEOUT = 5.0  # seconds a drain waits for in-flight batches (systemd's TimeoutStopSec is above it)


@runtime_checkable
class Drainable(Protocol):
    """Work in flight that a drain lets finish (the chat's group commit)."""

    def wait_idle(self, timeout: float) -> bool: ...


def add_background_task(app: Flask, task: BackgroundTask) -> None:
    """An area's loop that every serving process runs (never the tests' apps):
    ``task(app)`` starts it, once per process."""
    tasks = app.extensions.setdefault("background_tasks", [])
    if task not in tasks:
        tasks.append(task)


def serve(app: Flask) -> None:
    host, port = app.config["HOST"], app.config["PORT"]
    print(f"Serving on http://{host}:{port} ({app.config['SOCKETIO_ASYNC_MODE']})", flush=True)
    start_background_tasks(app)
    mode = app.config["SOCKETIO_ASYNC_MODE"]
    serving.tune_gc(app)
    if mode == "eventlet":
        serving.serve_eventlet(app, host, port, on_stop=lambda: drain(app))
    elif mode == "gevent":
        serving.serve_gevent(app, host, port, on_stop=lambda: drain(app))
    else:
        socketio.run(app, host=host, port=port, **server_options(app))


def start_background_tasks(app: Flask) -> None:
    """The per-process loops a serving process runs (also started by deploy/wsgi.py):
    the ones the areas registered (figures sampling, session reminders, the logout relay)."""
    for task in app.extensions.get("background_tasks", []):
        task(app)


def server_options(app: Flask) -> dict:
    """Options for socketio.run in threading mode (development only); eventlet and
    gevent are served by runtime/serving.py with measured settings."""
    if app.config["SOCKETIO_ASYNC_MODE"] == "threading":
        return {"allow_unsafe_werkzeug": True}
    return {}


def drain(app: Flask, timeout: float = DRAIN_TIMEOUT) -> None:
    """What a process does on SIGTERM once it no longer accepts connections: in-flight
    chat batches are written (and acknowledged while their sockets are still open),
    then every Socket.IO connection is closed at the transport, as a restart looks to
    a client, so clients reconnect (to another process behind the proxy) and catch up.
    Batches started by events that arrived meanwhile are written before it returns.
    Bounded by ``timeout`` in all."""
    deadline = time.monotonic() + timeout
    _wait_idle(app, min(1.0, timeout))
    close_connections()
    _wait_idle(app, max(0.0, deadline - time.monotonic()))


def _wait_idle(app: Flask, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    idle = True
    for work in list(app.extensions.values()):
        if isinstance(work, Drainable):
            idle = work.wait_idle(max(0.0, deadline - time.monotonic())) and idle
    return idle


def close_connections() -> int:
    """Close every Engine.IO connection of this process without a Socket.IO disconnect
    packet: a client told "disconnect" would stay away; a closed transport makes
    socket.io clients (browser and python-socketio) reconnect by themselves. The
    disconnect handlers (presence) run as for any dropped connection. Returns how many."""
    server: Any = socketio.server
    if server is None:
        return 0
    sockets = list(server.eio.sockets.values())
    for sock in sockets:
        sock.close(wait=False, abort=True)
    return len(sockets)

"""Serving a process: the per-process background loops, then the server itself."""
from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from exhibition.extensions import socketio
from exhibition.runtime import serving

BackgroundTask = Callable[[Flask], None]


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
        serving.serve_eventlet(app, host, port)
    elif mode == "gevent":
        serving.serve_gevent(app, host, port)
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

"""Fixtures for end-to-end tests against a real server process (eventlet, like ``python run.py``).

API
---
``start_server(users=None, demo=False, env=None, workdir=None) -> LiveServer``
    Function-scoped factory. Starts ``tests/e2e/serve_for_tests.py`` (what ``python run.py``
    does: schema, demo if asked, then ``socketio.run`` under eventlet) on a free port of
    127.0.0.1, waits until ``GET /healthz`` answers 200 and returns the ``LiveServer``
    (``.url`` is the base URL, ``.kill()`` SIGKILLs, ``.start()`` starts again on the same
    database, ``.log()`` / ``.errors_in_log()`` read its output). Every server started is
    stopped after the test.

    ``users``: accounts made before serving, ``[{email, name, role, booth?}]``, password
    ``tests.e2e.livesrv.PASSWORD``. ``demo``: load the demo event (accounts then use
    ``exhibition.demo.DEMO_PASSWORD``). ``env``: extra environment for the server process,
    e.g. ``{"CHAT_RATE_LIMIT": "0"}`` or ``{"SOCKETIO_MESSAGE_QUEUE": "redis://127.0.0.1:6379/5"}``.

    Environment read by the fixture (so other suites can point it elsewhere):
    ``E2E_DATABASE_URL`` (default: a fresh SQLite file per server, ``sqlite:///<tmp>/e2e.db``;
    give your own PostgreSQL database, never the suite's shared ``test``),
    ``E2E_ASYNC_MODE`` (default ``eventlet``), ``E2E_MESSAGE_QUEUE`` (default unset).
    Anything in ``env`` wins over these.

``chat_server`` (module-scoped)
    One started server for a test module with the people the chat tests use
    (``CHAT_PEOPLE``; emails ``<key>@e2e.test``) and a booth ``E2E_BOOTH``, created through
    ``POST /api/booths`` as the organiser, or straight in its database while the booth
    API is not there yet.

``closing(thing) -> thing``
    Closes what it was handed at the end of the test (python-socketio connections).

``login(server, key_or_email) -> requests.Session`` and ``cookie_header(session)`` help to open
python-socketio connections: ``socketio.Client().connect(server.url, headers={"Cookie": ...})``.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from .livesrv import LiveServer, cookie_header, http_login  # noqa: F401  (cookie_header: for the suites)

E2E_BOOTH = "e2e-cluster"
CHAT_PEOPLE = {
    "organiser": "organiser", "anna": "attendee", "ben": "attendee", "carla": "attendee",
    "dora": "attendee", "emil": "attendee", "staff": "staff",
}


def _env_overrides() -> dict:
    env = {}
    if os.environ.get("E2E_DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["E2E_DATABASE_URL"]
    if os.environ.get("E2E_ASYNC_MODE"):
        env["SOCKETIO_ASYNC_MODE"] = os.environ["E2E_ASYNC_MODE"]
    if os.environ.get("E2E_MESSAGE_QUEUE"):
        env["SOCKETIO_MESSAGE_QUEUE"] = os.environ["E2E_MESSAGE_QUEUE"]
    return env


def _start(workdir: Path, users=None, demo: bool = False, env: dict | None = None) -> LiveServer:
    return LiveServer(workdir, users=users, demo=demo, env={**_env_overrides(), **(env or {})}).start()


@pytest.fixture
def start_server(tmp_path):
    servers: list[LiveServer] = []

    def start(users=None, demo: bool = False, env: dict | None = None, workdir=None) -> LiveServer:
        server = _start(Path(workdir or tmp_path / f"server{len(servers)}"), users, demo, env)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def closing():
    """closing(thing) -> thing, and ``thing.close()`` at the end of the test: for the
    connections a test opens (each suite's ``connected`` fixture)."""
    opened = []

    def keep(thing):
        opened.append(thing)
        return thing

    yield keep
    for thing in opened:
        thing.close()


def email_of(key: str) -> str:
    return key if "@" in key else f"{key}@e2e.test"


def login(server: LiveServer, key: str):
    return http_login(server.url, email_of(key))


def _ensure_booth(server: LiveServer, slug: str) -> None:
    organiser = login(server, "organiser")
    response = organiser.post(server.url + "/api/booths", json={"name": "E2E Cluster", "slug": slug}, timeout=10)
    if response.status_code in (201, 409):
        return
    # The booth API is not there (yet): write the booth into the server's database.
    from config import database_url
    from exhibition import create_app
    from exhibition.booths.models import Booth
    from exhibition.extensions import db
    url = server.env()["DATABASE_URL"]
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url(url), "TESTING": True,
                      "SOCKETIO_ASYNC_MODE": "threading", "SOCKETIO_MESSAGE_QUEUE": None},
                     instance_path=str(server.workdir / "instance-helper"))
    with app.app_context():
        if db.session.query(Booth).filter_by(slug=slug).first() is None:
            db.session.add(Booth(slug=slug, name="E2E Cluster", topics=[]))
            db.session.commit()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def chat_server(tmp_path_factory):
    users = [{"email": email_of(key), "name": key.title(), "role": role} for key, role in CHAT_PEOPLE.items()]
    server = _start(tmp_path_factory.mktemp("chat-e2e"), users=users)
    try:
        _ensure_booth(server, E2E_BOOTH)
        yield server
    finally:
        server.stop()

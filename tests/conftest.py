"""Shared fixtures: an app per test on a fresh database, clients per role.

The suite runs on SQLite in memory by default and on PostgreSQL when
TEST_DATABASE_URL is set (CI does both)."""
from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import text

from config import testing_overrides
from exhibition import create_app
from exhibition.extensions import db
from exhibition.presence import store

PASSWORD = "correct-horse-9"


class ApiClient:
    """Flask's test client with the CSRF header filled in and JSON by default."""

    def __init__(self, app, flask_client):
        self.app = app
        self.http = flask_client
        self.token = flask_client.get("/api/csrf").get_json()["csrf_token"]
        self.user = None

    def _send(self, method, path, json=None, headers=None, **kw):
        headers = dict(headers or {})
        if method != "GET":
            headers.setdefault("X-CSRFToken", self.token)
        return self.http.open(path, method=method, json=json, headers=headers, **kw)

    def get(self, path, **kw):
        return self._send("GET", path, **kw)

    def post(self, path, json=None, **kw):
        return self._send("POST", path, json=json, **kw)

    def put(self, path, json=None, **kw):
        return self._send("PUT", path, json=json, **kw)

    def patch(self, path, json=None, **kw):
        return self._send("PATCH", path, json=json, **kw)

    def delete(self, path, **kw):
        return self._send("DELETE", path, **kw)

    def login(self, email, password=PASSWORD):
        response = self.post("/api/auth/login", json={"email": email, "password": password})
        assert response.status_code == 200, response.get_json()
        self.user = response.get_json()["user"]
        return self


@pytest.fixture
def app(tmp_path):
    """A fresh app and database. No app context stays pushed while the test runs:
    Flask would reuse it (and its ``g``: the logged-in user, the locale) for every
    request. Read the database inside ``with app.app_context():``."""
    app = create_app(testing_overrides(), instance_path=str(tmp_path / "instance"))
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            # A clean slate per test on the shared CI database.
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        db.create_all()
    store().clear()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    store().clear()


@dataclass(frozen=True)
class UserRef:
    """What a test needs of a person it made, usable outside any app context."""

    id: int
    email: str
    role: str
    display_name: str


@pytest.fixture
def make_user(app):
    """make_user(role, email=None, name=None, booth=None) -> UserRef; password PASSWORD."""
    from exhibition.accounts.services import create_user

    counter = {"n": 0}

    def make(role="attendee", email=None, name=None, booth=None):
        counter["n"] += 1
        email = email or f"{role}{counter['n']}@example.test"
        with app.app_context():
            user = create_user(email, PASSWORD, name or f"{role.title()} {counter['n']}", role, booth)
            return UserRef(user.id, user.email, user.role, user.display_name)

    return make


@pytest.fixture
def client_for(app):
    """client_for(user) -> an ApiClient logged in as that person (None: anonymous)."""

    def make(user=None):
        api = ApiClient(app, app.test_client())
        if user is not None:
            api.login(user.email)
        return api

    return make


@pytest.fixture
def anon(client_for):
    return client_for(None)


@pytest.fixture
def socket_client(app):
    """socket_client(api_client=None, headers=None) -> a Flask-SocketIO test client that
    shares the ApiClient's login cookie (None: anonymous). Check ``.is_connected()``:
    a refused connection is not connected. All are disconnected at the end of the test."""
    from exhibition.extensions import socketio

    made = []

    def make(api_client=None, headers=None):
        flask_client = api_client.http if api_client is not None else app.test_client()
        client = socketio.test_client(app, flask_test_client=flask_client, headers=headers)
        made.append(client)
        return client

    yield make
    for client in made:
        if client.is_connected():
            client.disconnect()

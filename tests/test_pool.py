"""The database pool under pressure (issue 11, SPEC §11): a login or registration holds
no pooled connection while it hashes; a request that finds no connection free, or no
database, gets a quick 503 ``unavailable`` (a socket event: an ``invalid`` ack saying
so), never a 500.

The app here has a real pool of one connection (pool_size 1, no overflow, 1 s to wait):
on TEST_DATABASE_URL's PostgreSQL when set, else on an SQLite file."""
from __future__ import annotations

import os

import pytest
from sqlalchemy import event, text

from config import database_url
from config import testing_overrides as suite_settings
from exhibition import create_app
from exhibition.accounts import services
from exhibition.extensions import db, socketio
from tests import factories
from tests.chat_helpers import ack
from tests.conftest import ApiClient, fresh_database

BOOTH = "elektromobilitaet-sued-west"


def _tiny_pool_app(tmp_path, **overrides):
    url = os.environ.get("TEST_DATABASE_URL")
    settings = {**suite_settings(),
                "SQLALCHEMY_DATABASE_URI": database_url(url) if url else f"sqlite:///{tmp_path / 'pool.db'}",
                "DB_POOL_SIZE": 1, "DB_MAX_OVERFLOW": 0, "DB_POOL_TIMEOUT": 1, **overrides}
    return create_app(settings, instance_path=str(tmp_path / "instance"))


@pytest.fixture
def tiny(tmp_path):
    yield from fresh_database(_tiny_pool_app(tmp_path))


def _engine(app):
    with app.app_context():
        return db.engine


def test_the_pool_is_sized_by_the_settings(tiny):
    pool = _engine(tiny).pool
    assert pool.size() == 1
    assert pool.timeout() == 1


def _watch_hashing(monkeypatch, app):
    """Wrap the hash functions the services call: each call records how many pooled
    connections are checked out, and checks a second request could get one."""
    engine = _engine(app)
    out = {"n": 0}
    event.listen(engine, "checkout", lambda *a: out.__setitem__("n", out["n"] + 1))
    event.listen(engine, "checkin", lambda *a: out.__setitem__("n", out["n"] - 1))
    seen: list[int] = []

    def watched(real):
        def call(*args):
            seen.append(out["n"])
            with engine.connect() as other:  # the only connection: free, or TimeoutError
                other.execute(text("SELECT 1"))
            return real(*args)
        return call

    monkeypatch.setattr(services, "check_password_hash", watched(services.check_password_hash))
    monkeypatch.setattr(services, "generate_password_hash", watched(services.generate_password_hash))
    return seen


def test_login_holds_no_connection_while_hashing(tiny, monkeypatch):
    person = factories.user(tiny, email="ada@example.test")
    seen = _watch_hashing(monkeypatch, tiny)
    api = ApiClient(tiny, tiny.test_client())
    assert api.post("/api/auth/login", json={"email": person.email, "password": "wrong password"}).status_code == 401
    assert api.post("/api/auth/login", json={"email": "nobody@example.test", "password": "x" * 10}).status_code == 401
    api.login(person.email)
    assert api.get("/api/me").get_json()["user"]["email"] == person.email
    assert seen and all(n == 0 for n in seen), seen


def test_registration_holds_no_connection_while_hashing(tiny, monkeypatch):
    seen = _watch_hashing(monkeypatch, tiny)
    api = ApiClient(tiny, tiny.test_client())
    r = api.post("/api/auth/register", json={"email": "new@example.test", "password": "a long password",
                                             "display_name": "New"})
    assert r.status_code == 201, r.get_json()
    assert seen == [0]


def test_a_registration_that_lost_the_race_is_a_conflict(tiny, monkeypatch):
    # A second registration of the same e-mail lands while the first one hashes.
    real = services.generate_password_hash

    def racing(*args):
        monkeypatch.setattr(services, "generate_password_hash", real)
        factories.user(tiny, email="twice@example.test")
        return real(*args)

    monkeypatch.setattr(services, "generate_password_hash", racing)
    api = ApiClient(tiny, tiny.test_client())
    r = api.post("/api/auth/register", json={"email": "twice@example.test", "password": "a long password",
                                             "display_name": "Twice"})
    assert r.status_code == 409
    assert r.get_json()["error"]["code"] == "conflict"


def test_no_free_connection_is_a_503_in_the_error_shape(tiny):
    person = factories.user(tiny)
    api = ApiClient(tiny, tiny.test_client())
    api.login(person.email)
    with _engine(tiny).connect():  # another request holds the only connection
        r = api.get("/api/booths")
        page = tiny.test_client().get("/", headers={"Accept": "text/html"})
    assert r.status_code == 503
    assert r.get_json() == {"error": {"code": "unavailable", "message": r.get_json()["error"]["message"]}}
    assert "try again" in r.get_json()["error"]["message"]
    assert page.status_code in (200, 302, 503)  # pages without a query still serve; none is a 500
    assert api.get("/api/booths").status_code == 200  # and the pool serves again once it is free


def test_no_free_connection_is_a_clear_socket_ack(tiny):
    staff = factories.user(tiny, "staff")
    factories.booth(tiny, BOOTH, staff=[staff])
    api = ApiClient(tiny, tiny.test_client())
    api.login(staff.email)
    client = socketio.test_client(tiny, flask_test_client=api.http)
    assert client.is_connected()
    try:
        with _engine(tiny).connect():
            answer = ack(client, "join", {"room": f"booth:{BOOTH}"})
        assert answer["ok"] is False
        assert answer["error"]["code"] == "invalid"
        assert "try again" in answer["error"]["message"]
        assert ack(client, "join", {"room": f"booth:{BOOTH}"})["ok"] is True
    finally:
        client.disconnect()


def test_an_unreachable_database_is_a_503_in_the_error_shape(tmp_path):
    # port 1 on loopback: nothing listens, the connection is refused at once
    app = _tiny_pool_app(tmp_path, SQLALCHEMY_DATABASE_URI="postgresql+psycopg2://postgres@127.0.0.1:1/none")
    api = app.test_client()
    token = api.get("/api/csrf").get_json()["csrf_token"]
    r = api.post("/api/auth/login", json={"email": "a@example.test", "password": "x" * 10},
                 headers={"X-CSRFToken": token})
    assert r.status_code == 503
    assert r.get_json()["error"]["code"] == "unavailable"

"""Shared fixtures: an app per test on a fresh database, people, clients, the usual world.

Objects are made by tests/factories.py (``from tests import factories as make``); the
fixtures here are built on it:

- ``app``: a fresh app and database per test.
- ``make_user(role, email=None, name=None, booth=None, **profile)``: one person (a UserRef).
- ``people``: the usual cast, UserRefs by name: ``attendee``, ``attendee2``, ``staff``,
  ``other_staff`` (role staff, of no booth: ``world`` or a test's own booths give them one)
  and ``organiser``. A test that needs other people makes them with ``make_user`` or the
  factories under a name of its own (not ``people``).
- ``clients``: ``clients[name]``, an ApiClient logged in as ``people[name]``;
  ``clients["anon"]``, an anonymous one.
- ``world``: ``people`` at two booths: ``world.booth`` (the chat room of
  "elektromobilitaet-sued-west", staffed by ``staff``) and ``world.other_booth``
  ("hydrogen-valley", staffed by ``other_staff``); ``world.user[name]``;
  ``world.connect(name, headers=None)``, a new login and socket of that person.
- ``client_for(user)``, ``anon``, ``socket_client(api_client)``.

The suite runs on SQLite in memory by default and on PostgreSQL when
TEST_DATABASE_URL is set (CI does both)."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from config import testing_overrides
from exhibition import create_app
from exhibition.extensions import db
from exhibition.realtime.presence import store
from tests import factories
from tests.factories import PASSWORD, UserRef  # noqa: F401  (UserRef, PASSWORD: for the suites)


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
    yield from fresh_database(create_app(testing_overrides(), instance_path=str(tmp_path / "instance")))


def fresh_database(app):
    """Give ``app`` empty tables (and presence) for one test, and clean up after it: the
    body of every app fixture."""
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


@pytest.fixture
def make_user(app):
    """make_user(role, email=None, name=None, booth=None, **profile) -> UserRef; password
    PASSWORD (tests/factories.py ``user``)."""

    def make_one(role="attendee", email=None, name=None, booth=None, **profile):
        return factories.user(app, role, email=email, name=name, booth=booth, **profile)

    return make_one


# The usual cast: name -> role, made in this order.
CAST = {"attendee": "attendee", "attendee2": "attendee", "staff": "staff", "other_staff": "staff",
        "organiser": "organiser"}


@pytest.fixture
def people(make_user):
    """The usual cast (CAST), UserRefs by name. ``staff`` and ``other_staff`` have the
    role but no booth yet."""
    return {name: make_user(role) for name, role in CAST.items()}


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


@pytest.fixture
def clients(people, client_for):
    """``clients[name]``: an ApiClient logged in as ``people[name]`` (all logged in before
    the test starts); ``clients["anon"]``: not logged in."""
    made = {name: client_for(person) for name, person in people.items()}
    made["anon"] = client_for(None)
    return made


class World:
    """The usual cast at two booths (see the ``world`` fixture)."""

    def __init__(self, people, booth, other_booth, connect):
        self.user = people
        self.booth = booth.room
        self.other_booth = other_booth.room
        self._connect = connect

    def connect(self, name, headers=None):
        """A new login of ``people[name]`` and a Socket.IO connection sharing it."""
        return self._connect(name, headers)


@pytest.fixture
def world(app, people, client_for, socket_client):
    """``people`` at two booths: "elektromobilitaet-sued-west" (``world.booth``, its chat
    room) staffed by ``staff``, "hydrogen-valley" (``world.other_booth``) staffed by
    ``other_staff``. ``world.user[name]``, ``world.connect(name, headers=None)``."""
    here = factories.booth(app, "elektromobilitaet-sued-west", staff=[people["staff"]])
    other = factories.booth(app, "hydrogen-valley", staff=[people["other_staff"]])
    return World(people, here, other,
                 lambda name, headers: socket_client(client_for(people[name]), headers=headers))

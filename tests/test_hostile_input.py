"""Property tests: whatever arrives at the JSON API, the answer is a clean 2xx or a
SPEC-shaped 4xx, never a 500, and a refused request changes nothing."""
from __future__ import annotations

import itertools
import json
import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests import factories as make

from .conftest import PASSWORD, ApiClient
from .hostile import NASTY_STRINGS, PROPERTY, PROPERTY_PER_ROUTE, assert_clean, assert_unchanged, bodies, snapshot

_unique = itertools.count()

emails = st.one_of(
    st.builds(lambda n: f"person{n}-{next(_unique)}@example.test", st.integers(0, 10 ** 6)),
    st.sampled_from(["", "a@b", "@example.test", "x@@example.test", "a b@example.test",
                     "A" * 300 + "@example.test", "attendee1@example.test"]),
)
REGISTER = {"email": emails, "password": st.sampled_from([PASSWORD, "short", "x" * 257, "p" * 8]),
            "display_name": st.sampled_from(["Ada", "", " ", "x" * 81, "<b>Ada</b>"]),
            "organisation": st.sampled_from(["Cluster", "", "o" * 121])}
PROFILE = {"display_name": st.sampled_from(["Grace", "", "g" * 81]),
           "organisation": st.sampled_from(["Org", "", "o" * 121]),
           "bio": st.sampled_from(["Hello", "", "b" * 2001]),
           "interests": st.sampled_from([["hydrogen"], [], ["x" * 41], ["a"] * 21, [1, 2]]),
           "visible_in_directory": st.sampled_from([True, False, "yes", 1]),
           "locale": st.sampled_from(["de", "en", "fr", "", "de-DE"]),
           "timezone": st.sampled_from(["Europe/Berlin", "UTC", "Mars/Olympus", "../../etc/localtime"])}
# Fields nobody may set through these routes (mass assignment).
PROTECTED = ["role", "email", "id", "password_hash", "is_organiser", "booth_slug", "created_at"]


def _once(app, key, make):
    """Something made once per test, shared by all of hypothesis's examples (the app
    fixture lives as long as the test, not one example)."""
    made = app.extensions.setdefault("hostile_once", {})
    if key not in made:
        made[key] = make()
    return made[key]


def _send(client: ApiClient, method: str, path: str, raw, content_type: str):
    return client._send(method, path, data=raw, headers={"Content-Type": content_type})


@PROPERTY
@given(body=bodies(REGISTER, PROTECTED, valid={
    "email": "new@example.test", "password": PASSWORD, "display_name": "Ada", "organisation": "Org"}))
def test_register_with_anything(app, make_user, body):
    _once(app, "user", lambda: make_user(email="attendee1@example.test"))
    client = ApiClient(app, app.test_client())
    before = snapshot(app)
    response = _send(client, "POST", "/api/auth/register", *body)
    assert_clean(response, "register")
    if response.status_code == 201:
        user = response.get_json()["user"]
        assert user["role"] == "attendee"
        assert client.get("/api/me").get_json()["user"]["id"] == user["id"]
    else:
        assert response.status_code in (400, 409, 413)
        assert_unchanged(before, snapshot(app), "register")
        assert client.get("/api/me").status_code == 401


@PROPERTY
@given(body=bodies({"email": emails, "password": st.sampled_from([PASSWORD, "", "x" * 300])},
                   valid={"email": "attendee1@example.test", "password": PASSWORD}))
def test_login_with_anything(app, make_user, body):
    _once(app, "user", lambda: make_user(email="attendee1@example.test"))
    client = ApiClient(app, app.test_client())
    before = snapshot(app)
    response = _send(client, "POST", "/api/auth/login", *body)
    assert_clean(response, "login")
    assert response.status_code in (200, 400, 401, 413, 429)
    assert_unchanged(before, snapshot(app), "login")
    if response.status_code != 200:
        assert client.get("/api/me").status_code == 401


@PROPERTY
@given(body=bodies(PROFILE, PROTECTED, valid={
    "display_name": "Grace", "bio": "Hi", "interests": ["hydrogen"], "timezone": "UTC", "locale": "de"}))
def test_patch_me_with_anything(app, make_user, client_for, body):
    user = _once(app, "user", make_user)
    client = _once(app, "client", lambda: client_for(user))
    before = snapshot(app)
    response = _send(client, "PATCH", "/api/me", *body)
    assert_clean(response, "PATCH /me")
    if response.status_code == 200:
        me = response.get_json()["user"]
        assert me["role"] == user.role and me["email"] == user.email and me["id"] == user.id
    else:
        assert response.status_code in (400, 413)
        assert_unchanged(before, snapshot(app), "PATCH /me")


@PROPERTY
@given(raw=st.binary(max_size=200))
def test_csrf_token_junk_is_refused_cleanly(app, make_user, raw):
    user = _once(app, "user", make_user)
    client = ApiClient(app, app.test_client())
    token = raw.decode("latin-1")
    before = snapshot(app)
    response = client.http.post("/api/auth/login", json={"email": user.email, "password": PASSWORD},
                                headers={"X-CSRFToken": token} if "\n" not in token and "\r" not in token else {})
    assert_clean(response, "csrf")
    if token != client.token:
        assert response.status_code == 403 and response.get_json()["error"]["code"] == "csrf"
    assert_unchanged(before, snapshot(app), "csrf")


@pytest.mark.parametrize("field", ["email", "password", "display_name", "organisation"])
def test_register_each_field_with_each_nasty_string(app, field):
    client = ApiClient(app, app.test_client())
    for n, nasty in enumerate(NASTY_STRINGS):
        body = {"email": f"n{n}@example.test", "password": PASSWORD, "display_name": "Ada", field: nasty}
        before = snapshot(app)
        response = client.post("/api/auth/register", json=body)
        assert_clean(response, f"register {field}={nasty[:20]!r}")
        if response.status_code == 201:
            assert client.post("/api/auth/logout").status_code == 204
        else:
            assert_unchanged(before, snapshot(app), f"register {field}={nasty[:20]!r}")


@pytest.mark.parametrize("field", sorted(PROFILE))
def test_patch_me_each_field_with_each_nasty_string(app, make_user, client_for, field):
    user = make_user()
    client = client_for(user)
    for nasty in NASTY_STRINGS + [[nasty] for nasty in NASTY_STRINGS]:
        before = snapshot(app)
        response = client.patch("/api/me", json={field: nasty})
        assert_clean(response, f"PATCH /me {field}={str(nasty)[:20]!r}")
        if response.status_code != 200:
            assert_unchanged(before, snapshot(app), f"PATCH /me {field}")


def test_login_with_each_nasty_string(app, make_user, anon):
    user = make_user()
    for nasty in NASTY_STRINGS:
        for body in ({"email": nasty, "password": PASSWORD}, {"email": user.email, "password": nasty}):
            response = anon.post("/api/auth/login", json=body)
            assert_clean(response, f"login {body!r:.60}")
            assert response.status_code in (400, 401, 429)


# -- Socket.IO payloads ---------------------------------------------------------------------

SOCKET_CODES = {"invalid", "forbidden", "not_found", "muted", "rate_limited", "too_large"}
SOCKET_VALID = {
    "join": {"room": "booth:hostile"},
    "leave": {"room": "booth:hostile"},
    "send": {"room": "booth:hostile", "body": "hello", "client_id": "c-1"},
    "history": {"room": "booth:hostile", "after_id": 0, "limit": 10},
    "typing": {"room": "booth:hostile"},
    "delete_message": {"id": 1},
    "mute": {"room": "booth:hostile", "user_id": 1, "minutes": 5},
}
ROOM_NAMES = ["lobby", "booth:", "booth:../../etc/passwd", "booth:' OR 1=1 --", "session:1e9", "session:-1",
              "session:" + "9" * 40, "dm:1:1", "dm:2:1", "dm:a:b", "dm:1:2:3", "user:1", "LOBBY", "booth:hostile\x00"]


def socket_args(event: str) -> st.SearchStrategy:
    from .hostile import junk, mutations
    valid = SOCKET_VALID[event]
    keyed = st.one_of(mutations(valid), st.builds(lambda r: {**valid, "room": r}, st.sampled_from(ROOM_NAMES)))
    return st.one_of(
        st.just(()),
        st.tuples(junk(valid)),
        st.tuples(keyed), st.tuples(keyed), st.tuples(keyed),
        st.tuples(st.just(valid), junk(valid)),
    )


@pytest.fixture
def hostile_socket(app, make_user, client_for, socket_client):
    app.config["CHAT_RATE_LIMIT"] = (0, 0)
    organiser = make_user("organiser")
    visitor = make_user()
    booth = make.booth(app, "hostile", name="Hostile")
    make.message(app, booth.room, visitor, "x", client_id="v-1")
    client = socket_client(client_for(organiser))
    assert client.is_connected()
    return client


@pytest.mark.parametrize("event", sorted(SOCKET_VALID))
def test_socket_events_with_anything(app, hostile_socket, event, caplog):
    @PROPERTY_PER_ROUTE
    @given(args=socket_args(event))
    def check(args):
        hostile_socket.emit("join", {"room": "booth:hostile"}, callback=True)
        before = snapshot(app)
        ack = hostile_socket.emit(event, *args, callback=True)
        assert hostile_socket.is_connected(), f"{event}{args!r:.200}: the connection was dropped"
        assert isinstance(ack, dict) and isinstance(ack.get("ok"), bool), f"{event}{args!r:.200}: ack {ack!r}"
        if not ack["ok"]:
            error = ack.get("error")
            assert set(ack) == {"ok", "error"} and isinstance(error, dict), ack
            assert error.get("code") in SOCKET_CODES and isinstance(error.get("message"), str), ack
            assert_unchanged(before, snapshot(app), f"{event}{args!r:.200}")
        hostile_socket.get_received()

    check()
    crashes = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert not crashes, f"{event}: a handler raised (caught, but a bug): {crashes[:3]}"


def test_socket_texts_with_each_nasty_string(app, hostile_socket, caplog):
    for n, nasty in enumerate(NASTY_STRINGS):
        for payload in ({"room": "booth:hostile", "body": nasty, "client_id": f"n-{n}"},
                        {"room": "booth:hostile", "body": "ok", "client_id": nasty},
                        {"room": nasty}, {"room": "booth:hostile", "before_id": nasty}):
            for event in ("send", "join", "history"):
                ack = hostile_socket.emit(event, payload, callback=True)
                assert isinstance(ack, dict) and (ack.get("ok") or ack["error"]["code"] in SOCKET_CODES), \
                    (event, payload, ack)
    for room in ROOM_NAMES + NASTY_STRINGS[:30]:
        for event in ("join", "history", "typing", "leave", "mute", "send"):
            payload = {**SOCKET_VALID[event], "room": room}
            ack = hostile_socket.emit(event, payload, callback=True)
            assert isinstance(ack, dict) and (ack.get("ok") or ack["error"]["code"] in SOCKET_CODES), \
                (event, payload, ack)
    assert not [e for e in hostile_socket.get_received() if e["name"] == "error"]
    crashes = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert not crashes, f"a handler raised (caught, but a bug): {crashes[:3]}"


# -- Every write route of the API, every path parameter, every query ---------------------------

from urllib.parse import quote  # noqa: E402

from .test_permission_matrix import ROUTES, cast, fresh_objects  # noqa: E402

WRITE_ROWS = [r for r in ROUTES if r.path.startswith("/api/") and r.method in ("POST", "PUT", "PATCH")
              and not r.fresh_login]
PATH_ROWS = [r for r in ROUTES if r.path.startswith("/api/") and "{" in r.path]
QUERY_KEYS = ["q", "topic", "from", "to", "track", "room", "interest", "before_id", "after_id", "limit", "page"]


@pytest.fixture
def organiser_world(app, people, client_for):
    """The permission matrix's people (the shared cast) and one set of its fresh objects."""
    return {"client": client_for(people["organiser"]), "objects": fresh_objects(app, cast(people))}


def test_every_write_route_with_anything(app, organiser_world):
    """One test over every write route (one app: the set-up is the slow part)."""
    from .hostile import junk, mutations

    client, objects = organiser_world["client"], organiser_world["objects"]
    urls = app.url_map.bind("localhost")
    for row in WRITE_ROWS:
        path = row.path.format(**objects)
        try:
            urls.match(path, method=row.method)
        except Exception:
            continue  # not served: test_every_route_is_in_the_matrix reports it
        valid = row.body(objects) if row.body else {}

        @PROPERTY_PER_ROUTE
        @given(data=st.data())
        def check(data):
            body = data.draw(st.one_of(mutations(valid) if valid else junk(), junk(list(valid)),
                                       st.builds(dict)), label="body")
            before = snapshot(app)
            response = client._send(row.method, path, data=json.dumps(body, allow_nan=True),
                                    headers={"Content-Type": "application/json"})
            assert_clean(response, f"{row.key} {json.dumps(body, allow_nan=True)[:200]}")
            if response.status_code >= 400:
                assert_unchanged(before, snapshot(app), row.key)

        check()


NASTY_SEGMENTS = ["..", "../../etc/passwd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "' OR '1'='1", "1; DROP TABLE users",
                  "0", "-1", "99999999999999999999999", "1e3", "null", "%00", "\u00e9l\u00e9ktro", "😀",
                  "a" * 500, "<script>", "%252e%252e"]


def test_every_path_parameter_with_hostile_values(app, organiser_world):
    import re as _re
    client = organiser_world["client"]
    before = snapshot(app)
    for row in PATH_ROWS:
        for nasty in NASTY_SEGMENTS:
            path = _re.sub(r"\{[a-z_0-9]+\}", quote(nasty, safe="%"), row.path)
            body = row.body(organiser_world["objects"]) if row.body else None
            response = client._send(row.method, path, json=body)
            assert_clean(response, f"{row.method} {path}")
            assert response.status_code in (400, 404, 405), (row.method, path, response.status_code)
    assert_unchanged(before, snapshot(app), "hostile path parameters")


def test_every_query_with_hostile_values(app, organiser_world):
    client = organiser_world["client"]
    gets = [r for r in ROUTES if r.method == "GET" and r.path.startswith("/api/")]
    for row in gets:
        path = row.path.format(**organiser_world["objects"])
        for nasty in NASTY_STRINGS[:40]:
            if "\ud800" in nasty or "\udfff" in nasty:
                continue
            query = "&".join(f"{k}={quote(nasty[:3000], safe='')}" for k in QUERY_KEYS)
            response = client.get(f"{path}?{query}")
            assert_clean(response, f"GET {path}?…={nasty[:30]!r}")

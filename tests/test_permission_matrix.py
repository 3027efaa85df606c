"""The permission matrix: every HTTP route × every role, with the expected outcome.

One table (``ROUTES``) names, for every route the app serves, what each role gets:
anonymous, an attendee, staff of *this* booth, staff of *another* booth, an organiser.
``test_every_route_is_in_the_matrix`` fails when a route is added without a row, so
nobody can add an endpoint without deciding who may call it.

Every cell runs on fresh objects (a new booth pair, session, meeting, message), with
a valid body, so a refusal can only come from the permission check; a refused
request must change nothing.
"""
from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from tests import factories as make

from .hostile import assert_clean, assert_unchanged, snapshot

ROLES = ("anon", "attendee", "staff_here", "staff_other", "organiser")

OK = "ok"             # 2xx
LOGIN = "login"       # API: 401 unauthenticated; page: redirect to /login
FORBIDDEN = "403"
DENY = "deny"         # 403 or 404 (not yours: hiding that it exists is fine too)
REDIRECT = "redirect"  # 3xx (anywhere on this site)
NOTFOUND = "404"


def every(outcome: str, **overrides: str) -> dict[str, str]:
    return {role: overrides.get(role, outcome) for role in ROLES}


def users_only(**overrides: str) -> dict[str, str]:
    return every(OK, anon=LOGIN, **overrides)


def organiser_only() -> dict[str, str]:
    return every(FORBIDDEN, anon=LOGIN, organiser=OK)


def booth_managers() -> dict[str, str]:
    return every(FORBIDDEN, anon=LOGIN, staff_here=OK, organiser=OK)


@dataclass
class Row:
    method: str
    path: str  # {booth} {other_booth} {session} {meeting} {message} {visitor} {staff_here} …
    expect: dict[str, str]
    body: Callable[[dict], dict] | None = None
    fresh_login: bool = False  # the request logs in/out: use a client of its own
    json: bool = True
    form: Callable[[dict], dict] | None = None

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"


def _meeting_body(o: dict) -> dict:
    start = datetime(2031, 1, 1, 9, tzinfo=UTC) + timedelta(hours=o["n"] * 3)
    return {"invitee_id": o["visitor2"], "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(minutes=30)).isoformat(), "note": "hi"}


def _session_body(o: dict) -> dict:
    start = datetime(2031, 2, 1, 8, tzinfo=UTC) + timedelta(hours=o["n"])
    return {"title": f"Talk {o['n']}", "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(minutes=30)).isoformat(), "room": f"Room {o['n']}",
            "track": "Green Deal", "speakers": ["Ada"], "abstract": "About it"}


def _schedule_json(o: dict) -> dict:
    return {"schedule": {"version": "1", "conference": {"title": "ECC", "days": [{
        "index": 1, "date": "2031-03-01", "rooms": {f"Import {o['n']}": [{
            "guid": f"guid-{o['n']}", "title": "Imported", "date": "2031-03-01T10:00:00+01:00",
            "start": "10:00", "duration": "00:30", "room": f"Import {o['n']}", "track": "T",
            "abstract": "", "persons": [{"public_name": "Ada"}]}]}}]}}}


ROUTES: list[Row] = [
    # accounts
    Row("GET", "/api/csrf", every(OK)),
    Row("POST", "/api/auth/register", every(OK), fresh_login=True,
        body=lambda o: {"email": f"new{o['n']}@example.test", "password": "correct-horse-9",
                        "display_name": "New"}),
    Row("POST", "/api/auth/login", every(OK), fresh_login=True, body=lambda o: {"own": True}),
    Row("POST", "/api/auth/logout", users_only(), fresh_login=True),
    Row("GET", "/api/me", users_only()),
    Row("PATCH", "/api/me", users_only(), body=lambda o: {"bio": "changed"}),
    # networking
    Row("GET", "/api/attendees", users_only()),
    Row("GET", "/api/me/matches", users_only()),
    Row("GET", "/api/me/meetings", users_only()),
    Row("POST", "/api/meetings", users_only(), body=_meeting_body),
    Row("GET", "/api/meetings/{meeting}", every(DENY, anon=LOGIN, attendee=OK, staff_here=OK)),
    Row("POST", "/api/meetings/{meeting}/accept", every(DENY, anon=LOGIN, staff_here=OK)),
    Row("POST", "/api/meetings/{meeting}/decline", every(DENY, anon=LOGIN, staff_here=OK)),
    Row("POST", "/api/meetings/{meeting}/cancel", every(DENY, anon=LOGIN, attendee=OK, staff_here=OK)),
    # admin
    Row("GET", "/api/admin/stats", organiser_only()),
    Row("GET", "/api/admin/stats.csv", organiser_only()),
    Row("GET", "/api/admin/users", organiser_only()),
    # booths
    Row("GET", "/api/booths", users_only()),
    Row("GET", "/api/booths/{booth}", users_only()),
    Row("POST", "/api/booths", organiser_only(), body=lambda o: {"name": f"New Booth {o['n']}"}),
    Row("PATCH", "/api/booths/{booth}", booth_managers(), body=lambda o: {"tagline": "changed"}),
    Row("DELETE", "/api/booths/{booth}", organiser_only()),
    Row("PUT", "/api/booths/{booth}/staff/{visitor2}", organiser_only()),
    Row("DELETE", "/api/booths/{booth}/staff/{staff_here}", organiser_only()),
    Row("POST", "/api/booths/{booth}/leads", users_only(), body=lambda o: {"note": "call me", "share_contact": True}),
    Row("GET", "/api/booths/{booth}/leads", booth_managers()),
    Row("GET", "/api/booths/{booth}/leads.csv", booth_managers()),
    Row("GET", "/api/booths/{booth}/stats", booth_managers()),
    # schedule
    Row("GET", "/api/sessions", users_only()),
    Row("GET", "/api/sessions/live", users_only()),
    Row("GET", "/api/sessions/{session}", users_only()),
    Row("POST", "/api/sessions", organiser_only(), body=_session_body),
    Row("PATCH", "/api/sessions/{session}", organiser_only(), body=lambda o: {"title": "Changed"}),
    Row("DELETE", "/api/sessions/{session}", organiser_only()),
    Row("POST", "/api/sessions/import", organiser_only(), body=_schedule_json),
    Row("GET", "/api/me/agenda", users_only()),
    Row("PUT", "/api/me/agenda/{session}", users_only()),
    Row("DELETE", "/api/me/agenda/{session}", users_only()),
    Row("GET", "/api/me/agenda.ics", users_only()),
    Row("GET", "/schedule.ics", every(OK)),
    # chat
    Row("GET", "/api/me/conversations", users_only()),
    Row("GET", "/messages", users_only()),
    Row("GET", "/messages/{visitor2}", users_only()),
    Row("POST", "/booths/{booth}/lead", every(REDIRECT, anon=LOGIN), json=False,
        form=lambda o: {"note": "call me", "share_contact": "1"}),
    # announcements
    Row("GET", "/api/announcements", users_only()),
    Row("POST", "/api/announcements", organiser_only(), body=lambda o: {"body": "Coffee break"}),
    # pages
    Row("GET", "/", every(OK)),
    Row("GET", "/booths", users_only()),
    Row("GET", "/booths/{booth}", users_only()),
    Row("GET", "/schedule", every(OK)),
    Row("GET", "/sessions/{session}", users_only()),
    Row("GET", "/attendees", users_only()),
    Row("GET", "/me", users_only()),
    Row("GET", "/admin", organiser_only()),
    Row("GET", "/admin/stats", organiser_only()),
    Row("GET", "/login", every(REDIRECT, anon=OK)),
    Row("POST", "/login", every(REDIRECT), fresh_login=True, json=False, form=lambda o: {"own": True}),
    Row("GET", "/register", every(OK)),
    Row("POST", "/register", every(REDIRECT), fresh_login=True, json=False,
        form=lambda o: {"email": f"form{o['n']}@example.test", "password": "correct-horse-9",
                        "display_name": "Form"}),
    Row("POST", "/logout", every(REDIRECT), fresh_login=True, json=False, form=lambda o: {}),
    Row("GET", "/healthz", every(OK)),
    Row("GET", "/static/js/app.js", every(OK)),
]

# Rules served by the app that are not API or pages of their own (none today).
NOT_ROUTES: set[str] = set()


def _rule_key(rule) -> list[str]:
    path = rule.rule
    for arg in rule.arguments:
        path = path.replace(f"<int:{arg}>", "{x}").replace(f"<{arg}>", "{x}").replace(f"<path:{arg}>", "{x}")
    return [f"{m} {path}" for m in sorted(rule.methods - {"HEAD", "OPTIONS"})]


def _row_key(row: Row) -> str:
    import re
    return f"{row.method} " + re.sub(r"\{[a-z_0-9]+\}", "{x}", row.path)


def test_every_route_is_in_the_matrix(app):
    served = {key for rule in app.url_map.iter_rules() for key in _rule_key(rule)}
    served.discard("GET /static/{x}")
    covered = {_row_key(row) for row in ROUTES}
    missing = sorted(served - covered - NOT_ROUTES)
    assert not missing, "routes without a row in the permission matrix:\n" + "\n".join(missing)
    gone = sorted(k for k in covered - served if not k.startswith("GET /static/"))
    assert not gone, "matrix rows for routes the app does not serve:\n" + "\n".join(gone)


# -- the people and objects every cell runs with ----------------------------------------------------------


# The matrix's roles, played by the suite's cast (the ``people`` fixture, tests/conftest.py):
# staff of this booth, staff of another booth, and a second attendee who writes the message.
CAST = {"attendee": "attendee", "staff_here": "staff", "staff_other": "other_staff", "organiser": "organiser",
        "visitor2": "attendee2"}


def cast(people, clients=None) -> dict:
    """The matrix's view of the shared cast: people (and their clients) by matrix role."""
    view = {"people": {role: people[name] for role, name in CAST.items()}, "counter": itertools.count(1)}
    if clients is not None:
        view["clients"] = {role: clients[CAST.get(role, role)] for role in ROLES}
    return view


@pytest.fixture
def roles(people, clients):
    return cast(people, clients)


def fresh_objects(app, roles) -> dict:
    """New booths (with their staff), a session, a pending meeting between the attendee
    and this booth's staff, and a message by visitor2 in this booth's chat."""
    n = next(roles["counter"])
    p = roles["people"]
    here = make.booth(app, f"here-{n}", name=f"Here {n}", tagline="", description="", topics=["hydrogen"],
                      staff=[p["staff_here"]])
    other = make.booth(app, f"other-{n}", name=f"Other {n}", tagline="", description="", topics=[],
                       staff=[p["staff_other"]])
    start = datetime(2030, 1, 1, 9, tzinfo=UTC) + timedelta(hours=n)
    session = make.session(app, f"Session {n}", abstract="", start=start, minutes=30, room=f"Room {n}", track="",
                           booth=here)
    meeting = make.meeting(app, p["attendee"], p["staff_here"], start=start, minutes=30, note="",
                           status="pending", video_room=f"matrix-{n}-video-room")
    message = make.message(app, here.room, p["visitor2"], "hello", client_id=f"matrix-{n}")
    return {"n": n, "booth": here.slug, "other_booth": other.slug, "session": session,
            "meeting": meeting, "message": message,
            **{name: ref.id for name, ref in p.items()}}


def _request(app, roles, row: Row, role: str, objects: dict):
    from .conftest import PASSWORD, ApiClient

    path = row.path.format(**objects)
    client = roles["clients"][role]
    if row.fresh_login:  # the request logs someone in or out: a client of its own
        client = ApiClient(app, app.test_client())
        if role != "anon":
            client.login(roles["people"][role].email)
    if row.json:
        body = row.body(objects) if row.body else None
        if body == {"own": True}:
            person = roles["people"].get(role) or roles["people"]["visitor2"]
            body = {"email": person.email, "password": PASSWORD}
        return client._send(row.method, path, json=body)
    form = row.form(objects) if row.form else {}
    if form == {"own": True}:
        person = roles["people"].get(role) or roles["people"]["visitor2"]
        form = {"email": person.email, "password": PASSWORD}
    form["csrf_token"] = client.token
    return client.http.open(path, method=row.method, data=form)


def _matches(response, outcome: str, is_api: bool) -> bool:
    status = response.status_code
    location = response.headers.get("Location", "")
    if outcome == OK:
        return 200 <= status < 300
    if outcome == LOGIN:
        return status == 401 if is_api else (status in (302, 303) and location.startswith("/login"))
    if outcome == FORBIDDEN:
        return status == 403
    if outcome == DENY:
        return status in (403, 404)
    if outcome == NOTFOUND:
        return status == 404
    if outcome == REDIRECT:
        return status in (302, 303) and location.startswith("/")
    raise AssertionError(outcome)


def test_the_permission_matrix(app, roles):
    served = {key for rule in app.url_map.iter_rules() for key in _rule_key(rule)}
    wrong = []
    for row, role in itertools.product(ROUTES, ROLES):
        if _row_key(row) not in served:
            continue  # reported by test_every_route_is_in_the_matrix
        objects = fresh_objects(app, roles)
        before = snapshot(app)
        response = _request(app, roles, row, role, objects)
        is_api = row.path.startswith("/api/")
        expected = row.expect[role]
        if is_api:
            try:
                assert_clean(response, row.key)
            except AssertionError as err:
                wrong.append(f"{row.key} as {role}: {err}")
                continue
        if not _matches(response, expected, is_api):
            body = response.get_data(as_text=True)[:160].replace("\n", " ")
            wrong.append(f"{row.key} as {role}: expected {expected}, got {response.status_code} "
                         f"{response.headers.get('Location', '')} {body}")
            continue
        if expected in (LOGIN, FORBIDDEN, DENY, NOTFOUND):  # refused: nothing may change
            try:
                assert_unchanged(before, snapshot(app), f"{row.key} as {role}")
            except AssertionError as err:
                wrong.append(str(err))
    assert not wrong, f"{len(wrong)} cells of the permission matrix are wrong:\n" + "\n".join(wrong)


# -- Socket.IO events × roles --------------------------------------------------------------

@dataclass
class SocketRow:
    event: str
    payload: Callable[[dict], object]
    expect: dict[str, str]  # per role but anon: "ok" or an error code
    joins: tuple[str, ...] = ()  # rooms (format keys) to join first; a refused join is fine

    @property
    def key(self) -> str:
        return f"{self.event} {self.payload({'booth': 'B', 'session': 'S', 'dm': 'D', 'message': 'M', 'visitor2': 'V'})}"


def sock(ok_roles: tuple[str, ...] = ("attendee", "staff_here", "staff_other", "organiser"),
         refused: str = "forbidden") -> dict[str, str]:
    return {role: ("ok" if role in ok_roles else refused) for role in ROLES if role != "anon"}


PARTICIPANTS = ("attendee", "staff_here")
MODERATORS = ("staff_here", "organiser")

SOCKET_EVENTS: list[SocketRow] = [
    SocketRow("join", lambda o: {"room": "lobby"}, sock()),
    SocketRow("join", lambda o: {"room": f"booth:{o['booth']}"}, sock()),
    SocketRow("join", lambda o: {"room": f"session:{o['session']}"}, sock()),
    SocketRow("join", lambda o: {"room": o["dm"]}, sock(PARTICIPANTS)),
    SocketRow("join", lambda o: {"room": "booth:no-such-booth"}, sock((), "not_found")),
    SocketRow("leave", lambda o: {"room": f"booth:{o['booth']}"}, sock(), joins=("booth:{booth}",)),
    SocketRow("send", lambda o: {"room": f"booth:{o['booth']}", "body": "hi", "client_id": "c1"}, sock(),
              joins=("booth:{booth}",)),
    SocketRow("send", lambda o: {"room": o["dm"], "body": "hi", "client_id": "c2"}, sock(PARTICIPANTS),
              joins=("{dm}",)),
    SocketRow("send", lambda o: {"room": f"booth:{o['booth']}", "body": "not joined", "client_id": "c3"},
              sock(())),
    SocketRow("history", lambda o: {"room": f"booth:{o['booth']}"}, sock()),
    SocketRow("history", lambda o: {"room": o["dm"]}, sock(PARTICIPANTS)),
    SocketRow("typing", lambda o: {"room": f"booth:{o['booth']}"}, sock(), joins=("booth:{booth}",)),
    SocketRow("typing", lambda o: {"room": o["dm"]}, sock(PARTICIPANTS), joins=("{dm}",)),
    SocketRow("delete_message", lambda o: {"id": o["message"]}, sock(MODERATORS)),
    # someone else's direct message: hidden from third parties; organisers moderate everything
    SocketRow("delete_message", lambda o: {"id": o["dm_message"]}, sock(("attendee", "organiser"), "not_found")
              | {"staff_here": "forbidden"}),
    SocketRow("mute", lambda o: {"room": f"booth:{o['booth']}", "user_id": o["visitor2"], "minutes": 5},
              sock(MODERATORS)),
    SocketRow("mute", lambda o: {"room": "lobby", "user_id": o["visitor2"], "minutes": 5}, sock(("organiser",))),
    SocketRow("mute", lambda o: {"room": f"session:{o['session']}", "user_id": o["visitor2"], "minutes": 5},
              sock(MODERATORS)),
]


def _socket_objects(app, roles) -> dict:
    """fresh_objects plus the attendee–staff_here direct room and a message the
    attendee wrote there."""
    from exhibition.realtime.rooms import Room

    objects = fresh_objects(app, roles)
    objects["dm"] = Room.dm_room(objects["attendee"], objects["staff_here"]).name
    objects["dm_message"] = make.message(app, objects["dm"], objects["attendee"], "psst",
                                         client_id=f"dm-{objects['n']}",  # old: no flood limit for the sends
                                         created_at=datetime.now(UTC) - timedelta(hours=1))
    return objects


def test_every_socket_event_is_in_the_matrix(app):
    from exhibition.extensions import socketio
    served = set(socketio.server.handlers.get("/", {})) - {"connect", "disconnect"}
    covered = {row.event for row in SOCKET_EVENTS}
    assert not served - covered, f"socket events without a matrix row: {sorted(served - covered)}"
    assert not covered - served, f"matrix rows for events the server does not handle: {sorted(covered - served)}"


def test_anonymous_sockets_are_refused(app, roles, socket_client):
    client = socket_client(roles["clients"]["anon"])
    assert not client.is_connected()


def test_the_socket_permission_matrix(app, roles, socket_client):
    wrong = []
    for row, role in itertools.product(SOCKET_EVENTS, [r for r in ROLES if r != "anon"]):
        objects = _socket_objects(app, roles)
        client = socket_client(roles["clients"][role])
        assert client.is_connected(), role
        for room in row.joins:
            client.emit("join", {"room": room.format(**objects)}, callback=True)
        before = snapshot(app)
        ack = client.emit(row.event, row.payload(objects), callback=True)
        client.disconnect()
        expected = row.expect[role]
        got = "ok" if isinstance(ack, dict) and ack.get("ok") is True else \
            (ack.get("error", {}).get("code") if isinstance(ack, dict) else repr(ack))
        if got != expected:
            wrong.append(f"{row.event} {row.payload(objects)} as {role}: expected {expected}, got {ack}")
        elif expected != "ok":
            try:
                assert_unchanged(before, snapshot(app), f"{row.event} as {role}")
            except AssertionError as err:
                wrong.append(str(err))
    assert not wrong, f"{len(wrong)} socket cells are wrong:\n" + "\n".join(wrong)

"""Two real server processes (eventlet) on one PostgreSQL database and one Redis
message queue, as in production behind a proxy (SPEC §3 scale-out):

- a chat message sent through process A reaches a client of process B, in order;
- an announcement posted through A reaches clients of B;
- presence (admin online_now, a booth's visitors_now, join's ``present``) agrees on both;
- a database query that waits does not freeze the process: other clients' chat goes on;
- after SIGKILL of B, A keeps serving and B's presence entries drop out.

Uses its own database and Redis db (tests/e2e/pgredis.py); runs once per CI run."""
from __future__ import annotations

import json
import threading
import time
from datetime import UTC

import pytest
import requests
import socketio

from .livesrv import LiveServer, cookie_header, handle_events_in_wire_order, http_login, raw_socket, until
from .pgredis import DATABASE_URL, connect, fresh_database, fresh_redis

pytestmark = [pytest.mark.e2e, pytest.mark.sqlite_only]

BOOTH = "elektromobilitaet-sued-west"
PRESENCE_TTL = 3
USERS = [{"email": "ann@example.test", "name": "Ann", "role": "attendee"},
         {"email": "bob@example.test", "name": "Bob", "role": "attendee"},
         {"email": "cat@example.test", "name": "Cat", "role": "attendee"},
         {"email": "sam@example.test", "name": "Sam Staff", "role": "attendee"},
         {"email": "org@example.test", "name": "Olga Organiser", "role": "organiser"}]


def add_booth_with_staff(slug: str, staff_email: str) -> None:
    """The booth the presence test visits, and its staff member (straight into the database)."""
    conn = connect()
    with conn, conn.cursor() as cur:
        cur.execute("INSERT INTO booths (slug, name, tagline, description, topics, website, video_url, "
                    "logo_url, created_at) VALUES (%s, %s, '', '', '[]', '', '', '', now()) RETURNING id",
                    (slug, "Cluster Elektromobilität Süd-West"))
        booth_id = cur.fetchone()[0]
        cur.execute("UPDATE users SET role = 'staff' WHERE email = %s RETURNING id", (staff_email,))
        cur.execute("INSERT INTO booth_staff (booth_id, user_id) VALUES (%s, %s)", (booth_id, cur.fetchone()[0]))
    conn.close()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    database, queue = fresh_database(), fresh_redis()
    env = {"DATABASE_URL": database, "SOCKETIO_MESSAGE_QUEUE": queue, "PRESENCE_TTL": str(PRESENCE_TTL),
           "CHAT_RATE_LIMIT": "0", "REMINDER_INTERVAL": "0.5"}
    a = LiveServer(tmp_path_factory.mktemp("process-a"), users=USERS, demo=False, env=env).start()
    add_booth_with_staff(BOOTH, "sam@example.test")
    b = LiveServer(tmp_path_factory.mktemp("process-b"), users=USERS, demo=False, env=env).start()
    yield a, b
    for server in (a, b):
        server.stop()
    for server in (a, b):
        assert server.errors_in_log() == [], server.log()


class Person:
    """A logged-in person with one Socket.IO connection to one process."""

    def __init__(self, server: LiveServer, email: str, login_at: LiveServer | None = None):
        self.http = http_login((login_at or server).url, email)
        self.server = server
        self.events: dict[str, list] = {"message": [], "announcement": [], "presence": [], "session_starting": []}
        self.arrived = threading.Condition()
        self.sio = socketio.Client(reconnection=False)
        for name in self.events:
            self.sio.on(name, self._recorder(name))
        self.sio.connect(server.url, headers={"Cookie": cookie_header(self.http)}, transports=["websocket"], wait_timeout=10)
        handle_events_in_wire_order(self.sio)

    def _recorder(self, name):
        def record(payload):
            with self.arrived:
                self.events[name].append(payload)
                self.arrived.notify_all()
        return record

    def wait_for(self, name: str, predicate, timeout: float = 10) -> list:
        with self.arrived:
            self.arrived.wait_for(lambda: predicate(self.events[name]), timeout=timeout)
            return list(self.events[name])

    def call(self, event: str, payload: dict) -> dict:
        return self.sio.call(event, payload, timeout=10)

    def close(self) -> None:
        if self.sio.connected:
            self.sio.disconnect()


@pytest.fixture
def connected(closing):
    """connected(server, email, login_at=None) -> a Person connected to that process; closed after the test."""
    return lambda server, email, login_at=None: closing(Person(server, email, login_at))


def online_now(server: LiveServer, organiser: requests.Session) -> int:
    response = organiser.get(server.url + "/api/admin/stats", timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["online_now"]



def test_a_message_through_one_process_reaches_clients_of_the_other_in_order(cluster, connected):
    a, b = cluster
    ann = connected(a, "ann@example.test")
    bob = connected(b, "bob@example.test", login_at=a)  # the session cookie is valid on both
    assert ann.call("join", {"room": "lobby"})["ok"]
    assert bob.call("join", {"room": "lobby"})["ok"]
    sent = []
    for i in range(20):
        ack = ann.call("send", {"room": "lobby", "body": f"scale-out {i}", "client_id": f"so-{i}"})
        assert ack["ok"], ack
        sent.append(ack["message"]["id"])
    received = bob.wait_for("message", lambda ms: len([m for m in ms if m["client_id"].startswith("so-")]) >= 20)
    mine = [m for m in received if m["client_id"].startswith("so-")]
    assert [m["id"] for m in mine] == sent
    assert [m["body"] for m in mine] == [f"scale-out {i}" for i in range(20)]
    # and the other way round
    ack = bob.call("send", {"room": "lobby", "body": "back from B", "client_id": "from-b"})
    assert ack["ok"], ack
    got = ann.wait_for("message", lambda ms: any(m["client_id"] == "from-b" for m in ms))
    assert [m["id"] for m in got if m["client_id"] == "from-b"] == [ack["message"]["id"]]


def test_an_announcement_through_one_process_reaches_clients_of_the_other(cluster, connected):
    a, b = cluster
    bob = connected(b, "bob@example.test")
    cat = connected(b, "cat@example.test")
    organiser = http_login(a.url, "org@example.test")
    response = organiser.post(a.url + "/api/announcements", json={"body": "Keynote in 5 minutes"}, timeout=10)
    assert response.status_code == 201, response.text
    posted = response.json()
    for person in (bob, cat):
        got = person.wait_for("announcement", lambda items: any(i["id"] == posted["id"] for i in items))
        assert [i for i in got if i["id"] == posted["id"]] == [posted]


def test_presence_agrees_on_both_processes(cluster, connected):
    a, b = cluster
    organiser = http_login(a.url, "org@example.test")
    organiser_b = http_login(b.url, "org@example.test")
    before = online_now(a, organiser)
    ann = connected(a, "ann@example.test")
    bob = connected(b, "bob@example.test")
    assert until(lambda: online_now(a, organiser) == before + 2)
    assert online_now(b, organiser_b) == online_now(a, organiser) == before + 2

    first = ann.call("join", {"room": f"booth:{BOOTH}"})
    assert first["ok"], first
    second = bob.call("join", {"room": f"booth:{BOOTH}"})
    assert second["ok"], second
    assert {u["display_name"] for u in second["present"]} >= {"Ann", "Bob"}
    ann.wait_for("presence", lambda ps: any(p["user"]["display_name"] == "Bob" and p["status"] == "joined"
                                            for p in ps))
    assert any(p["user"]["display_name"] == "Bob" and p["room"] == f"booth:{BOOTH}"
               for p in ann.events["presence"])
    sam = connected(b, "sam@example.test")  # the booth's staff, online through B
    assert until(lambda: online_now(a, organiser) == before + 3)
    booth_a = organiser.get(f"{a.url}/api/booths/{BOOTH}", timeout=10)
    booth_b = organiser_b.get(f"{b.url}/api/booths/{BOOTH}", timeout=10)
    assert booth_a.status_code == booth_b.status_code == 200, (booth_a.text, booth_b.text)
    assert booth_a.json()["visitors_now"] == booth_b.json()["visitors_now"] == 2
    assert [s["online"] for s in booth_a.json()["staff"]] == [s["online"] for s in booth_b.json()["staff"]] == [True]
    listed = {b_["slug"]: b_ for b_ in organiser.get(f"{a.url}/api/booths", timeout=10).json()["booths"]}
    assert listed[BOOTH]["staff_online"] == 1 and listed[BOOTH]["visitors_now"] == 2
    sam.close()
    assert until(lambda: online_now(b, organiser_b) == before + 2)
    assert organiser.get(f"{a.url}/api/booths/{BOOTH}", timeout=10).json()["staff"][0]["online"] is False

    # Bob's second tab on A, then his tab on B closes: he is still in the booth
    bob_again = connected(a, "bob@example.test")
    assert bob_again.call("join", {"room": f"booth:{BOOTH}"})["ok"]
    bob.close()
    assert until(lambda: online_now(b, organiser_b) == before + 2)
    booth_b = organiser_b.get(f"{b.url}/api/booths/{BOOTH}", timeout=10).json()
    assert booth_b["visitors_now"] == 2
    assert not any(p["user"]["display_name"] == "Bob" and p["status"] == "left" for p in ann.events["presence"])
    bob_again.close()
    assert until(lambda: online_now(b, organiser_b) == before + 1)
    ann.wait_for("presence", lambda ps: any(p["user"]["display_name"] == "Bob" and p["status"] == "left"
                                            for p in ps))


def chat_flows_while_a_query_waits(server: LiveServer, connected) -> None:
    """One request waits in PostgreSQL (for a table lock this test holds) while two
    other clients of the same process chat: their message arrives while the request
    is still waiting (an ordering check). With a blocking driver the process's one
    hub would stand still and the send would never be acknowledged."""
    ann = connected(server, "ann@example.test")
    bob = connected(server, "bob@example.test")
    assert ann.call("join", {"room": "lobby"})["ok"] and bob.call("join", {"room": "lobby"})["ok"]
    reader = http_login(server.url, "cat@example.test")
    lock = connect(server.extra_env["DATABASE_URL"])
    outcome: dict = {}
    try:
        with lock.cursor() as cur:
            cur.execute("LOCK TABLE announcements IN ACCESS EXCLUSIVE MODE")

        def slow_request():
            outcome["status"] = reader.get(server.url + "/api/announcements", timeout=60).status_code

        waiting = threading.Thread(target=slow_request)
        waiting.start()
        probe = connect(server.extra_env["DATABASE_URL"])
        probe.autocommit = True
        try:
            def request_waits_for_lock():
                with probe.cursor() as cur:
                    cur.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                "AND query ILIKE '%%from announcements%%' AND datname = current_database()")
                    return cur.fetchone()[0] > 0
            assert until(request_waits_for_lock, timeout=20), "the request never reached the database"
        finally:
            probe.close()
        ack = ann.call("send", {"room": "lobby", "body": "while the query waits", "client_id": "nb-1"})
        assert ack["ok"], ack
        got = bob.wait_for("message", lambda ms: any(m["client_id"] == "nb-1" for m in ms))
        assert any(m["client_id"] == "nb-1" for m in got)
        assert waiting.is_alive() and "status" not in outcome  # still waiting in PostgreSQL
    finally:
        lock.rollback()
        lock.close()
    waiting.join(30)
    assert outcome.get("status") == 200


class WireWatcher:
    """Reads one connection's frames in the order the server wrote them (a raw
    Engine.IO websocket). python-socketio's client hands each event to a new thread, so
    the order its handlers run in says nothing about the order on the wire."""

    def __init__(self, server: LiveServer, email: str, room: str, login_at: LiveServer):
        self.ws = raw_socket(server, cookie_header(http_login(login_at.url, email)), timeout=10)
        self.ws.send('420["join",' + json.dumps({"room": room}) + "]")
        self.messages: list[dict] = []
        self.joined = threading.Event()
        self.closed = False
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()
        assert self.joined.wait(10)

    def _read(self) -> None:
        while not self.closed:
            try:
                frame = self.ws.recv()
            except Exception:
                return
            if frame == "2":
                self.ws.send("3")
            elif frame.startswith("430"):
                self.joined.set()
            elif frame.startswith('42["message",'):
                self.messages.append(json.loads(frame[2:])[1])

    def close(self) -> None:
        self.closed = True
        self.ws.close()


def test_concurrent_senders_on_both_processes_share_one_order(cluster, connected):
    """Three senders on each process at once, one room: a connection on each process
    gets every message once, in one increasing id order (each batch of sends holds the
    room's advisory lock from its INSERT until its broadcast is on the queue, and every
    emit goes through the queue)."""
    a, b = cluster
    room = "lobby"
    watchers = [WireWatcher(a, "org@example.test", room, login_at=a),
                WireWatcher(b, "org@example.test", room, login_at=a)]
    senders = [connected(server, email, login_at=a) for server in (a, b)
               for email in ("ann@example.test", "bob@example.test", "cat@example.test")]
    for sender in senders:
        assert sender.call("join", {"room": room})["ok"]
    each, acked, failures = 25, [], []

    def send_all(n: int, sender: Person) -> None:
        for i in range(each):
            ack = sender.call("send", {"room": room, "body": f"burst {n}.{i}", "client_id": f"burst-{n}-{i}"})
            (acked if ack.get("ok") else failures).append(ack)

    threads = [threading.Thread(target=send_all, args=(n, s)) for n, s in enumerate(senders)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert failures == [] and len(acked) == each * len(senders)
        expected = sorted(ack["message"]["id"] for ack in acked)
        for watcher in watchers:
            assert until(lambda: len([m for m in watcher.messages if m["client_id"].startswith("burst-")])
                         >= len(expected), timeout=15)
            ids = [m["id"] for m in watcher.messages if m["client_id"].startswith("burst-")]
            assert ids == expected  # all, once, in id order
    finally:
        for watcher in watchers:
            watcher.close()


def test_session_starting_goes_out_once_with_two_processes(cluster, connected):
    """Both processes run the reminder loop (every 0.5 s here); the person's connections
    on A and on B each get the reminder exactly once."""
    from datetime import datetime, timedelta

    a, b = cluster
    on_a = connected(a, "cat@example.test")
    on_b = connected(b, "cat@example.test", login_at=a)
    organiser = http_login(a.url, "org@example.test")
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=4)
    created = organiser.post(a.url + "/api/sessions", timeout=10, json={
        "title": "Reminder across processes", "room": "Hall R",
        "starts_at": start.isoformat(), "ends_at": (start + timedelta(minutes=30)).isoformat()})
    assert created.status_code == 201, created.text
    session_id = created.json()["id"]
    favourite = on_a.http.put(f"{a.url}/api/me/agenda/{session_id}", timeout=10)
    assert favourite.status_code in (200, 201, 204), favourite.text
    for connection in (on_a, on_b):
        connection.wait_for("session_starting", lambda items: any(i["id"] == session_id for i in items))
    time.sleep(3)  # six more ticks in each process
    for connection in (on_a, on_b):
        assert [i["id"] for i in connection.events["session_starting"]].count(session_id) == 1


def test_logging_out_through_one_process_closes_the_sockets_on_the_other(cluster, connected):
    a, b = cluster
    bob_on_b = connected(b, "bob@example.test", login_at=a)
    bob_on_a = connected(a, "bob@example.test", login_at=a)
    cat_on_b = connected(b, "cat@example.test", login_at=a)
    response = bob_on_a.http.post(a.url + "/api/auth/logout", timeout=10)
    assert response.status_code == 204, response.text
    assert until(lambda: not bob_on_b.sio.connected and not bob_on_a.sio.connected, timeout=10)
    assert cat_on_b.sio.connected  # only that person's sockets


def test_a_waiting_database_query_does_not_freeze_an_eventlet_process(cluster, connected):
    chat_flows_while_a_query_waits(cluster[0], connected)


def test_a_waiting_database_query_does_not_freeze_a_gevent_process(tmp_path, connected):
    database = fresh_database(DATABASE_URL + "_gevent")
    server = LiveServer(tmp_path, users=USERS, demo=False,
                        env={"DATABASE_URL": database, "SOCKETIO_ASYNC_MODE": "gevent"}).start()
    try:
        chat_flows_while_a_query_waits(server, connected)
    finally:
        server.stop()
    assert server.errors_in_log() == [], server.log()


def test_after_one_process_dies_the_other_serves_and_its_presence_expires(cluster, connected):
    a, b = cluster
    organiser = http_login(a.url, "org@example.test")
    before = online_now(a, organiser)
    ann = connected(a, "ann@example.test")
    cat = connected(b, "cat@example.test")
    assert cat.call("join", {"room": "lobby"})["ok"]
    assert until(lambda: online_now(a, organiser) == before + 2)
    b.kill()
    cat.sio.disconnect()
    assert requests.get(a.url + "/healthz", timeout=10).json() == {"status": "ok"}
    # Cat's entries on the dead process expire within the TTL (bound generously)
    assert until(lambda: online_now(a, organiser) == before + 1, timeout=10 * PRESENCE_TTL)
    joined = ann.call("join", {"room": "lobby"})
    assert joined["ok"]
    assert "Cat" not in {u["display_name"] for u in joined["present"]}
    ack = ann.call("send", {"room": "lobby", "body": "still here", "client_id": "after-kill"})
    assert ack["ok"], ack

"""The chat end to end: a real server process (eventlet) and python-socketio clients."""
from __future__ import annotations

import threading
import time
import uuid

import pytest

socketio = pytest.importorskip("socketio")

from .conftest import E2E_BOOTH, cookie_header, login  # noqa: E402
from .livesrv import handle_events_in_wire_order  # noqa: E402

pytestmark = [pytest.mark.e2e, pytest.mark.sqlite_only]

BOOTH = f"booth:{E2E_BOOTH}"
WAIT = 10  # seconds: a generous bound for a delivery to arrive, not a performance assertion


class Person:
    """One python-socketio connection of a logged-in person, recording what arrives."""

    def __init__(self, server, key: str):
        self.server = server
        self.http = login(server, key)
        self.sio = socketio.Client(reconnection=False)
        self.received: list[tuple[str, dict]] = []
        self.arrived = threading.Condition()
        for event in ("message", "message_deleted", "presence", "typing", "muted", "announcement"):
            self.sio.on(event, self._recorder(event))

    def _recorder(self, event):
        def record(payload):
            with self.arrived:
                self.received.append((event, payload))
                self.arrived.notify_all()
        return record

    def connect(self) -> Person:
        self.sio.connect(self.server.url, headers={"Cookie": cookie_header(self.http)},
                         transports=["websocket"], wait_timeout=10)
        handle_events_in_wire_order(self.sio)
        return self

    def call(self, event: str, payload) -> dict:
        return self.sio.call(event, payload, timeout=WAIT)

    def send(self, room: str, body: str, client_id: str | None = None) -> dict:
        return self.call("send", {"room": room, "body": body, "client_id": client_id or uuid.uuid4().hex})

    def wait_for(self, event: str, predicate, count: int = 1) -> list[dict]:
        deadline = time.monotonic() + WAIT
        with self.arrived:
            while True:
                found = [p for e, p in self.received if e == event and predicate(p)]
                if len(found) >= count or time.monotonic() > deadline:
                    return found
                self.arrived.wait(0.1)

    def messages(self, room: str) -> list[dict]:
        return [p for e, p in self.received if e == "message" and p["room"] == room]

    def close(self) -> None:
        if self.sio.connected:
            self.sio.disconnect()


@pytest.fixture
def connected(chat_server, closing):
    """connected(key) -> that person of CHAT_PEOPLE, logged in and connected; closed after the test."""
    return lambda key: closing(Person(chat_server, key).connect())


def test_two_people_exchange_messages_in_a_booth(connected):
    anna, staff = connected("anna"), connected("staff")
    assert anna.call("join", {"room": BOOTH})["ok"]
    assert staff.call("join", {"room": BOOTH})["ok"]
    question = anna.send(BOOTH, "Do you have a battery test lab?")
    assert question["ok"]
    answer = staff.send(BOOTH, "Yes, in Karlsruhe. Shall we meet?")
    assert answer["ok"]
    ids = {question["message"]["id"], answer["message"]["id"]}
    for person in (anna, staff):
        got = person.wait_for("message", lambda m: m["id"] in ids, count=2)
        assert {m["id"] for m in got} == ids
    third = connected("carla")
    stored = third.call("history", {"room": BOOTH, "after_id": question["message"]["id"] - 1})["messages"]
    assert [(m["id"], m["body"]) for m in stored[:2]] == [
        (question["message"]["id"], "Do you have a battery test lab?"),
        (answer["message"]["id"], "Yes, in Karlsruhe. Shall we meet?")]


def test_a_reconnecting_client_catches_up_exactly_what_it_missed(chat_server, connected):
    room = "lobby"
    ben, dora = connected("ben"), connected("dora")
    ben.call("join", {"room": room})
    dora.call("join", {"room": room})
    seen = dora.send(room, "before the gap")["message"]
    assert ben.wait_for("message", lambda m: m["id"] == seen["id"])
    last_seen = max(m["id"] for m in ben.messages(room))
    ben.close()
    missed = [dora.send(room, f"while you were away {i}")["message"] for i in range(5)]
    assert all(m["id"] > last_seen for m in missed)
    back = Person(chat_server, "ben").connect()
    try:
        assert back.call("join", {"room": room})["ok"]
        caught_up = back.call("history", {"room": room, "after_id": last_seen})["messages"]
        assert [m["id"] for m in caught_up] == [m["id"] for m in missed]
        assert [m["body"] for m in caught_up] == [f"while you were away {i}" for i in range(5)]
    finally:
        back.close()


def test_the_eleventh_message_in_ten_seconds_is_refused_while_others_can_send(connected):
    room = BOOTH
    emil, anna = connected("emil"), connected("anna")
    emil.call("join", {"room": room})
    anna.call("join", {"room": room})
    answers = [emil.send(room, f"flood {i}") for i in range(11)]
    assert all(a["ok"] for a in answers[:10])
    assert answers[10] == {"ok": False, "error": {"code": "rate_limited", "message": answers[10]["error"]["message"]}}
    assert anna.send(room, "I can still talk")["ok"]
    recent = anna.call("history", {"room": room, "limit": 100})["messages"]
    assert "flood 10" not in [m["body"] for m in recent]
    assert [m["body"] for m in recent].count("flood 9") == 1


def test_every_bad_payload_gets_its_code_and_the_connection_keeps_working(connected):
    carla = connected("carla")
    cases = [
        ("join", "lobby", "invalid"), ("join", {"room": "booth:no-such-booth"}, "not_found"),
        ("join", {"room": "dm:1:1"}, "invalid"), ("join", {"room": 7}, "invalid"),
        ("send", {"room": "lobby", "body": "not joined", "client_id": "nj"}, "forbidden"),
        ("leave", [1, 2], "invalid"), ("typing", None, "invalid"),
        ("history", {"room": "lobby", "limit": 101}, "invalid"),
        ("delete_message", {"id": 10 ** 9}, "not_found"), ("delete_message", {"id": "x"}, "invalid"),
        ("mute", {"room": "lobby", "user_id": 1, "minutes": 5}, "forbidden"),
        ("mute", "please", "invalid"),
    ]
    for event, payload, code in cases:
        answer = carla.call(event, payload)
        assert answer["ok"] is False and answer["error"]["code"] == code, (event, payload, answer)
    assert carla.call("join", {"room": "lobby"})["ok"]
    for body, code in (("", "invalid"), ("   ", "invalid"), (None, "invalid"), (5, "invalid"),
                       ("x" * 2001, "too_large")):
        assert carla.call("send", {"room": "lobby", "body": body, "client_id": uuid.uuid4().hex})["error"]["code"] == code
    assert carla.sio.connected
    assert carla.send("lobby", "still here")["ok"]


def test_same_client_id_again_returns_the_stored_message(connected):
    anna = connected("anna")
    anna.call("join", {"room": "lobby"})
    first = anna.send("lobby", "only once", client_id="e2e-same-id")
    again = anna.send("lobby", "only once", client_id="e2e-same-id")
    assert again == first
    history = anna.call("history", {"room": "lobby", "limit": 100})["messages"]
    assert [m["client_id"] for m in history].count("e2e-same-id") == 1


def test_unauthenticated_connection_is_refused(chat_server):
    client = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(chat_server.url, transports=["websocket"], wait_timeout=10)
    assert not client.connected


def test_foreign_origin_is_refused(chat_server):
    http = login(chat_server, "anna")
    client = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(chat_server.url, headers={"Cookie": cookie_header(http), "Origin": "https://evil.example"},
                       transports=["polling"], wait_timeout=10)


def test_no_tracebacks_in_the_server_log(chat_server):
    assert chat_server.errors_in_log() == []

"""What a send must look like (SPEC §5): message bodies, payloads of every event, client
ids (a resend with the same client id is not stored twice) and the flood limit.
The cast and booths: the ``world`` fixture (tests/conftest.py)."""
from __future__ import annotations

import pytest

from tests.chat_helpers import ack, events, fill, stored

BAD_PAYLOADS = [None, "booth:x", 42, ["lobby"], True]
ALL_EVENTS = ["join", "leave", "send", "history", "typing", "delete_message", "mute"]


# ---------------------------------------------------------------- body and payload rules

@pytest.mark.parametrize("body, code", [
    ("", "invalid"), ("   \n\t ", "invalid"), (None, "invalid"), (42, "invalid"), (["a"], "invalid"),
    ({"t": "x"}, "invalid"), ("x" * 2001, "too_large"), ("\x00", "invalid"),
])
def test_bad_bodies_get_their_code_and_store_nothing(app, world, body, code):
    c = world.connect("attendee")
    ack(c, "join", {"room": world.booth})
    payload = {"room": world.booth, "client_id": "b"}
    if body is not None:
        payload["body"] = body
    assert ack(c, "send", payload)["error"]["code"] == code
    assert stored(app) == []
    assert ack(c, "send", {"room": world.booth, "body": "still works", "client_id": "ok"})["ok"]


def test_body_of_exactly_2000_characters_after_trimming_is_fine(world):
    c = world.connect("attendee")
    ack(c, "join", {"room": world.booth})
    answer = ack(c, "send", {"room": world.booth, "body": "  " + "é" * 2000 + "  ", "client_id": "long"})
    assert answer["ok"] and len(answer["message"]["body"]) == 2000


def test_markup_is_stored_as_sent(world):
    c = world.connect("attendee")
    ack(c, "join", {"room": world.booth})
    body = "<script>alert(1)</script> & <b>bold</b>"
    assert ack(c, "send", {"room": world.booth, "body": body, "client_id": "m"})["message"]["body"] == body


@pytest.mark.parametrize("client_id", ["", "   ", 5, ["a"], "x" * 101])
def test_bad_client_ids_are_invalid(world, client_id):
    c = world.connect("attendee")
    ack(c, "join", {"room": world.booth})
    assert ack(c, "send", {"room": world.booth, "body": "hi", "client_id": client_id})["error"]["code"] == "invalid"


def test_missing_client_id_gets_one_from_the_server(world):
    c = world.connect("attendee")
    ack(c, "join", {"room": world.booth})
    message = ack(c, "send", {"room": world.booth, "body": "hi"})["message"]
    assert isinstance(message["client_id"], str) and message["client_id"]


@pytest.mark.parametrize("event", ALL_EVENTS)
@pytest.mark.parametrize("payload", BAD_PAYLOADS)
def test_non_object_payloads_are_invalid_and_the_connection_keeps_working(world, event, payload):
    c = world.connect("attendee")
    answer = ack(c, event, payload)
    assert answer["ok"] is False and answer["error"]["code"] == "invalid"
    assert c.is_connected()
    assert ack(c, "join", {"room": world.booth})["ok"]


@pytest.mark.parametrize("event", ALL_EVENTS)
def test_no_payload_at_all_is_invalid(world, event):
    c = world.connect("attendee")
    assert ack(c, event)["error"]["code"] == "invalid"


# ---------------------------------------------------------------- idempotency

def test_same_client_id_returns_the_stored_message_and_broadcasts_nothing(app, world):
    a, b = world.connect("attendee"), world.connect("attendee2")
    for c in (a, b):
        ack(c, "join", {"room": world.booth})
    first = ack(a, "send", {"room": world.booth, "body": "once", "client_id": "same"})["message"]
    a.get_received(), b.get_received()
    again = ack(a, "send", {"room": world.booth, "body": "once", "client_id": "same"})
    assert again == {"ok": True, "message": first}
    assert events(a, "message") == [] and events(b, "message") == []
    assert len(stored(app)) == 1


def test_client_ids_are_per_sender(app, world):
    a, b = world.connect("attendee"), world.connect("attendee2")
    for c in (a, b):
        ack(c, "join", {"room": world.booth})
    assert ack(a, "send", {"room": world.booth, "body": "a", "client_id": "same"})["ok"]
    assert ack(b, "send", {"room": world.booth, "body": "b", "client_id": "same"})["message"]["body"] == "b"
    assert len(stored(app)) == 2


# ---------------------------------------------------------------- flood

def test_eleventh_message_in_ten_seconds_is_refused_and_not_stored(app, world):
    a, b = world.connect("attendee"), world.connect("attendee2")
    ack(a, "join", {"room": world.booth})
    ack(b, "join", {"room": world.booth})
    for i in range(10):
        assert ack(a, "send", {"room": world.booth, "body": f"{i}", "client_id": f"r{i}"})["ok"]
    assert ack(a, "send", {"room": world.booth, "body": "11th", "client_id": "r10"})["error"]["code"] == "rate_limited"
    assert "11th" not in [body for _, body, _ in stored(app)]
    assert ack(b, "send", {"room": world.booth, "body": "me too", "client_id": "b"})["ok"]
    ack(a, "join", {"room": "lobby"})
    assert ack(a, "send", {"room": "lobby", "body": "other room", "client_id": "lob"})["ok"]


def test_rate_limit_can_be_switched_off(app, world):
    app.config["CHAT_RATE_LIMIT"] = (0, 0)
    assert len(fill(world.connect("attendee"), world.booth, 15)) == 15

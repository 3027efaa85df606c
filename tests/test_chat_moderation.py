"""Chat moderation over Flask-SocketIO's test client (SPEC §5), by role: deleting messages
and muting people — the author, this booth's staff, organisers may; other attendees and
another booth's staff may not; lobby and direct rooms are the organisers'. The cast and
booths: the ``world`` fixture (tests/conftest.py)."""
from __future__ import annotations

import pytest

from tests import factories as make
from tests.chat_helpers import ack, dm, events, session_room, stored

# ---------------------------------------------------------------- delete

def _one_message(world, author="attendee"):
    c = world.connect(author)
    ack(c, "join", {"room": world.booth})
    return c, ack(c, "send", {"room": world.booth, "body": "to delete", "client_id": "d"})["message"]


@pytest.mark.parametrize("who, allowed", [
    ("attendee", True), ("staff", True), ("organiser", True), ("attendee2", False), ("other_staff", False),
])
def test_delete_permissions(world, who, allowed):
    author, message = _one_message(world)
    actor = author if who == "attendee" else world.connect(who)
    watcher = world.connect("attendee2") if who != "attendee2" else world.connect("organiser")
    ack(watcher, "join", {"room": world.booth})
    watcher.get_received()
    answer = ack(actor, "delete_message", {"id": message["id"]})
    history = ack(author, "history", {"room": world.booth})["messages"]
    if allowed:
        assert answer == {"ok": True}
        assert events(watcher, "message_deleted") == [{"id": message["id"], "room": world.booth}]
        assert history[0]["deleted"] is True and history[0]["body"] is None
    else:
        assert answer["error"]["code"] == "forbidden"
        assert events(watcher, "message_deleted") == []
        assert history[0]["deleted"] is False and history[0]["body"] == "to delete"


@pytest.mark.parametrize("payload, code", [({"id": 99999}, "not_found"), ({"id": "1"}, "invalid"), ({}, "invalid")])
def test_delete_bad_ids(world, payload, code):
    assert ack(world.connect("organiser"), "delete_message", payload)["error"]["code"] == code


def test_dm_messages_cannot_be_deleted_by_outsiders_but_by_organisers(world):
    a = world.connect("attendee")
    room = dm(world.user["attendee"], world.user["staff"])
    ack(a, "join", {"room": room})
    message = ack(a, "send", {"room": room, "body": "x", "client_id": "dd"})["message"]
    assert ack(world.connect("attendee2"), "delete_message", {"id": message["id"]})["error"]["code"] == "not_found"
    assert ack(world.connect("organiser"), "delete_message", {"id": message["id"]}) == {"ok": True}


def test_session_room_linked_to_a_booth_is_moderated_by_its_staff(app, world):
    room = session_room(make.session(app, booth="elektromobilitaet-sued-west"))
    c = world.connect("attendee")
    ack(c, "join", {"room": room})
    message = ack(c, "send", {"room": room, "body": "q", "client_id": "s"})["message"]
    assert ack(world.connect("other_staff"), "delete_message", {"id": message["id"]})["error"]["code"] == "forbidden"
    assert ack(world.connect("staff"), "delete_message", {"id": message["id"]}) == {"ok": True}


# ---------------------------------------------------------------- mute

@pytest.mark.parametrize("who, allowed", [
    ("staff", True), ("organiser", True), ("attendee2", False), ("other_staff", False),
])
def test_mute_permissions_and_effect(app, world, who, allowed):
    target = world.connect("attendee")
    ack(target, "join", {"room": world.booth})
    target.get_received()
    answer = ack(world.connect(who), "mute", {"room": world.booth, "user_id": world.user["attendee"].id,
                                              "minutes": 10})
    send = ack(target, "send", {"room": world.booth, "body": "let me talk", "client_id": "mm"})
    if allowed:
        assert answer == {"ok": True}
        muted = events(target, "muted")
        assert len(muted) == 1 and muted[0]["room"] == world.booth and "T" in muted[0]["until"]
        assert send["error"]["code"] == "muted"
        assert stored(app) == []
    else:
        assert answer["error"]["code"] == "forbidden"
        assert send["ok"]


def test_mute_is_per_room(app, world):
    session = session_room(make.session(app))
    target = world.connect("attendee")
    ack(world.connect("staff"), "mute", {"room": world.booth, "user_id": world.user["attendee"].id, "minutes": 5})
    ack(target, "join", {"room": session})
    assert ack(target, "send", {"room": session, "body": "elsewhere", "client_id": "e"})["ok"]


@pytest.mark.parametrize("extra, code", [
    ({"minutes": 0}, "invalid"), ({"minutes": 100000}, "invalid"), ({"minutes": "5"}, "invalid"),
    ({"user_id": "1"}, "invalid"), ({"user_id": 99999}, "not_found"), ({"room": "booth:none"}, "not_found"),
])
def test_mute_bad_arguments(world, extra, code):
    payload = {"room": world.booth, "user_id": world.user["attendee"].id, "minutes": 5, **extra}
    assert ack(world.connect("organiser"), "mute", payload)["error"]["code"] == code


def test_staff_cannot_mute_organisers_but_organisers_can_mute_staff(world):
    payload = {"room": world.booth, "minutes": 5}
    staff, organiser = world.connect("staff"), world.connect("organiser")
    assert ack(staff, "mute", {**payload, "user_id": world.user["organiser"].id})["error"]["code"] == "forbidden"
    assert ack(organiser, "mute", {**payload, "user_id": world.user["staff"].id}) == {"ok": True}


def test_lobby_and_dm_are_moderated_by_organisers_only(world):
    payload = {"room": "lobby", "user_id": world.user["attendee"].id, "minutes": 5}
    assert ack(world.connect("staff"), "mute", payload)["error"]["code"] == "forbidden"
    assert ack(world.connect("organiser"), "mute", payload) == {"ok": True}

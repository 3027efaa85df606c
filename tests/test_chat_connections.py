"""Chat connections over Flask-SocketIO's test client (SPEC §5): who may connect (login,
origin), presence in rooms and online, typing, and open sockets whose person is logged
out everywhere or deleted. The cast and booths: the ``world`` fixture (tests/conftest.py)."""
from __future__ import annotations

import pytest

from exhibition.extensions import db
from tests.chat_helpers import ack, events, stored

# ---------------------------------------------------------------- connecting

def test_unauthenticated_connection_is_refused(socket_client):
    assert not socket_client(None).is_connected()


def test_logged_in_connection_is_accepted(world):
    assert world.connect("attendee").is_connected()


@pytest.mark.parametrize("origin", ["https://evil.example", "http://localhost.evil.example"])
def test_foreign_origin_is_refused(world, origin):
    assert not world.connect("attendee", headers={"Origin": origin}).is_connected()


def test_same_origin_is_accepted(world):
    assert world.connect("attendee", headers={"Origin": "http://localhost"}).is_connected()


def test_origin_listed_in_cors_origins_is_accepted(app, world):
    app.config["CORS_ORIGINS"] = ["https://partner.example"]
    assert world.connect("attendee", headers={"Origin": "https://partner.example"}).is_connected()
    assert not world.connect("attendee", headers={"Origin": "https://evil.example"}).is_connected()
    # same origin stays allowed when CORS_ORIGINS is set
    assert world.connect("attendee", headers={"Origin": "http://localhost"}).is_connected()


# ---------------------------------------------------------------- presence and typing

def test_presence_joined_and_left_and_tabs(world):
    staff, visitor = world.connect("staff"), world.connect("attendee")
    ack(staff, "join", {"room": world.booth})
    staff.get_received()
    ack(visitor, "join", {"room": world.booth})
    joined = events(staff, "presence")
    assert joined == [{"room": world.booth, "user": joined[0]["user"], "status": "joined"}]
    assert joined[0]["user"]["id"] == world.user["attendee"].id
    second_tab = world.connect("attendee")
    ack(second_tab, "join", {"room": world.booth})
    assert events(staff, "presence") == []  # the person was already here
    ack(visitor, "leave", {"room": world.booth})
    assert events(staff, "presence") == []  # still here in another tab
    second_tab.disconnect()
    left = events(staff, "presence")
    assert [(p["user"]["id"], p["status"]) for p in left] == [(world.user["attendee"].id, "left")]
    present = ack(world.connect("organiser"), "join", {"room": world.booth})["present"]
    assert {u["id"] for u in present} == {world.user["staff"].id, world.user["organiser"].id}


def test_typing_goes_to_the_others_not_to_the_typist(world):
    a, b = world.connect("attendee"), world.connect("staff")
    for c in (a, b):
        ack(c, "join", {"room": world.booth})
        c.get_received()
    assert ack(a, "typing", {"room": world.booth}) == {"ok": True}
    assert events(a, "typing") == []
    typing = events(b, "typing")
    assert len(typing) == 1 and typing[0]["room"] == world.booth
    assert typing[0]["user"]["id"] == world.user["attendee"].id
    assert ack(world.connect("attendee2"), "typing", {"room": world.booth})["error"]["code"] == "forbidden"


def test_online_presence_follows_connections(world):
    from exhibition.realtime.presence import is_online
    c = world.connect("attendee")
    assert is_online(world.user["attendee"].id)
    c.disconnect()
    assert not is_online(world.user["attendee"].id)


def test_disconnect_local_closes_that_persons_connections(world):
    from exhibition.realtime.presence import is_online
    from exhibition.realtime.publishing import disconnect_local
    mine, theirs = world.connect("attendee"), world.connect("attendee2")
    assert disconnect_local(world.user["attendee"].id) == 1
    assert not is_online(world.user["attendee"].id) and is_online(world.user["attendee2"].id)
    assert theirs.is_connected()
    assert not mine.is_connected()


def test_a_deleted_account_on_an_open_socket_gets_a_contract_error(world, app):
    """SPEC §5 lists the socket error codes; "unauthenticated" is not one of them."""
    from exhibition.accounts.models import User
    sock = world.connect("attendee")
    assert ack(sock, "join", {"room": "lobby"})["ok"]
    with app.app_context():
        db.session.delete(db.session.get(User, world.user["attendee"].id))
        db.session.commit()
    for event, payload in (("send", {"room": "lobby", "body": "still here?", "client_id": "gone-1"}),
                           ("history", {"room": "lobby"}), ("typing", {"room": "lobby"})):
        answer = ack(sock, event, payload)
        assert answer["ok"] is False and answer["error"]["code"] == "forbidden", (event, answer)
    assert stored(app) == []

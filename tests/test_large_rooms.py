"""Large rooms (SPEC §5): the join ack lists at most 100 people, the booth's staff first,
and says how many are there (`present_count`); in a room of more than 100, `presence` is
sent only for the booth's staff and every member gets a coalesced `presence_count`
instead, at most once per interval. The interval's clock is injected: no sleeping.

The crowd: 150 people in ``world.booth`` (its staff member ``staff`` and 149 attendees),
each with a Socket.IO test client of their own."""
from __future__ import annotations

import pytest

from exhibition.realtime import presence
from tests import factories as make
from tests.chat_helpers import ack, events

CROWD = 150


class Clock:
    """The coalescer's clock: tests move it on instead of waiting."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(presence.counts, "clock", fake)
    assert presence.LARGE_ROOM == 100 and presence.COUNT_INTERVAL == 2.0  # the contract's figures
    return fake


@pytest.fixture
def person_socket(app, client_for, socket_client):
    """person_socket(user) -> a logged-in socket of that person."""
    return lambda user: socket_client(client_for(user))


@pytest.fixture
def crowd(app, world, person_socket, clock):
    """150 people in the booth room: its staff member first, then 149 attendees. Returns
    their sockets (staff first), with everything they received so far forgotten."""
    sockets = [world.connect("staff")]
    for i in range(CROWD - 1):
        sockets.append(person_socket(make.user(app, name=f"Visitor {i:03d}")))
    for s in sockets:
        assert ack(s, "join", {"room": world.booth})["ok"]
    for s in sockets:
        s.get_received()
    return sockets


def counts_received(client, room):
    return [e["count"] for e in events(client, "presence_count") if e["room"] == room]


def test_the_151st_gets_100_present_staff_first_and_the_count(app, world, crowd, person_socket):
    newcomer = make.user(app, name="Aaron Early")  # sorts before every visitor
    answer = ack(person_socket(newcomer), "join", {"room": world.booth})
    assert answer["ok"] and answer["present_count"] == CROWD + 1
    present = answer["present"]
    assert len(present) == 100
    assert present[0]["id"] == world.user["staff"].id  # the booth's staff first
    assert newcomer.id in {u["id"] for u in present}  # the joiner sees themselves
    assert len({u["id"] for u in present}) == 100
    assert set(present[0]) >= {"id", "display_name", "role"}


def test_below_the_threshold_everyone_is_listed_and_announced(world, clock):
    staff, visitor = world.connect("staff"), world.connect("attendee")
    first = ack(staff, "join", {"room": world.booth})
    assert first["present_count"] == 1 and [u["id"] for u in first["present"]] == [world.user["staff"].id]
    staff.get_received()
    answer = ack(visitor, "join", {"room": world.booth})
    assert answer["present_count"] == 2
    assert [u["id"] for u in answer["present"]] == [world.user["staff"].id, world.user["attendee"].id]
    received = staff.get_received()
    assert [e["name"] for e in received] == ["presence"]  # no presence_count in a small room


def test_a_visitor_joining_a_large_room_is_counted_not_announced(app, world, crowd, person_socket, clock):
    staff, visitor = crowd[0], crowd[1]
    # The crowd's joins already sent the count once (the 101st) and left the room owed one.
    clock.advance(2.0)
    newcomers = [person_socket(make.user(app)) for _ in range(5)]
    ack(newcomers[0], "join", {"room": world.booth})  # the interval has passed: sent now
    for s in newcomers[1:]:
        ack(s, "join", {"room": world.booth})  # within the interval: coalesced
    for member in (staff, visitor):
        received = member.get_received()
        assert [e["name"] for e in received] == ["presence_count"]
        assert received[0]["args"][0] == {"room": world.booth, "count": CROWD + 1}
    clock.advance(1.0)
    assert presence.counts.flush_due() == 0  # not yet
    assert counts_received(visitor, world.booth) == []
    clock.advance(1.0)
    assert presence.counts.flush_due() == 1  # what the four others changed, once
    assert counts_received(visitor, world.booth) == [CROWD + 5]
    assert counts_received(staff, world.booth) == [CROWD + 5]
    assert counts_received(newcomers[-1], world.booth) == [CROWD + 5]
    clock.advance(10.0)
    assert presence.counts.flush_due() == 0  # nothing changed since: nothing sent


def test_a_burst_of_joins_costs_a_handful_of_counts(app, world, crowd, person_socket, clock):
    observer = crowd[1]
    sockets = [person_socket(make.user(app)) for _ in range(60)]
    for i, s in enumerate(sockets):
        if i % 20 == 0:
            clock.advance(1.0)  # 60 joins over 3 s
        ack(s, "join", {"room": world.booth})
    clock.advance(2.0)
    presence.counts.flush_due()
    received = observer.get_received()
    assert {e["name"] for e in received} == {"presence_count"}  # not one presence event
    assert 1 <= len(received) <= 3
    assert received[-1]["args"][0]["count"] == CROWD + 60


def test_staff_are_still_announced_in_a_large_room(app, world, crowd, person_socket, clock):
    second = make.user(app, "staff", name="Second Staff", booth="elektromobilitaet-sued-west")
    visitor = crowd[1]
    sock = person_socket(second)
    clock.advance(2.0)
    ack(sock, "join", {"room": world.booth})
    received = visitor.get_received()
    joined = [e["args"][0] for e in received if e["name"] == "presence"]
    assert [(p["user"]["id"], p["status"]) for p in joined] == [(second.id, "joined")]
    assert counts_received_from(received, world.booth) == [CROWD + 1]
    sock.disconnect()  # a staff member's departure is announced too
    left = events(visitor, "presence")
    assert [(p["user"]["id"], p["status"]) for p in left] == [(second.id, "left")]


def test_a_visitor_leaving_a_large_room_is_not_announced(world, crowd, clock):
    leaver, observer = crowd[-1], crowd[1]
    clock.advance(2.0)
    assert ack(leaver, "leave", {"room": world.booth}) == {"ok": True}
    received = observer.get_received()
    assert [e["name"] for e in received] == ["presence_count"]
    assert received[0]["args"][0]["count"] == CROWD - 1
    clock.advance(2.0)
    crowd[-2].disconnect()
    presence.counts.flush_due()
    assert counts_received(observer, world.booth) == [CROWD - 2]


def test_a_session_room_linked_to_a_booth_puts_that_booths_staff_first(app, world, person_socket, clock,
                                                                       monkeypatch):
    monkeypatch.setattr(presence, "LARGE_ROOM", 3)  # settable: a large room of a few people
    talk = f"session:{make.session(app, booth='elektromobilitaet-sued-west')}"
    visitors = [person_socket(make.user(app, name=f"A{i}")) for i in range(4)]
    for s in visitors:
        ack(s, "join", {"room": talk})
    for s in visitors:
        s.get_received()
    staff = world.connect("staff")
    answer = ack(staff, "join", {"room": talk})
    assert answer["present_count"] == 5 and answer["present"][0]["id"] == world.user["staff"].id
    joined = events(visitors[0], "presence")
    assert [p["user"]["id"] for p in joined] == [world.user["staff"].id]


def counts_received_from(received, room):
    return [e["args"][0]["count"] for e in received if e["name"] == "presence_count" and e["args"][0]["room"] == room]

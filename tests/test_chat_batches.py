"""Sending in batches (chat/sending.py): every item of one batch gets its own answer —
new, duplicate (of a stored message or of an earlier item in the batch), muted, refused
by the database — the batch's new messages are broadcast in id order, and nothing is
answered before the commit. Also: the sender identity a message carries follows a
change of name."""
from __future__ import annotations

import pytest

from exhibition.chat import sending, services
from exhibition.chat.models import Message
from exhibition.chat.senders import Sender
from exhibition.errors import Invalid, Muted
from exhibition.extensions import db
from exhibition.realtime.rooms import Room
from tests import factories as make
from tests.chat_helpers import ack


@pytest.fixture
def published(monkeypatch):
    out = []
    monkeypatch.setattr(sending, "publish", lambda event, payload, room=None, skip_sid=None:
                        out.append((event, payload["id"], room)))
    return out


def outgoing(person, room, body, client_id):
    return sending.OutgoingMessage(Sender(person.id, person.display_name, person.role),
                                   Room.parse(room), body, client_id)


def stored_rows(app):
    with app.app_context():
        return [(m.sender_id, m.room, m.body, m.client_id) for m in db.session.query(Message).order_by(Message.id)]


def test_each_item_of_a_batch_gets_its_own_answer(app, people, published):
    booth = make.booth(app, "hydrogen-valley").room
    a, b = people["attendee"], people["attendee2"]
    with app.app_context():
        before, _ = sending.send_message(db.session.get(_user_model(), a.id), "lobby", "earlier", "old")
        services.mute(db.session.get(_user_model(), people["organiser"].id), "lobby", b.id, 5)
        batch = [outgoing(a, "lobby", "one", "k1"),
                 outgoing(b, "lobby", "muted here", "k2"),
                 outgoing(a, "lobby", "one, sent twice", "k1"),
                 outgoing(b, booth, "not muted at the booth", "k3"),
                 outgoing(a, "lobby", "retry of the earlier one", "old")]
        published.clear()
        sending.write_batch(batch)
    one, muted, twice, at_booth, retry = batch
    assert one.result[1] is False and one.result[0]["body"] == "one"
    assert isinstance(muted.error, Muted) and muted.result is None
    assert twice.result == (one.result[0], True)
    assert at_booth.result[1] is False and at_booth.result[0]["room"] == booth
    assert retry.result[1] is True and retry.result[0]["id"] == before["id"] and retry.result[0]["body"] == "earlier"
    assert [p for p in published if p[0] == "message"] == [
        ("message", one.result[0]["id"], "lobby"), ("message", at_booth.result[0]["id"], booth)]
    assert one.result[0]["id"] < at_booth.result[0]["id"]
    assert stored_rows(app) == [(a.id, "lobby", "earlier", "old"), (a.id, "lobby", "one", "k1"),
                                (b.id, booth, "not muted at the booth", "k3")]


def test_a_muted_retry_of_a_stored_message_gets_the_stored_message(app, people, published):
    a = people["attendee"]
    with app.app_context():
        first, _ = sending.send_message(db.session.get(_user_model(), a.id), "lobby", "hello", "c1")
        services.mute(db.session.get(_user_model(), people["organiser"].id), "lobby", a.id, 5)
        retry = outgoing(a, "lobby", "hello", "c1")
        sending.write_batch([retry])
    assert retry.error is None and retry.result == (first, True)


def test_a_message_the_database_refuses_fails_alone(app, people, published):
    a, b = people["attendee"], people["attendee2"]
    batch = [outgoing(a, "lobby", "first", "g1"), outgoing(b, "lobby", None, "bad"),  # NOT NULL body
             outgoing(b, "lobby", "third", "g3")]
    with app.app_context():
        sending.write_batch(batch)
    good1, bad, good3 = batch
    assert isinstance(bad.error, Invalid) and bad.result is None
    assert good1.result[1] is False and good3.result[1] is False
    assert [p[1] for p in published] == sorted([good1.result[0]["id"], good3.result[0]["id"]])
    assert [row[2] for row in stored_rows(app)] == ["first", "third"]


def test_nothing_is_answered_or_broadcast_when_the_commit_fails(app, people, published, monkeypatch):
    a = people["attendee"]
    item = outgoing(a, "lobby", "never stored", "x1")
    real_store = sending._store

    def failing_commit(conn, batch):
        monkeypatch.setattr(conn, "commit", lambda: (_ for _ in ()).throw(RuntimeError("disk full")))
        return real_store(conn, batch)

    monkeypatch.setattr(sending, "_store", failing_commit)
    with app.app_context():
        group = app.extensions["chat_group_commit"]
        group.submit(item)
    assert item.result is None and isinstance(item.error, RuntimeError)
    assert published == [] and stored_rows(app) == []


def test_a_new_name_shows_on_the_next_message(app, people, client_for, socket_client):
    api = client_for(people["attendee"])
    sock = socket_client(api)
    assert ack(sock, "join", {"room": "lobby"})["ok"]
    first = ack(sock, "send", {"room": "lobby", "body": "hi", "client_id": "n1"})
    assert first["message"]["sender"]["display_name"] == people["attendee"].display_name
    assert api.patch("/api/me", json={"display_name": "Anna B."}).status_code == 200
    second = ack(sock, "send", {"room": "lobby", "body": "hi again", "client_id": "n2"})
    assert second["message"]["sender"]["display_name"] == "Anna B."


def _user_model():
    from exhibition.accounts.models import User
    return User

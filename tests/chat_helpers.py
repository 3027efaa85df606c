"""Helpers for the chat tests: room names, acks, received events and stored messages.
Booths, sessions, people and messages come from tests/factories.py (straight in the
database, so the chat tests do not depend on the booth and schedule APIs)."""
from __future__ import annotations

from exhibition.extensions import db


def session_room(session_id: int) -> str:
    return f"session:{session_id}"


def dm(a, b) -> str:
    low, high = sorted((a.id, b.id))
    return f"dm:{low}:{high}"


def ack(client, event, *payload):
    """Emit and return the ack."""
    return client.emit(event, *payload, callback=True)


def events(client, name):
    """Payloads of the received events called ``name`` (and forget all received)."""
    out = []
    for item in client.get_received():
        if item["name"] == name:
            args = item["args"]
            # the test client unwraps the payload of an event called "message"
            out.append(args if name == "message" else args[0])
    return out


def stored(app):
    """Every stored message as (room, body, client_id), oldest first."""
    from exhibition.chat.models import Message
    with app.app_context():
        return [(m.room, m.body, m.client_id) for m in db.session.query(Message).order_by(Message.id)]


def fill(client, room, n):
    """Join ``room`` and send n messages m0…m(n-1); their ids."""
    ack(client, "join", {"room": room})
    return [ack(client, "send", {"room": room, "body": f"m{i}", "client_id": f"f{i}"})["message"]["id"]
            for i in range(n)]

"""The message object of the contract (docs/api/socketio.md, `message`)."""
from __future__ import annotations

from datetime import datetime

from exhibition.chat.models import Message
from exhibition.chat.senders import Sender
from exhibition.runtime.clock import isoformat


def message_payload(*, id: int, room: str, body: str, deleted: bool, sender: Sender,
                    created_at: datetime, client_id: str) -> dict:
    """The message object (docs/api/socketio.md); a deleted message has body null."""
    return {
        "id": id,
        "room": room,
        "body": None if deleted else body,
        "sender": sender.as_dict(),
        "created_at": isoformat(created_at),
        "client_id": client_id,
        "deleted": bool(deleted),
    }


def serialise(message: Message) -> dict:
    """A stored message as the message object (docs/api/socketio.md)."""
    return message_payload(id=message.id, room=message.room, body=message.body, deleted=message.deleted,
                           sender=Sender.of(message.sender), created_at=message.created_at,
                           client_id=message.client_id)

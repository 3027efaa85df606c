"""Chat rules: rooms, sending, history, deletion, muting. Knows nothing of Socket.IO."""
from __future__ import annotations

from sqlalchemy import func, select

from ..extensions import db
from .models import Message


def count_messages(room: str) -> int:
    """Messages ever sent in a room (deleted ones included), for the figures."""
    return db.session.scalar(select(func.count()).select_from(Message).where(Message.room == room)) or 0

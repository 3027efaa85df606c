from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from exhibition.extensions import db
from exhibition.runtime.clock import utcnow
from exhibition.runtime.columns import UTCDateTime


class Message(db.Model):
    """A chat message in a room (lobby, booth:<slug>, session:<id>, dm:<a>:<b>).
    Ids grow with time, so ordering by id within a room is the order of sending."""

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("sender_id", "client_id", name="uq_messages_sender_client"),
        Index("ix_messages_room_id", "room", "id"),
        # The flood limit counts a person's recent messages in a room.
        Index("ix_messages_sender_room_created", "sender_id", "room", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    room: Mapped[str] = mapped_column(String(100))
    sender_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    client_id: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)

    sender = relationship("User", lazy="joined")


class Mute(db.Model):
    """Someone may not send in a room until ``until``."""

    __tablename__ = "mutes"
    __table_args__ = (UniqueConstraint("room", "user_id", name="uq_mutes_room_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    room: Mapped[str] = mapped_column(String(100))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    until: Mapped[datetime] = mapped_column(UTCDateTime)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from exhibition.extensions import db
from exhibition.runtime.clock import utcnow
from exhibition.runtime.columns import UTCDateTime


class Session(db.Model):
    """A talk, panel or booth tour in the programme. ``guid`` ties it to an imported
    frab/pretalx schedule so a re-import updates instead of duplicating."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guid: Mapped[str | None] = mapped_column(String(100), unique=True, nullable=True)
    title: Mapped[str] = mapped_column(String(300))
    abstract: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    room: Mapped[str] = mapped_column(String(120), default="", index=True)
    track: Mapped[str] = mapped_column(String(120), default="")
    speakers: Mapped[list] = mapped_column(JSON, default=list)
    booth_id: Mapped[int | None] = mapped_column(ForeignKey("booths.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    booth = relationship("Booth", lazy="joined")
    # Deleting a session: the database removes its favourites and its reminder
    # (ON DELETE CASCADE); passive_deletes leaves that to it instead of loading them.
    reminder = relationship("SessionReminder", uselist=False, cascade="all, delete-orphan",
                            passive_deletes=True)

    def rearm_reminder(self) -> None:
        """A new start time re-arms the ``session_starting`` reminder: the row that
        says it was sent goes (delete-orphan), so the new start is announced again."""
        self.reminder = None


class Favourite(db.Model):
    """A session in a person's agenda."""

    __tablename__ = "favourites"
    __table_args__ = (UniqueConstraint("user_id", "session_id", name="uq_favourites_user_session"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SessionReminder(db.Model):
    """The `session_starting` push for a session has been sent (or is being sent).

    One row per session at most: the process whose INSERT wins sends the reminder,
    every other process gets an IntegrityError and sends nothing. Changing a
    session's start time deletes the row, so the new start is announced again."""

    __tablename__ = "session_reminders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), unique=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the start time announced
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from exhibition.extensions import db
from exhibition.runtime.clock import utcnow
from exhibition.runtime.columns import UTCDateTime

MEETING_STATUSES = ("pending", "accepted", "declined", "cancelled")


class Meeting(db.Model):
    """A one-to-one meeting one person asked another for. ``video_room`` is an
    unguessable room name at the video service; the link is shown only to the two."""

    __tablename__ = "meetings"
    __table_args__ = (
        Index("ix_meetings_requester_starts", "requester_id", "starts_at"),
        Index("ix_meetings_invitee_starts", "invitee_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    invitee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text, default="")
    booth_id: Mapped[int | None] = mapped_column(ForeignKey("booths.id", ondelete="SET NULL"), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    video_room: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    requester = relationship("User", foreign_keys=[requester_id], lazy="joined")
    invitee = relationship("User", foreign_keys=[invitee_id], lazy="joined")
    booth = relationship("Booth", lazy="joined")

    @property
    def video_url(self) -> str:
        """The meeting's video link (MEETING_VIDEO_BASE_URL + room)."""
        base = current_app.config.get("MEETING_VIDEO_BASE_URL") or "https://meet.jit.si/"
        if not base.endswith("/"):
            base += "/"
        return base + self.video_room

    def involves(self, user_id: int) -> bool:
        return user_id in (self.requester_id, self.invitee_id)

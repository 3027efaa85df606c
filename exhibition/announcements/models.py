from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from exhibition.extensions import db
from exhibition.runtime.clock import isoformat, utcnow
from exhibition.runtime.columns import UTCDateTime


class Announcement(db.Model):
    """A note from the organisers, shown on every page."""

    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    def to_dict(self) -> dict:
        return {"id": self.id, "body": self.body, "created_at": isoformat(self.created_at)}

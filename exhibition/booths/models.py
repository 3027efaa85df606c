from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from exhibition.extensions import db
from exhibition.runtime.clock import utcnow
from exhibition.runtime.columns import UTCDateTime


class Booth(db.Model):
    """A cluster's virtual stand in the hall."""

    __tablename__ = "booths"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(120))
    tagline: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown, rendered sanitised
    topics: Mapped[list] = mapped_column(JSON, default=list)
    website: Mapped[str] = mapped_column(String(500), default="")
    video_url: Mapped[str] = mapped_column(String(500), default="")
    logo_url: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # Deleting a booth: the database removes its staff links, visits and leads
    # (ON DELETE CASCADE), and detaches its sessions and meetings (SET NULL).
    staff = relationship("BoothStaff", back_populates="booth", cascade="all, delete-orphan",
                         passive_deletes=True)


class BoothStaff(db.Model):
    """A person staffing a booth."""

    __tablename__ = "booth_staff"
    __table_args__ = (UniqueConstraint("booth_id", "user_id", name="uq_booth_staff_booth_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    booth_id: Mapped[int] = mapped_column(ForeignKey("booths.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)

    booth = relationship("Booth", back_populates="staff")
    user = relationship("User", lazy="joined")


class Lead(db.Model):
    """A visitor who left their contact details at a booth (with consent)."""

    __tablename__ = "leads"
    __table_args__ = (UniqueConstraint("booth_id", "user_id", name="uq_leads_booth_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    booth_id: Mapped[int] = mapped_column(ForeignKey("booths.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user = relationship("User", lazy="joined")


class Visit(db.Model):
    """One visit of a person to a booth, for the booth's figures."""

    __tablename__ = "visits"
    __table_args__ = (Index("ix_visits_booth_user", "booth_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    booth_id: Mapped[int] = mapped_column(ForeignKey("booths.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

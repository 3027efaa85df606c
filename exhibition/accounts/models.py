from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from exhibition import policies
from exhibition.extensions import db
from exhibition.runtime.clock import utcnow
from exhibition.runtime.columns import UTCDateTime


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(80))
    organisation: Mapped[str] = mapped_column(String(120), default="")
    role: Mapped[str] = mapped_column(String(16), default="attendee", index=True)
    bio: Mapped[str] = mapped_column(Text, default="")
    interests: Mapped[list] = mapped_column(JSON, default=list)
    visible_in_directory: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str | None] = mapped_column(String(8), nullable=True)
    timezone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def is_organiser(self) -> bool:
        return policies.is_organiser(self)

    def to_dict(self, *, include_email: bool = False) -> dict:
        """The user object (docs/api/openapi.yaml, User); e-mail only for oneself, organisers and lead lists."""
        data = {
            "id": self.id,
            "display_name": self.display_name,
            "organisation": self.organisation or "",
            "role": self.role,
            "bio": self.bio or "",
            "interests": list(self.interests or []),
            "visible_in_directory": bool(self.visible_in_directory),
        }
        if include_email:
            data["email"] = self.email
        return data

    def to_private_dict(self) -> dict:
        """What a person sees of themselves: their settings too."""
        data = self.to_dict(include_email=True)
        data["locale"] = self.locale
        data["timezone"] = self.timezone
        return data


class LoginFailure(db.Model):
    """One failed login for an account, for the throttle (kept in the database so
    every process sees the same count)."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class LoginSession(db.Model):
    """One logged-in browser (or client): the signed session cookie carries a random
    token whose hash is kept here. Logging out deletes the row, so a copy of the cookie
    taken before the logout is worth nothing after it; other devices stay logged in."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

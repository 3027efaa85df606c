"""Announcement rules: organisers post, everyone reads; posts are pushed to everyone online."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from exhibition.announcements.models import Announcement
from exhibition.extensions import db
from exhibition.policies import require_organiser
from exhibition.realtime.publishing import publish
from exhibition.runtime.clock import utcnow
from exhibition.runtime.validation import text

BODY_MAX = 2000
LIST_MAX = 50


def post_announcement(user, body: Any) -> Announcement:
    """An organiser's announcement (body 1–2000 characters after trimming), stored and
    then pushed as `announcement` to every connection."""
    require_organiser(user)
    body = text({"body": body}, "body", max_len=BODY_MAX, min_len=1)
    announcement = Announcement(body=body, author_id=user.id, created_at=utcnow())
    db.session.add(announcement)
    db.session.commit()
    publish("announcement", announcement.to_dict())
    return announcement


def latest_announcements(limit: int = LIST_MAX) -> list[Announcement]:
    """The latest announcements, latest first."""
    return list(db.session.scalars(
        select(Announcement).order_by(Announcement.created_at.desc(), Announcement.id.desc()).limit(limit)))

"""Booth rules: the hall, booth pages, staff, leads, figures."""
from __future__ import annotations

from sqlalchemy import select

from ..errors import Forbidden, NotFound
from ..extensions import db
from .models import Booth, BoothStaff


def get_booth(slug: str) -> Booth:
    """The booth with this slug, or NotFound."""
    booth = db.session.scalar(select(Booth).where(Booth.slug == slug)) if isinstance(slug, str) else None
    if booth is None:
        raise NotFound("no such booth")
    return booth


def is_booth_staff(user, booth: Booth) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(
        select(BoothStaff.id).where(BoothStaff.booth_id == booth.id, BoothStaff.user_id == user.id)
    ) is not None


def can_manage_booth(user, booth: Booth) -> bool:
    """Organisers and that booth's staff manage a booth (edit it, read its leads and
    figures, moderate its chat)."""
    return getattr(user, "role", None) == "organiser" or is_booth_staff(user, booth)


def ensure_booth_manager(user, booth: Booth) -> None:
    if not can_manage_booth(user, booth):
        raise Forbidden("only this booth's staff or an organiser may do this")

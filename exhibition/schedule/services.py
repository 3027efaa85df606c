"""Programme rules: sessions, favourites, live/next."""
from __future__ import annotations

from ..errors import NotFound
from ..extensions import db
from .models import Session


def get_session(session_id: int) -> Session:
    """The session with this id, or NotFound."""
    session = db.session.get(Session, session_id) if isinstance(session_id, int) else None
    if session is None:
        raise NotFound("no such session")
    return session

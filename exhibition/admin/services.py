"""The organiser's figures: people, presence over time, booth and session figures,
CSV export, and a person lookup for assigning booth staff."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select

from exhibition import policies
from exhibition.accounts.models import User
from exhibition.accounts.services import create_user
from exhibition.admin.models import OnlineSample
from exhibition.booths.services import add_staff, booth_figures
from exhibition.extensions import db
from exhibition.realtime import presence
from exhibition.runtime.clock import utcnow
from exhibition.runtime.spreadsheet import csv_text
from exhibition.runtime.validation import is_id
from exhibition.schedule.models import Favourite, Session

SAMPLE_INTERVAL = timedelta(seconds=60)
SAMPLE_WINDOW = timedelta(hours=24)
LOOKUP_LIMIT = 20


def session_figures() -> list[dict]:
    """Per session, by start: how many people have it in their agenda."""
    counts = dict(db.session.execute(
        select(Favourite.session_id, func.count(Favourite.id)).group_by(Favourite.session_id)).all())
    sessions = db.session.execute(
        select(Session.id, Session.title, Session.starts_at).order_by(Session.starts_at, Session.id)).all()
    return [{"id": sid, "title": title, "favourites": counts.get(sid, 0)} for sid, title, _ in sessions]


def event_stats(actor: Any) -> dict:
    """GET /admin/stats (organisers): {users, online_now, booths, sessions}. Also records
    an online sample if the last one is older than the sampling interval."""
    policies.require_organiser(actor)
    online_now = len(presence.online_user_ids())
    record_online_sample(online_now)
    return {
        "users": db.session.scalar(select(func.count()).select_from(User)) or 0,
        "online_now": online_now,
        "booths": booth_figures(),
        "sessions": session_figures(),
    }


def record_online_sample(count: int | None = None, *, at: datetime | None = None,
                         min_interval: timedelta = SAMPLE_INTERVAL) -> OnlineSample | None:
    """Store how many people are online now, unless a sample was stored less than
    ``min_interval`` ago (several processes or requests may try at once)."""
    at = at or utcnow()
    last = db.session.scalar(select(func.max(OnlineSample.at)))
    if last is not None and at - last < min_interval:
        return None
    sample = OnlineSample(at=at, count=len(presence.online_user_ids()) if count is None else count)
    db.session.add(sample)
    db.session.commit()
    return sample


def online_samples(window: timedelta = SAMPLE_WINDOW) -> list[OnlineSample]:
    """The samples of the ``window`` before the newest sample, oldest first."""
    newest = db.session.scalar(select(func.max(OnlineSample.at)))
    if newest is None:
        return []
    since = newest - window
    return list(db.session.scalars(select(OnlineSample).where(OnlineSample.at >= since).order_by(OnlineSample.at)))


def stats_csv(stats: dict) -> str:
    """The figures as one CSV table: a row per booth and per session."""
    rows: list[tuple] = [("summary", "users", stats["users"], "", "", "", "", ""),
                         ("summary", "online_now", stats["online_now"], "", "", "", "", "")]
    rows += [("booth", b["slug"], b["name"], b["visits"], b["unique_visitors"], b["messages"], b["leads"], "")
             for b in stats["booths"]]
    rows += [("session", s["id"], s["title"], "", "", "", "", s["favourites"]) for s in stats["sessions"]]
    return csv_text(["kind", "key", "name", "visits", "unique_visitors", "messages", "leads", "favourites"], rows)


def find_users(q: str | None) -> list[User]:
    """Organisers' person lookup: by id, or e-mail/name/organisation containing q."""
    q = (q or "").strip()
    if not q:
        return []
    if q.isdigit():
        user = db.session.get(User, int(q)) if is_id(int(q)) else None
        return [user] if user else []
    needle = q.lower()[:100]
    return list(db.session.scalars(
        select(User).where(or_(*(func.lower(column).contains(needle, autoescape=True)
                                 for column in (User.email, User.display_name, User.organisation))))
        .order_by(func.lower(User.display_name), User.id).limit(LOOKUP_LIMIT)))


def create_account(email: str, password: str, name: str, role: str, booth_slug: str | None = None,
                   actor: Any = policies.SYSTEM) -> User:
    """An account with any role, optionally staff of a booth (``users create``; tests)."""
    policies.require_organiser(actor)
    user = create_user(email, password, name, role)
    if booth_slug:
        add_staff(actor, booth_slug, user.id)
        db.session.refresh(user)
    return user

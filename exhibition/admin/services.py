"""The organiser's figures: people, presence over time, booth and session figures,
CSV export, and a person lookup for assigning booth staff."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

from sqlalchemy import distinct, func, or_, select

from .. import presence
from ..accounts.models import User
from ..extensions import db
from ..types import utcnow
from .models import OnlineSample

SAMPLE_INTERVAL = timedelta(seconds=60)
SAMPLE_WINDOW = timedelta(hours=24)
LOOKUP_LIMIT = 20


def booth_figures() -> list[dict]:
    """Per booth, by name: visits, unique visitors, chat messages ever sent (deleted ones
    included, as chat.services.count_messages counts them for a booth's own figures), leads.
    Computed with one grouped query per figure rather than one query per booth."""
    from ..booths.models import Booth, Lead, Visit
    from ..chat.models import Message

    booths = db.session.execute(select(Booth.id, Booth.slug, Booth.name).order_by(func.lower(Booth.name), Booth.slug)).all()
    visits = dict(db.session.execute(
        select(Visit.booth_id, func.count(Visit.id)).group_by(Visit.booth_id)).all())
    uniques = dict(db.session.execute(
        select(Visit.booth_id, func.count(distinct(Visit.user_id))).group_by(Visit.booth_id)).all())
    leads = dict(db.session.execute(
        select(Lead.booth_id, func.count(Lead.id)).group_by(Lead.booth_id)).all())
    messages = dict(db.session.execute(
        select(Message.room, func.count(Message.id))
        .where(Message.room.like("booth:%")).group_by(Message.room)).all())
    return [{"slug": slug, "name": name, "visits": visits.get(booth_id, 0),
             "unique_visitors": uniques.get(booth_id, 0), "messages": messages.get(f"booth:{slug}", 0),
             "leads": leads.get(booth_id, 0)} for booth_id, slug, name in booths]


def session_figures() -> list[dict]:
    """Per session, by start: how many people have it in their agenda."""
    from ..schedule.models import Favourite, Session

    counts = dict(db.session.execute(
        select(Favourite.session_id, func.count(Favourite.id)).group_by(Favourite.session_id)).all())
    sessions = db.session.execute(
        select(Session.id, Session.title, Session.starts_at).order_by(Session.starts_at, Session.id)).all()
    return [{"id": sid, "title": title, "favourites": counts.get(sid, 0)} for sid, title, _ in sessions]


def event_stats() -> dict:
    """GET /admin/stats: {users, online_now, booths, sessions}. Also records an
    online sample if the last one is older than the sampling interval."""
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


def _cell(value) -> str | int:
    """Spreadsheet-safe: text starting with = + - @ (a formula) gets a leading quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def stats_csv(stats: dict) -> str:
    """The figures as one CSV table: a row per booth and per session."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["kind", "key", "name", "visits", "unique_visitors", "messages", "leads", "favourites"])
    writer.writerow(["summary", "users", stats["users"], "", "", "", "", ""])
    writer.writerow(["summary", "online_now", stats["online_now"], "", "", "", "", ""])
    for b in stats["booths"]:
        writer.writerow([_cell(x) for x in ("booth", b["slug"], b["name"], b["visits"], b["unique_visitors"],
                                              b["messages"], b["leads"], "")])
    for s in stats["sessions"]:
        writer.writerow([_cell(x) for x in ("session", s["id"], s["title"], "", "", "", "", s["favourites"])])
    return out.getvalue()


def find_users(q: str | None) -> list[User]:
    """Organisers' person lookup: by id, or e-mail/name/organisation containing q."""
    q = (q or "").strip()
    if not q:
        return []
    if q.isdigit():
        user = db.session.get(User, int(q)) if int(q) < 2**31 else None
        return [user] if user else []
    needle = q.lower()[:100]
    return list(db.session.scalars(
        select(User).where(or_(*(func.lower(column).contains(needle, autoescape=True)
                                 for column in (User.email, User.display_name, User.organisation))))
        .order_by(func.lower(User.display_name), User.id).limit(LOOKUP_LIMIT)))

"""HTML pages of the programme: the schedule (/schedule), a session's page
(/sessions/<id>) and the public calendar (/schedule.ics). The lobby (/) is an area
of its own above this one (exhibition/lobby/).

The schedule is public (the permission matrix in
tests/test_permission_matrix.py says so; the programme is public like its
calendar): anonymous visitors see the programme without the personal parts. The
session page (with its chat) needs a login.

Times are formatted on the server in the person's time zone (Flask-Babel's
selector: their own zone, else the event's), so the pages work without JavaScript."""
from __future__ import annotations

from collections import OrderedDict
from datetime import datetime

from flask import Blueprint, current_app, render_template, request
from flask_babel import get_timezone
from flask_login import current_user

from exhibition.runtime import validation as v
from exhibition.runtime.clock import utcnow
from exhibition.runtime.http import login_page_required
from exhibition.runtime.markdown import render as render_markdown
from exhibition.schedule import calendar, services
from exhibition.schedule.views import ics_response

bp = Blueprint("schedule", __name__)





def local(value: datetime) -> datetime:
    """A UTC time in the zone the page is shown in."""
    return value.astimezone(get_timezone())


def display_timezone() -> str:
    return str(get_timezone())


def _feed_token() -> str | None:
    if not current_user.is_authenticated:
        return None
    return calendar.feed_token(current_user, current_app.config["SECRET_KEY"])


def my_favourites() -> set[int]:
    return services.favourite_ids(current_user.id) if current_user.is_authenticated else set()


def _days(sessions) -> list[dict]:
    """[{date, rooms: [(room, [sessions])]}] by local day; rooms in order of their first session."""
    days: OrderedDict = OrderedDict()
    for session in sessions:
        day = local(session.starts_at).date()
        rooms = days.setdefault(day, OrderedDict())
        rooms.setdefault(session.room or "", []).append(session)
    return [{"date": day, "rooms": list(rooms.items())} for day, rooms in days.items()]


def _filter_value(key: str) -> str:
    """A filter from the query string; text no database can compare is dropped."""
    value = (request.args.get(key) or "").strip()[:120]
    return value if "\x00" not in value and v.is_encodable(value) else ""


@bp.get("/schedule")
def schedule():
    """Public, like the programme's calendar; the agenda toggles only for people logged in."""
    track, room = _filter_value("track"), _filter_value("room")
    now = utcnow()
    sessions = services.list_sessions(track=track or None, room=room or None)
    running, upcoming = services.live_and_next(now)
    soonest = upcoming[0].starts_at if upcoming else None
    rooms, tracks = services.rooms_and_tracks()
    return render_template(
        "schedule/schedule.html", days=_days(sessions), track=track, room=room, rooms=rooms, tracks=tracks,
        live_ids={s.id for s in running}, next_ids={s.id for s in upcoming if s.starts_at == soonest},
        favourites=my_favourites(), display_timezone=display_timezone(),
        count=len(sessions), host=request.host, feed_token=_feed_token())


@bp.get("/sessions/<int:session_id>")
@login_page_required
def session_page(session_id: int):
    item = services.get_session(session_id)
    return render_template(
        "schedule/session.html", item=item, live=services.is_live(item), abstract_html=render_markdown(item.abstract),
        favourite=item.id in services.favourite_ids(current_user.id), display_timezone=display_timezone())


@bp.get("/schedule.ics")
def schedule_ics():
    """The whole programme as a calendar: public, so calendar apps can subscribe."""
    body = calendar.programme_calendar(services.list_sessions(), request.url_root,
                                       current_app.config["EVENT_TIMEZONE"])
    return ics_response(body, "ecc2020-schedule.ics")

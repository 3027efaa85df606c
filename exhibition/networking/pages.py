"""HTML pages: the people directory (/attendees) and a person's day (/me)."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, url_for
from flask_login import current_user

from exhibition.networking import services
from exhibition.runtime.http import login_page_required
from exhibition.runtime.validation import is_id
from exhibition.schedule.calendar import feed_token

bp = Blueprint("networking", __name__)

PAGE_SIZE = 48
COMMON_TIMEZONES = (
    "Europe/Berlin", "Europe/Brussels", "Europe/Paris", "Europe/Amsterdam", "Europe/Vienna",
    "Europe/Zurich", "Europe/Rome", "Europe/Madrid", "Europe/Lisbon", "Europe/London",
    "Europe/Dublin", "Europe/Oslo", "Europe/Stockholm", "Europe/Copenhagen", "Europe/Helsinki",
    "Europe/Warsaw", "Europe/Prague", "Europe/Budapest", "Europe/Bucharest", "Europe/Sofia",
    "Europe/Athens", "Europe/Istanbul", "Europe/Kyiv", "Europe/Vilnius", "Europe/Riga",
    "Europe/Tallinn", "Europe/Belgrade", "Europe/Zagreb", "Europe/Ljubljana", "UTC",
    "America/New_York", "America/Chicago", "America/Los_Angeles", "America/Sao_Paulo",
    "Asia/Tokyo", "Asia/Shanghai", "Asia/Singapore", "Asia/Kolkata", "Asia/Dubai",
    "Africa/Johannesburg", "Australia/Sydney",
)




def _page_number() -> int:
    raw = request.args.get("page", "1")
    return max(int(raw), 1) if raw.isdigit() else 1


@bp.get("/attendees")
@login_page_required
def attendees():
    q = (request.args.get("q") or "").strip()[:100]
    interest = (request.args.get("interest") or "").strip()[:40]
    page = _page_number()
    people = services.directory(current_user, q, interest, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    return render_template("networking/attendees.html", people=people[:PAGE_SIZE], q=q, interest=interest,
                           interests=services.directory_interests(), page=page,
                           has_next=len(people) > PAGE_SIZE)


def _agenda_feed_url() -> str | None:
    """The person's secret agenda address for calendar apps (the schedule area signs it)."""
    token = feed_token(current_user, current_app.config["SECRET_KEY"])
    return url_for("schedule_api.my_agenda_ics", token=token, _external=True)


@bp.get("/me")
@login_page_required
def me():
    people = [p for p in services.directory(current_user) if p["id"] != current_user.id]
    with_arg = request.args.get("with", "")
    with_id = int(with_arg) if with_arg.isdigit() and is_id(int(with_arg)) else None
    if with_id and with_id != current_user.id and all(p["id"] != with_id for p in people):
        # e.g. booth staff who are not in the directory, asked for from their booth page
        other = services.person(current_user, with_id)
        if other is not None:
            people.insert(0, other)
    timezones = list(COMMON_TIMEZONES)
    if current_user.timezone and current_user.timezone not in timezones:
        timezones.insert(0, current_user.timezone)
    return render_template("networking/me.html", user=current_user.to_private_dict(), people=people,
                           feed_url=_agenda_feed_url(),
                           with_id=with_id,
                           matches=services.matches(current_user), timezones=timezones)

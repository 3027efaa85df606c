"""The organiser console (/admin) and the figures page (/admin/stats)."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Blueprint, current_app, render_template
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user

from exhibition import policies
from exhibition.admin import charts, services
from exhibition.runtime.http import login_page_required

bp = Blueprint("admin", __name__)


def organiser_page(view: Callable) -> Callable:
    """Anonymous → login redirect; logged in but not an organiser → 403 page."""
    @login_page_required
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not policies.is_organiser(current_user):
            return render_template("errors/error.html", status=403,
                                   message=_("Only the organisers may open the console.")), 403
        return view(*args, **kwargs)
    return wrapper


@bp.get("/admin")
@organiser_page
def console():
    return render_template("admin/console.html", event_timezone_name=current_app.config["EVENT_TIMEZONE"])


@bp.get("/admin/stats")
@organiser_page
def figures():
    stats = services.event_stats(current_user)
    booths = stats["booths"]
    samples = services.online_samples()
    bar_charts = [
        ("visits", _("Visits per booth"), charts.bar_chart([(b["name"], b["visits"]) for b in booths])),
        ("unique", _("Unique visitors per booth"),
         charts.bar_chart([(b["name"], b["unique_visitors"]) for b in booths])),
        ("messages", _("Chat messages per booth"), charts.bar_chart([(b["name"], b["messages"]) for b in booths])),
        ("leads", _("Leads per booth"), charts.bar_chart([(b["name"], b["leads"]) for b in booths])),
    ]
    top_sessions = sorted(stats["sessions"], key=lambda s: (-s["favourites"], s["id"]))[:15]
    sessions_chart = charts.bar_chart([(s["title"], s["favourites"]) for s in top_sessions])
    online = charts.line_chart([(s.at, s.count) for s in samples],
                               lambda at: format_datetime(at, "short"))
    return render_template("admin/stats.html", stats=stats, bar_charts=bar_charts, online=online,
                           samples=samples, sessions_chart=sessions_chart,
                           format_datetime=format_datetime)

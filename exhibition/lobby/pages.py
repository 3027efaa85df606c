"""The lobby page."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from exhibition.lobby import services
from exhibition.runtime.clock import utcnow
from exhibition.schedule.pages import display_timezone

bp = Blueprint("lobby", __name__)


@bp.get("/")
def lobby():
    """Public: now/next for everyone; booths and announcements for people logged in."""
    return render_template("lobby/lobby.html", **services.lobby(current_user, utcnow()),
                           display_timezone=display_timezone())

"""HTTP API for the programme (docs/api/openapi.yaml): sessions, live/next, import, the personal agenda."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request
from flask_login import current_user

from exhibition.errors import Invalid
from exhibition.policies import require_user
from exhibition.runtime.clock import utcnow
from exhibition.runtime.http import json_body, login_required_api, no_content, organiser_required
from exhibition.schedule import calendar, services
from exhibition.schedule.importer import decode_upload

bp = Blueprint("schedule_api", __name__, url_prefix="/api")


def _sessions(items, now=None) -> list[dict]:
    now = now or utcnow()
    return [services.session_dict(s, now) for s in items]


@bp.get("/sessions")
@login_required_api
def list_sessions():
    items = services.search_sessions(request.args.to_dict(), current_app.config["EVENT_TIMEZONE"])
    return jsonify({"sessions": _sessions(items)})


@bp.get("/sessions/live")
@login_required_api
def live_sessions():
    now = utcnow()
    running, upcoming = services.live_and_next(now)
    return jsonify({"now": _sessions(running, now), "next": _sessions(upcoming, now)})


@bp.get("/sessions/<int:session_id>")
@login_required_api
def get_session(session_id: int):
    return jsonify(services.session_dict(services.get_session(session_id)))


@bp.post("/sessions")
@organiser_required
def create_session():
    session = services.create_session(current_user, json_body())
    return jsonify(services.session_dict(session)), 201


@bp.patch("/sessions/<int:session_id>")
@organiser_required
def update_session(session_id: int):
    return jsonify(services.session_dict(services.update_session(current_user, session_id, json_body())))


@bp.delete("/sessions/<int:session_id>")
@organiser_required
def delete_session(session_id: int):
    services.delete_session(current_user, session_id)
    return no_content()


def _schedule_payload():
    """The schedule: an uploaded file (field "file", from the /admin form) or the body."""
    upload = request.files.get("file")
    if upload is not None:
        return decode_upload(upload.read())
    if request.files:
        raise Invalid("upload the schedule in the form field 'file'")
    raw = request.get_data(cache=True)
    if not raw:
        raise Invalid("send a schedule.json (frab/pretalx format) as the body or as the file field 'file'")
    return decode_upload(raw)


@bp.post("/sessions/import")
@organiser_required
def import_sessions():
    return jsonify(services.import_schedule(current_user, _schedule_payload()))


@bp.get("/me/agenda")
@login_required_api
def my_agenda():
    return jsonify({"sessions": _sessions(services.agenda(current_user.id))})


@bp.put("/me/agenda/<int:session_id>")
@login_required_api
def add_to_agenda(session_id: int):
    services.add_favourite(current_user, session_id)
    return no_content()


@bp.delete("/me/agenda/<int:session_id>")
@login_required_api
def remove_from_agenda(session_id: int):
    services.remove_favourite(current_user, session_id)
    return no_content()


def ics_response(body: bytes, filename: str) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/me/agenda.ics")
def my_agenda_ics():
    """Logged in, or with ``?token=`` (the secret address for calendar apps, shown on /schedule)."""
    token = request.args.get("token")
    user = calendar.user_for_feed_token(token, current_app.config["SECRET_KEY"]) if token else None
    if user is None:
        require_user(current_user)
        user = current_user
    body = calendar.agenda_calendar(user, services.agenda(user.id), request.url_root,
                                    current_app.config["EVENT_TIMEZONE"])
    return ics_response(body, "my-agenda-ecc2020.ics")

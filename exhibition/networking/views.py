"""HTTP API for networking: directory, matches, meetings (docs/api/openapi.yaml)."""
from flask import Blueprint, jsonify, request
from flask_login import current_user

from exhibition.errors import Invalid
from exhibition.networking import services
from exhibition.runtime.http import json_body, login_required_api

bp = Blueprint("networking_api", __name__, url_prefix="/api")


def _int_arg(name: str, default: int | None, maximum: int | None = None) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit():
        raise Invalid(f"{name} must be a non-negative integer")
    value = int(raw)
    return min(value, maximum) if maximum is not None else value


@bp.get("/attendees")
@login_required_api
def attendees():
    people = services.directory(
        current_user, request.args.get("q"), request.args.get("interest"),
        limit=_int_arg("limit", None, services.DIRECTORY_LIMIT_MAX), offset=_int_arg("offset", 0))
    return jsonify({"attendees": people})


@bp.get("/me/matches")
@login_required_api
def my_matches():
    return jsonify(services.matches(current_user))


@bp.get("/me/meetings")
@login_required_api
def my_meetings():
    return jsonify({"meetings": [services.meeting_dict(m) for m in services.meetings_for(current_user)]})


@bp.post("/meetings")
@login_required_api
def request_meeting():
    meeting, warnings = services.request_meeting(current_user, json_body())
    answer = services.meeting_dict(meeting)
    answer["warnings"] = warnings
    return jsonify(answer), 201


@bp.get("/meetings/<int:meeting_id>")
@login_required_api
def get_meeting(meeting_id: int):
    return jsonify(services.meeting_dict(services.get_meeting_for(current_user, meeting_id)))


def _change(meeting_id: int, action: str):
    return jsonify(services.meeting_dict(services.change_meeting(current_user, meeting_id, action)))


@bp.post("/meetings/<int:meeting_id>/accept")
@login_required_api
def accept(meeting_id: int):
    return _change(meeting_id, "accept")


@bp.post("/meetings/<int:meeting_id>/decline")
@login_required_api
def decline(meeting_id: int):
    return _change(meeting_id, "decline")


@bp.post("/meetings/<int:meeting_id>/cancel")
@login_required_api
def cancel(meeting_id: int):
    return _change(meeting_id, "cancel")

"""HTTP API: POST /api/announcements (organiser), GET /api/announcements (any user)."""
from flask import Blueprint, jsonify
from flask_login import current_user

from exhibition.announcements import services
from exhibition.runtime.http import json_body, login_required_api

bp = Blueprint("announcements_api", __name__, url_prefix="/api")


@bp.post("/announcements")
@login_required_api
def post():
    announcement = services.post_announcement(current_user, json_body().get("body"))
    return jsonify(announcement.to_dict()), 201


@bp.get("/announcements")
@login_required_api
def index():
    return jsonify({"announcements": [a.to_dict() for a in services.latest_announcements()]})

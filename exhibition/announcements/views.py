"""HTTP API: POST /api/announcements (organiser), GET /api/announcements (any user)."""
from flask import Blueprint, jsonify
from flask_login import current_user

from ..auth import login_required_api
from ..jsonapi import json_body
from . import services

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

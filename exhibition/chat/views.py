"""HTTP API of the chat (additive to SPEC §4): one's direct conversations."""
from flask import Blueprint, jsonify
from flask_login import current_user

from ..auth import login_required_api
from . import services

bp = Blueprint("chat_api", __name__, url_prefix="/api")


@bp.get("/me/conversations")
@login_required_api
def my_conversations():
    """{"conversations": [{room, other, last_message}]}, latest first."""
    return jsonify({"conversations": services.conversations(current_user)})

"""HTTP API of the chat (docs/api/openapi.yaml): one's direct conversations."""
from flask import Blueprint, jsonify
from flask_login import current_user

from exhibition.chat import services
from exhibition.runtime.http import login_required_api

bp = Blueprint("chat_api", __name__, url_prefix="/api")


@bp.get("/me/conversations")
@login_required_api
def my_conversations():
    """{"conversations": [{room, other, last_message}]}, latest first."""
    return jsonify({"conversations": services.conversations(current_user)})

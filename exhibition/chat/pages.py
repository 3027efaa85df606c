"""HTML pages: one's direct conversations (/messages) and one conversation (/messages/<id>)."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user

from exhibition import policies
from exhibition.chat import services
from exhibition.errors import DomainError
from exhibition.realtime.rooms import Room
from exhibition.runtime.http import login_page_required

bp = Blueprint("chat", __name__)


@bp.get("/messages")
@login_page_required
def conversations():
    return render_template("chat/conversations.html", conversations=services.conversations(current_user))


@bp.get("/messages/<int:user_id>")
@login_page_required
def direct(user_id: int):
    if user_id == current_user.id:
        return redirect(url_for("chat.conversations"))
    try:
        room, other = services.dm_with(current_user, user_id)
    except DomainError:
        abort(404)
    return render_template("chat/direct.html", other=other, chat_room=room.name)


def panel_info(room_name: str) -> dict:
    """What the chat panel template needs to know about the viewer in a room."""
    try:
        room = Room.access(current_user, room_name)
    except DomainError:
        return {"room": room_name, "allowed": False, "can_moderate": False}
    return {"room": room.name, "allowed": True, "can_moderate": policies.can_moderate_room(current_user, room)}

"""HTTP API for accounts: csrf, register, login, logout, me."""
from flask import Blueprint, current_app, jsonify, session
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import generate_csrf

from exhibition import realtime
from exhibition.accounts import services
from exhibition.runtime.http import json_body, login_required_api, no_content

bp = Blueprint("accounts_api", __name__, url_prefix="/api")
LOGIN_KEY = "login"  # the session cookie's login token (accounts.services.open_login_session)


def start_session(user) -> None:
    """Log in with a fresh session: everything but the CSRF token and language is
    dropped, so a session fixed before login is worth nothing after it."""
    keep = {k: session[k] for k in ("csrf_token", "lang") if k in session}
    session.clear()
    session.update(keep)
    session[LOGIN_KEY] = services.open_login_session(user)
    login_user(user)


def end_session() -> None:
    """Log out: this session's login is closed for good (copies of the cookie included)
    and the person's open sockets are closed in every process."""
    if current_user.is_authenticated:
        realtime.disconnect_user(current_user.id)
    services.close_login_session(session.pop(LOGIN_KEY, None))
    logout_user()


@bp.get("/csrf")
def csrf_token():
    return jsonify({"csrf_token": generate_csrf()})


@bp.post("/auth/register")
def register():
    user = services.register(json_body())
    start_session(user)
    return jsonify({"user": user.to_private_dict()}), 201


@bp.post("/auth/login")
def login():
    user = services.authenticate(json_body())
    start_session(user)
    return jsonify({"user": user.to_private_dict()})


@bp.post("/auth/logout")
@login_required_api
def logout():
    end_session()
    session.pop("lang", None)
    return no_content()


@bp.get("/me")
@login_required_api
def me():
    return jsonify({"user": current_user.to_private_dict()})


@bp.patch("/me")
@login_required_api
def update_me():
    user = services.update_profile(current_user, json_body(), current_app.config["LANGUAGES"])
    return jsonify({"user": user.to_private_dict()})

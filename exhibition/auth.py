"""Who is asking, and role checks shared by HTTP views and socket events."""
from __future__ import annotations

from functools import wraps
from typing import Callable
from urllib.parse import urlsplit

from flask import redirect, request, url_for
from flask_login import current_user

from .errors import Forbidden, Unauthenticated

ROLES = ("attendee", "staff", "organiser")


def require_user(user) -> None:
    if user is None or not getattr(user, "is_authenticated", False):
        raise Unauthenticated("log in first")


def require_organiser(user) -> None:
    require_user(user)
    if user.role != "organiser":
        raise Forbidden("only organisers may do this")


def login_required_api(view: Callable) -> Callable:
    """Like flask_login.login_required, but answers 401 in the SPEC's JSON shape."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        require_user(current_user)
        return view(*args, **kwargs)
    return wrapper


def organiser_required(view: Callable) -> Callable:
    @wraps(view)
    def wrapper(*args, **kwargs):
        require_organiser(current_user)
        return view(*args, **kwargs)
    return wrapper


def login_page_required(view: Callable) -> Callable:
    """For HTML pages: anonymous visitors go to /login?next=<this page>."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)
    return wrapper


def safe_next(target: str | None, default: str = "/") -> str:
    """A redirect target on this site only: a path, never a scheme or another host."""
    if not target or not isinstance(target, str):
        return default
    if "\\" in target or any(ord(c) < 32 for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target

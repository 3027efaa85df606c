"""HTTP transport helpers shared by every area's views and pages: who is asking,
reading a JSON body, safe redirects."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import redirect, request, url_for
from flask_login import current_user

from exhibition.errors import Invalid
from exhibition.policies import require_organiser, require_user


def login_required_api(view: Callable) -> Callable:
    """Like flask_login.login_required, but answers 401 in the API's error shape (docs/api/openapi.yaml)."""
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        require_user(current_user)
        return view(*args, **kwargs)
    return wrapper


def organiser_required(view: Callable) -> Callable:
    """For organiser-only routes; the services check again with the acting person."""
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        require_organiser(current_user)
        return view(*args, **kwargs)
    return wrapper


def login_page_required(view: Callable) -> Callable:
    """For HTML pages: anonymous visitors go to /login?next=<this page>."""
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
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


def json_body() -> dict:
    """The request's JSON object; anything else (no JSON, a list, junk) → 400 invalid."""
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the parser can follow
        raise Invalid("the body is nested too deeply") from None
    if not isinstance(data, dict):
        raise Invalid("the body must be a JSON object")
    return data


def no_content() -> tuple[str, int]:
    return "", 204

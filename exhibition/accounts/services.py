"""Accounts: registration, login with throttling, profiles, and the CLI's user creation."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any
from zoneinfo import available_timezones

from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from exhibition.accounts.models import LoginFailure, LoginSession, User
from exhibition.errors import Conflict, Invalid, RateLimited, Unauthenticated
from exhibition.extensions import db
from exhibition.policies import ROLES
from exhibition.runtime import validation as v
from exhibition.runtime.clock import utcnow
from exhibition.runtime.offload import run_blocking

MAX_FAILURES = 10
FAILURE_WINDOW = timedelta(minutes=15)
MIN_PASSWORD = 8
MAX_PASSWORD = 256
MAX_DISPLAY_NAME = 80
MAX_ORGANISATION = 120
# A hash computed once so that logins for unknown e-mails take as long as real ones.
_DUMMY_HASH = None


def _hash(password: str) -> str:
    """A new password hash, computed off the event loop and without a database
    connection (the caller has ended its transaction)."""
    # scrypt: a slow, memory-hard hash (werkzeug's default). The test suite sets a
    # cheaper scrypt cost (PASSWORD_HASH_METHOD) so thousands of test logins stay fast.
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    return run_blocking(generate_password_hash, password, method)


def _check(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``; off the event loop like ``_hash``."""
    return run_blocking(check_password_hash, password_hash, password)


def _release_connection() -> None:
    """End the session's transaction before a hash (~100 ms), so its pooled
    connection serves other requests meanwhile; the next query checks one out again.
    Nothing is pending here: only reads came before."""
    db.session.commit()


def _password(data: dict) -> str:
    value = data.get("password")
    if not isinstance(value, str):
        raise Invalid("password is required", field="password")
    if not v.is_encodable(value):
        raise Invalid("password is not valid Unicode text", field="password")
    if len(value) < MIN_PASSWORD:
        raise Invalid(f"password must be at least {MIN_PASSWORD} characters", field="password")
    if len(value) > MAX_PASSWORD:
        raise Invalid(f"password must be at most {MAX_PASSWORD} characters", field="password")
    return value


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.lower()))


def register(data: dict) -> User:
    """Create an attendee account from the registration form (docs/api/openapi.yaml)."""
    v.ensure_object(data)
    email = v.email(data)
    password = _password(data)
    display_name = v.text(data, "display_name", max_len=MAX_DISPLAY_NAME, min_len=1)
    organisation = v.text(data, "organisation", required=False, max_len=MAX_ORGANISATION, default="")
    if user_by_email(email):
        raise Conflict("an account with this e-mail exists already", field="email")
    _release_connection()
    password_hash = _hash(password)
    user = User(email=email, password_hash=password_hash, display_name=display_name,
                organisation=organisation, role="attendee", interests=[])
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        # Registered by a second request while this one hashed.
        db.session.rollback()
        raise Conflict("an account with this e-mail exists already", field="email") from None
    return user


def authenticate(data: dict) -> User:
    """Check e-mail and password. From the 11th failure for one account within 15
    minutes every attempt is refused with RateLimited, right password or not."""
    global _DUMMY_HASH
    v.ensure_object(data)
    email = data.get("email")
    password = data.get("password")
    if not isinstance(email, str) or not isinstance(password, str) or not email.strip():
        raise Invalid("email and password are required")
    if not v.is_encodable(email) or not v.is_encodable(password) or "\x00" in email:
        raise Invalid("email and password must be valid Unicode text")
    email = email.strip().lower()[:254]
    since = utcnow() - FAILURE_WINDOW
    failures = db.session.scalar(
        select(func.count()).select_from(LoginFailure)
        .where(LoginFailure.email == email, LoginFailure.at >= since)
    ) or 0
    if failures >= MAX_FAILURES:
        raise RateLimited("too many failed logins for this account; try again in 15 minutes")
    user = user_by_email(email)
    stored_hash = user.password_hash if user is not None else None
    _release_connection()  # the user's attributes reload after the hash, on use
    if stored_hash is None:
        _DUMMY_HASH = _DUMMY_HASH or _hash("not a password")
        _check(_DUMMY_HASH, password)
        ok = False
    else:
        ok = _check(stored_hash, password)
    if user is None or not ok:
        db.session.add(LoginFailure(email=email))
        db.session.commit()
        raise Unauthenticated("wrong e-mail or password")
    db.session.execute(delete(LoginFailure).where(LoginFailure.email == email))
    db.session.commit()
    return user


_TIMEZONES: set[str] | None = None


def _timezone(data: dict) -> str | None:
    global _TIMEZONES
    value = v.text(data, "timezone", required=False, max_len=64)
    if value:
        _TIMEZONES = _TIMEZONES or available_timezones()
        if value not in _TIMEZONES:
            raise Invalid("timezone must be an IANA time zone such as Europe/Berlin", field="timezone")
    return value or None


def update_profile(user: User, data: dict, languages: tuple[str, ...] = ("en", "de")) -> User:
    """PATCH /me: any of display_name, organisation, bio, interests,
    visible_in_directory, locale, timezone. All fields are checked before any is set."""
    v.ensure_object(data)
    changes: dict = {}
    if "display_name" in data:
        changes["display_name"] = v.text(data, "display_name", max_len=MAX_DISPLAY_NAME, min_len=1)
    if "organisation" in data:
        changes["organisation"] = v.text(data, "organisation", required=False, max_len=MAX_ORGANISATION, default="")
    if "bio" in data:
        changes["bio"] = v.text(data, "bio", required=False, max_len=2000, default="")
    if "interests" in data:
        changes["interests"] = v.string_list(data, "interests") or []
    if "visible_in_directory" in data:
        changes["visible_in_directory"] = v.boolean(data, "visible_in_directory", required=True)
    if "locale" in data:
        locale = v.text(data, "locale", required=False, max_len=8)
        if locale and locale not in languages:
            raise Invalid(f"locale must be one of {', '.join(languages)}")
        changes["locale"] = locale or None
    if "timezone" in data:
        changes["timezone"] = _timezone(data)
    for key, value in changes.items():
        setattr(user, key, value)
    db.session.commit()
    return user


def create_user(email: str, password: str, name: str, role: str) -> User:
    """An account with any role (the command line, the demo; staffing a booth is the
    booths area's ``add_staff``)."""
    if role not in ROLES:
        raise Invalid(f"role must be one of {', '.join(ROLES)}", field="role")
    user = register({"email": email, "password": password, "display_name": name})
    user.role = role
    db.session.commit()
    return user


# ---------------------------------------------------------------- login sessions

LOGIN_SESSION_LIFETIME = timedelta(days=30)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_login_session(user: User) -> str:
    """A new login of ``user``: the token for the session cookie (only its hash is
    stored). The person's expired logins are cleared on the way."""
    token = secrets.token_urlsafe(32)
    db.session.execute(delete(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.created_at < utcnow() - LOGIN_SESSION_LIFETIME))
    db.session.add(LoginSession(token_hash=_token_hash(token), user_id=user.id, created_at=utcnow()))
    db.session.commit()
    return token


def close_login_session(token: str | None) -> None:
    """Logging out: the session's token is no longer accepted (also not in copies of
    the cookie)."""
    if isinstance(token, str) and token:
        db.session.execute(delete(LoginSession).where(LoginSession.token_hash == _token_hash(token)))
        db.session.commit()


def user_for_login(user_id: Any, token: Any) -> User | None:
    """The person a session cookie names, if its login is still open (not logged out,
    at most LOGIN_SESSION_LIFETIME old); else None. One query."""
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        return None
    if not isinstance(token, str) or not token or not 0 < user_id <= 2**31 - 1:
        return None
    return db.session.scalar(
        select(User).join(LoginSession, LoginSession.user_id == User.id).where(
            User.id == user_id, LoginSession.token_hash == _token_hash(token),
            LoginSession.created_at > utcnow() - LOGIN_SESSION_LIFETIME))

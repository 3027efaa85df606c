"""Socket.IO event handlers answer through their ack, in the contract's shape:
``{"ok": true, …}`` or ``{"ok": false, "error": {code, message}}``. ``acked`` wraps a
handler so that it never lets an exception escape."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

import redis
from flask import current_app
from flask_login import current_user

from exhibition.errors import UNAVAILABLE, DomainError, Invalid, is_unavailable
from exhibition.extensions import db
from exhibition.policies import require_user

SOCKET_ERROR_CODES = ("invalid", "forbidden", "not_found", "muted", "rate_limited", "too_large")


def error_ack(err: DomainError) -> dict:
    """The error ack. Its socket codes are fewer than HTTP's: a connection whose login
    is gone (the account deleted meanwhile) is ``forbidden``, not ``unauthenticated``."""
    error = err.as_dict()
    if error["code"] not in SOCKET_ERROR_CODES:
        error["code"] = "forbidden" if error["code"] == "unauthenticated" else "invalid"
    return {"ok": False, "error": error}


def acked(handler: Callable[..., dict] | None = None, *, load_user: bool = True) -> Any:
    """Check the payload is one object and turn every failure into an error ack.

    ``load_user=False``: the handler does not touch ``current_user`` (one query per
    event) and identifies the person by the connection instead."""
    if handler is None:
        return lambda h: acked(h, load_user=load_user)

    @wraps(handler)
    def wrapper(*args: Any) -> dict:
        try:
            if len(args) != 1 or not isinstance(args[0], dict):
                raise Invalid("the payload must be one JSON object")
            if load_user:
                require_user(current_user)
            return handler(args[0])
        except DomainError as err:
            db.session.rollback()
            return error_ack(err)
        except Exception as err:  # nothing may crash the handler
            try:
                db.session.rollback()
            except Exception:  # a dead connection: the pool drops it
                pass
            if is_unavailable(err) or isinstance(err, redis.RedisError):
                # the database or the queue is down or restarting (SPEC §11): nothing was stored
                current_app.logger.warning("socket event %s: service unavailable: %s", handler.__name__,
                                           (str(err).splitlines() or [type(err).__name__])[0][:300])
                return {"ok": False, "error": {"code": "invalid", "message": UNAVAILABLE}}
            current_app.logger.exception("socket event %s failed", handler.__name__)
            return {"ok": False, "error": {"code": "invalid", "message": "the request could not be processed"}}
    return wrapper

"""Domain errors and how they become HTTP JSON answers and socket acks.

Services raise these; the transport layers turn them into the API's error shape (docs/api/):
``{"error": {"code": ..., "message": ...}}`` over HTTP and ``{"ok": false, "error": {...}}``
in a Socket.IO ack.
"""
from __future__ import annotations

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException


class DomainError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field  # the input field at fault, for forms to show a translated text beside it

    def as_dict(self) -> dict:
        # The wire shape is the contract's {code, message}; ``field`` serves the pages.
        return {"code": self.code, "message": self.message}


class Invalid(DomainError):
    status, code = 400, "invalid"


class Unauthenticated(DomainError):
    status, code = 401, "unauthenticated"


class Forbidden(DomainError):
    status, code = 403, "forbidden"


class Muted(DomainError):
    status, code = 403, "muted"


class NotFound(DomainError):
    status, code = 404, "not_found"


class Conflict(DomainError):
    status, code = 409, "conflict"


class TooLarge(DomainError):
    status, code = 413, "too_large"


class RateLimited(DomainError):
    status, code = 429, "rate_limited"


# The answer when the database cannot serve now (SPEC §11); a sender may retry with the
# same client_id, which is stored once.
UNAVAILABLE = "the service is unavailable right now; try again shortly (the same client_id is stored once)"

_CODES = {400: "invalid", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
          405: "invalid", 409: "conflict", 413: "too_large", 429: "rate_limited"}


def error_response(status: int, code: str, message: str):
    return jsonify({"error": {"code": code, "message": message}}), status


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/api" or request.is_json


def page_message(status: int) -> str:
    """What an HTML error page tells a person, in their language (the JSON API keeps
    the English developer message)."""
    messages = {
        400: _("The request was not valid. Please check your entries."),
        401: _("Please log in first."),
        403: _("You are not allowed to do this."),
        404: _("This page does not exist."),
        405: _("This action is not possible here."),
        409: _("This conflicts with something that exists already."),
        413: _("That is too large."),
        429: _("Too many requests. Please wait a moment."),
        503: _("The service is unavailable right now. Please try again in a moment."),
    }
    return messages.get(status, _("Something went wrong on our side. Please try again later."))


def is_unavailable(err: BaseException) -> bool:
    """A failure of the database itself (down, restarting, connection lost; SPEC §11), not
    of the request: the answer is 503 ``unavailable`` and the client may try again."""
    if isinstance(err, sa_exc.DBAPIError) and err.connection_invalidated:
        return True
    # OperationalError: no answer (down, restarting); TimeoutError: no pooled connection
    # free within DB_POOL_TIMEOUT
    return isinstance(err, (sa_exc.OperationalError, sa_exc.TimeoutError))


def unavailable_error(err: BaseException):
    """The answer to a request that failed because the database is unavailable (SPEC §11:
    503 in the error shape, code ``unavailable``), or None for any other failure."""
    if not is_unavailable(err):
        return None
    current_app.logger.warning("service unavailable: %s", (str(err).splitlines() or [type(err).__name__])[0][:300])
    if _wants_json():
        response, status = error_response(503, "unavailable", UNAVAILABLE)
    else:
        response, status = render_template("errors/error.html", status=503, message=page_message(503)), 503
    return response, status, {"Retry-After": "1"}


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(err: DomainError):
        if _wants_json():
            return error_response(err.status, err.code, err.message)
        return render_template("errors/error.html", status=err.status,
                               message=page_message(err.status)), err.status

    @app.errorhandler(CSRFError)
    def csrf_error(err: CSRFError):
        if _wants_json():
            return error_response(403, "csrf", "missing or wrong CSRF token (header X-CSRFToken from GET /api/csrf)")
        message = _("The form has expired. Please reload the page and try again.")
        return render_template("errors/error.html", status=403, message=message), 403

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        status = err.code or 500
        if _wants_json():
            message = err.description or err.name
            if status == 405:
                message = f"method {request.method} not allowed here"
            return error_response(status, _CODES.get(status, "error"), message)
        return render_template("errors/error.html", status=status, message=page_message(status)), status

    @app.errorhandler(Exception)
    def unexpected(err: Exception):
        unavailable = unavailable_error(err)
        if unavailable is not None:
            return unavailable
        app.logger.exception("unhandled error")
        if _wants_json():
            return error_response(500, "internal", "internal error")
        return render_template("errors/error.html", status=500, message=page_message(500)), 500

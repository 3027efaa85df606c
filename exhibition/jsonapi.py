"""Small helpers for the JSON views: reading the body, answering."""
from __future__ import annotations

from flask import request

from .errors import Invalid


def json_body() -> dict:
    """The request's JSON object; anything else (no JSON, a list, junk) → 400 invalid."""
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the parser can follow
        raise Invalid("the body is nested too deeply") from None
    if not isinstance(data, dict):
        raise Invalid("the body must be a JSON object")
    return data


def no_content():
    return "", 204

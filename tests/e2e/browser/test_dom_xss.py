"""Markup typed into any text field stays text in the browser, including what the
pages' scripts render (chat, announcements, meetings, directory, admin lists).

The check runs with the CSP switched off (bypass_csp), so it proves the escaping
itself, not only that the CSP would block the result."""
from __future__ import annotations

import uuid
from datetime import date, timedelta

from playwright.sync_api import expect

from .conftest import BOOTH
from .test_flows import wait_for_chat

MARK = "xss" + uuid.uuid4().hex[:6]
PAYLOAD = f'<img src="x" onerror="window.__xss=\'{MARK}\'" data-{MARK}>'
SCRIPT = f"<script>window.__xss='{MARK}'</script>"


def _api(page, method, path, data=None):
    token = page.request.get("/api/csrf").json()["csrf_token"]
    response = page.request.fetch(path, method=method, data=data, headers={"X-CSRFToken": token})
    assert response.status < 300, (method, path, response.status, response.text())
    return response.json() if response.status != 204 else None


def _poison(open_page) -> dict:
    organiser = open_page("organiser")
    organiser.goto("/")
    slug = f"poison-{uuid.uuid4().hex[:6]}"
    _api(organiser, "POST", "/api/booths", {
        "name": f"Booth {PAYLOAD}", "slug": slug, "tagline": SCRIPT, "topics": [f"t{PAYLOAD}"[:40]],
        "description": f"# Hi {PAYLOAD}\n\n{SCRIPT}\n\n[click](javascript:window.__xss=1)"})
    session = _api(organiser, "POST", "/api/sessions", {
        "title": f"Talk {PAYLOAD}", "abstract": SCRIPT, "room": f"R {PAYLOAD}"[:100], "track": SCRIPT,
        "speakers": [PAYLOAD], "starts_at": "2031-07-01T10:00:00+00:00", "ends_at": "2031-07-01T11:00:00+00:00"})
    _api(organiser, "POST", "/api/announcements", {"body": f"Note {PAYLOAD} {SCRIPT}"})

    poisoner = open_page()
    poisoner.goto("/")
    email = f"{MARK}@example.test"
    _api(poisoner, "POST", "/api/auth/register", {"email": email, "password": "e2e-password-1",
                                                  "display_name": f"Eve {PAYLOAD}"[:80]})
    _api(poisoner, "PATCH", "/api/me", {"organisation": SCRIPT[:120], "bio": PAYLOAD + SCRIPT,
                                        "interests": ["batteries", f"<b>{MARK}</b>"]})
    me = _api(poisoner, "GET", "/api/me")["user"]
    day = date.today() + timedelta(days=30)
    invitee = _api(organiser, "GET", "/api/me")["user"]
    _api(poisoner, "POST", "/api/meetings", {"invitee_id": invitee["id"], "note": PAYLOAD + SCRIPT,
                                             "starts_at": f"{day.isoformat()}T09:00:00+00:00",
                                             "ends_at": f"{day.isoformat()}T09:30:00+00:00"})
    poisoner.goto(f"/booths/{BOOTH}")
    wait_for_chat(poisoner)
    poisoner.fill("[data-chat-input]", f"Hi {PAYLOAD} {SCRIPT}")
    poisoner.click("[data-chat-send]")
    expect(poisoner.locator("[data-chat-messages] [data-message-id]", has_text=MARK)).to_have_count(1)
    return {"slug": slug, "session": session["id"], "user": me["id"]}


def _assert_inert(page, where: str) -> None:
    state = page.evaluate(f"""() => ({{
        flag: window.__xss || null,
        imgs: document.querySelectorAll('[data-{MARK}]').length,
        scripts: [...document.scripts].filter(s => s.textContent.includes('{MARK}')).length,
        jsLinks: [...document.querySelectorAll('a[href]')].filter(a => a.href.startsWith('javascript:')).length,
        shown: document.body.innerText.includes('{MARK}'),
    }})""")
    assert state["flag"] is None and state["imgs"] == 0 and state["scripts"] == 0 and state["jsLinks"] == 0, \
        f"{where}: markup became live: {state}"
    return state["shown"]


def test_markup_stays_text_in_every_page(open_page):
    poisoned = _poison(open_page)
    pages = {
        "visitor2": ["/", "/booths", f"/booths/{poisoned['slug']}", f"/booths/{BOOTH}", "/schedule",
                     f"/sessions/{poisoned['session']}", "/attendees", "/me"],
        "staff": [f"/booths/{BOOTH}"],
        "organiser": ["/admin", "/admin/stats", "/attendees", "/me"],
    }
    shown_somewhere = 0
    for who, paths in pages.items():
        page = open_page(who, bypass_csp=True)
        for path in paths:
            page.goto(path)
            page.wait_for_load_state("networkidle")
            shown_somewhere += bool(_assert_inert(page, f"{path} as {who}"))
    assert shown_somewhere >= 6, "the poisoned texts were hardly shown: the test would prove little"

"""Script in every text field stays inert in every page.

People, booths, sessions, chat messages, meetings and announcements are filled with
markup through the API (and the models, where the text comes from a socket), then
every page is fetched as each kind of person: the markup may appear only escaped.
The browser suite repeats this in a real DOM for what the pages' scripts render."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests import factories as make

PAYLOADS = [
    '<script>alert("xss")</script>',
    '<img src=x onerror=alert(1)>',
    '"><svg onload=alert(2)>',
    "'><iframe src=javascript:alert(3)>",
    '<a href="javascript:alert(4)">click</a>',
]
# What must never appear in a page: the payloads' live markup.
LIVE = re.compile(r'<script>alert|<img src=x onerror|<svg onload|<iframe src=javascript|<a href="javascript:',
                  re.IGNORECASE)


def markup(n: int) -> str:
    return f"X{n} " + PAYLOADS[n % len(PAYLOADS)]


@pytest.fixture
def poisoned(app, make_user, client_for):
    """Every text field of every kind of object holds markup."""
    organiser = make_user("organiser", name=markup(0))
    staff = make_user("staff", name=markup(1))
    visitor = make_user("attendee", name=markup(2))
    clients = {"organiser": client_for(organiser), "staff": client_for(staff), "visitor": client_for(visitor)}
    for n, client in enumerate(clients.values()):
        response = client.patch("/api/me", json={
            "organisation": markup(n + 3), "bio": markup(n + 4) + "\n\n" + markup(n + 5),
            "interests": ["<b>bold</b>", "<img src=x onerror=alert(1)>"][: 1 + n % 2]})
        assert response.status_code == 200, response.get_json()
    booth = make.booth(app, "poisoned", name=markup(6), tagline=markup(7),
                       description=markup(8) + "\n\n[link](javascript:alert(5)) <b onclick=alert(6)>x</b>",
                       topics=[markup(9)[:40]], website="https://example.org/?q=%3Cscript%3E", staff=[staff])
    now = datetime.now(UTC)
    session_id = make.session(app, markup(10), abstract=markup(11), start=now - timedelta(minutes=10),
                              end=now + timedelta(minutes=50), room=markup(12)[:100], track=markup(13)[:100],
                              speakers=[markup(14)], booth=booth)
    for n, room in enumerate(["lobby", booth.room]):
        make.message(app, room, visitor, markup(15 + n), client_id=f"x{n}")
    start = datetime(2031, 5, 1, 9, tzinfo=UTC)
    clients["visitor"].post("/api/meetings", json={
        "invitee_id": staff.id, "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(minutes=30)).isoformat(), "note": markup(17)})
    clients["organiser"].post("/api/announcements", json={"body": markup(18)})
    clients["visitor"].put(f"/api/me/agenda/{session_id}")
    return {"clients": clients, "session": session_id, "booth": "poisoned"}


PAGES = ["/", "/booths", "/booths/poisoned", "/schedule", "/sessions/{session}", "/attendees",
         "/attendees?q=X", "/me", "/admin", "/admin/stats",
         "/booths?q=<script>alert(1)</script>", "/booths?topic=<img src=x onerror=alert(1)>",
         "/attendees?q=<svg onload=alert(2)>", "/attendees?interest=<script>alert(1)</script>",
         "/schedule?track=<script>alert(1)</script>", "/<script>alert(1)</script>",
         "/login?next=<script>alert(1)</script>"]


@pytest.mark.parametrize("who", ["visitor", "staff", "organiser"])
def test_markup_stays_escaped_in_every_page(poisoned, who):
    client = poisoned["clients"][who]
    checked = 0
    for path in PAGES:
        response = client.get(path.format(session=poisoned["session"]))
        html = response.get_data(as_text=True)
        assert response.status_code < 500, (path, response.status_code)
        found = LIVE.search(html)
        assert found is None, f"{path} as {who}: live markup {html[max(0, found.start() - 80):found.end() + 40]!r}"
        if response.status_code == 200 and ("X1" in html or "X6" in html):
            checked += 1
    assert checked, "no page showed the poisoned texts at all: the test would prove nothing"


def test_markup_stays_inert_in_the_api_and_calendars(poisoned):
    """JSON is escaped by the client (textContent); calendars carry text, never HTML.
    The booth description is Markdown rendered sanitised: no script, no handlers, no
    javascript: links."""
    client = poisoned["clients"]["visitor"]
    booth = client.get("/api/booths/poisoned")
    assert booth.status_code == 200
    data = booth.get_json()
    for key, value in data.items():
        if key.endswith("_html") and isinstance(value, str):
            assert not LIVE.search(value) and "onclick" not in value and "javascript:" not in value, (key, value)
    for path in ("/schedule.ics", "/api/me/agenda.ics"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.mimetype == "text/calendar", path
        assert "nosniff" == response.headers.get("X-Content-Type-Options")


def test_javascript_urls_are_refused_for_links(poisoned):
    organiser = poisoned["clients"]["organiser"]
    for bad in ("javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "data:text/html,<b>",
                "vbscript:x", "//evil.example"):
        response = organiser.patch("/api/booths/poisoned", json={"website": bad})
        assert response.status_code == 400, bad
        response = organiser.patch("/api/booths/poisoned", json={"video_url": bad})
        assert response.status_code == 400, bad

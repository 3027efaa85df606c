"""The lobby, the schedule and session pages: content, access, languages, time zones."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from exhibition.runtime.clock import utcnow
from tests import factories as make

from .schedule_helpers import T0


@pytest.fixture
def booth(app):
    return make.booth(app, "elektromobilitaet-sued-west", name="Cluster Elektromobilität Süd-West").slug


@pytest.fixture
def attendee(make_user, client_for):
    ref = make_user("attendee", name="Anna Becker")
    return ref, client_for(ref)


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def assert_csp_clean(page: str) -> None:
    """No inline script, handler or style: the CSP forbids them."""
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert not re.search(r"\son[a-z]+=", page)
    assert " style=" not in page and "<style" not in page


@pytest.mark.parametrize("lang", ["en", "de"])
def test_schedule_page(app, attendee, booth, lang):
    ref, client = attendee
    keynote = make.session(app, "Keynote: Green Deal", room="Plenary", track="Keynote", speakers=["Isabel Marchetti"])
    make.session(app, "Hydrogen valleys", room="Room Green Deal", track="Green Deal")
    make.session(app, "Day two", start=T0 + timedelta(days=1), room="Plenary")
    make.favourite(app, ref.id, keynote)
    page = html(client.get(f"/schedule?lang={lang}"))
    assert f'<html lang="{lang}">' in page
    assert "Keynote: Green Deal" in page and "Hydrogen valleys" in page and "Day two" in page
    assert page.count('class="room-column"') == 3  # two rooms on day one, one on day two
    assert page.count("data-schedule-day") == 2
    assert 'data-favourite-toggle data-session-id="%d"' % keynote in page
    pressed = re.search(r'data-session-id="%d"\s+aria-pressed="(\w+)"' % keynote, page)
    assert pressed and pressed.group(1) == "true"
    assert 'aria-pressed="false"' in page
    assert "/schedule.ics" in page and "webcal://" in page and "/api/me/agenda.ics" in page
    assert "Europe/Berlin" in page
    assert_csp_clean(page)


def test_schedule_times_in_the_persons_zone(app, attendee):
    ref, client = attendee
    make.session(app, "Keynote", start=T0)  # 08:00 UTC = 09:00 Berlin
    assert ">09:00</time>" in html(client.get("/schedule?lang=de"))
    assert client.patch("/api/me", json={"timezone": "America/New_York"}).status_code == 200
    page = html(client.get("/schedule?lang=de"))
    assert ">03:00</time>" in page and "America/New_York" in page and "Europe/Berlin" in page


def test_schedule_filters(app, attendee):
    _, client = attendee
    make.session(app, "Keynote", track="Keynote", room="Plenary")
    make.session(app, "Hydrogen", track="Green Deal", room="Room Green Deal")
    page = html(client.get("/schedule?track=Green+Deal"))
    assert "Hydrogen" in page and ">Keynote</a>" not in page
    page = html(client.get("/schedule?room=Plenary"))
    assert ">Keynote</a>" in page and "Hydrogen</a>" not in page
    page = html(client.get("/schedule?room=Nowhere"))
    assert "No session matches this filter." in page


def test_live_and_next_are_marked(app, attendee):
    _, client = attendee
    now = utcnow()
    running = make.session(app, "Running talk", start=now - timedelta(minutes=5), minutes=30)
    upcoming = make.session(app, "Upcoming talk", start=now + timedelta(hours=1), minutes=30)
    page = html(client.get("/schedule"))
    assert re.search(r'session-card is-live" data-session-id="%d"' % running, page)
    assert re.search(r'session-card is-next" data-session-id="%d"' % upcoming, page)
    lobby = html(client.get("/"))
    assert "Running talk" in lobby and "Upcoming talk" in lobby
    assert lobby.index("Running talk") < lobby.index("Upcoming talk")


@pytest.mark.parametrize("lang", ["en", "de"])
def test_lobby(app, attendee, booth, lang):
    _, client = attendee
    page = html(client.get(f"/?lang={lang}"))
    assert f'<html lang="{lang}">' in page
    assert "Anna Becker" in page
    assert 'href="/booths"' in page and 'href="/schedule"' in page
    assert "Cluster Elektromobilität Süd-West" in page  # booths of the moment
    assert "data-announcements" in page
    assert_csp_clean(page)


def test_lobby_and_schedule_are_public_without_personal_parts(app, anon):
    make.session(app, "Public keynote")
    lobby = html(anon.get("/"))
    assert "/login" in lobby and "data-favourite-toggle" not in lobby
    schedule = html(anon.get("/schedule"))
    assert "Public keynote" in schedule and "data-favourite-toggle" not in schedule
    assert "/api/me/agenda.ics" not in schedule


def test_session_page(app, attendee, booth):
    _, client = attendee
    session_id = make.session(app, "Guided tour", room="Booth tours", track="Booth tour",
                              speakers=["Stefan Albrecht"], abstract="First part.\n\nSecond <b>part</b>.",
                              booth=booth)
    for lang in ("en", "de"):
        page = html(client.get(f"/sessions/{session_id}?lang={lang}"))
        assert f'<html lang="{lang}">' in page
        assert "<h1" in page and "Guided tour" in page and "Stefan Albrecht" in page and "Booth tours" in page
        assert "<p>First part.</p>" in page and "Second &lt;b&gt;part&lt;/b&gt;." in page
        assert f'href="/booths/{booth}"' in page
        assert 'aria-pressed="false"' in page
        assert "data-chat-messages" in page and f'data-chat-room="session:{session_id}"' in page
        assert_csp_clean(page)


def test_session_page_needs_login_and_an_existing_session(app, anon, attendee):
    session_id = make.session(app)
    response = anon.get(f"/sessions/{session_id}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/login?next=/sessions/{session_id}")
    assert attendee[1].get("/sessions/999").status_code == 404


def test_scripts_and_styles_are_served(app, anon):
    assert anon.get("/static/js/schedule.js").status_code == 200
    assert anon.get("/static/css/schedule.css").status_code == 200


def test_schedule_page_survives_hostile_filters(app, attendee):
    _, client = attendee
    make.session(app, "Keynote", track="Keynote")
    for query in ("?track=%00", "?room=%ED%A0%80", "?track=" + "x" * 500):
        assert client.get("/schedule" + query).status_code == 200

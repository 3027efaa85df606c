"""What people do, in a real browser against the real server (demo event loaded).

Two people in two browser contexts (two sets of cookies) see each other live:
booth chat, moderation, announcements, meeting requests."""
from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import expect

from .conftest import BOOTH, PEOPLE, shot

ROOT = Path(__file__).resolve().parents[3]


def wait_for_socket(page) -> None:
    page.wait_for_function("() => window.Exhibition && Exhibition.socket && Exhibition.socket.connected")


def wait_for_chat(page) -> None:
    """The chat panel has joined its room (its history is shown, the form usable)."""
    wait_for_socket(page)
    expect(page.locator("[data-chat-status]")).to_have_text(re.compile("Connected|Verbunden"), timeout=10_000)


def test_login_walk_the_hall_and_filter_by_topic(open_page):
    page = open_page()
    page.goto("/booths")
    assert "/login" in page.url, "the hall needs a login"
    page.fill("input[name=email]", PEOPLE["visitor"]["email"])
    page.fill("input[name=password]", "e2e-password-1")
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.url.endswith("/booths"), "after login the visitor lands where they wanted to go"
    cards = page.locator('main a[href^="/booths/"]')
    expect(cards.first).to_be_visible()
    all_slugs = {href.split("/booths/")[1] for href in cards.evaluate_all("els => els.map(e => e.getAttribute('href'))")}
    assert BOOTH in all_slugs and len(all_slugs) >= 3
    shot(page, "hall")

    booths = page.request.get("/api/booths").json()["booths"]
    topic = next(b for b in booths if b["slug"] == BOOTH)["topics"][0]
    expected = {b["slug"] for b in booths if topic in b["topics"]}
    assert expected != all_slugs, "the topic should narrow the hall down"
    topic_filter = page.locator("select[name=topic]")
    if topic_filter.count():
        topic_filter.select_option(label=topic)
        submit = page.locator("form:has(select[name=topic]) button[type=submit]")
        if submit.count():
            with page.expect_navigation():
                submit.click()
    else:
        with page.expect_navigation():
            page.locator(f'a[href*="topic="]:has-text("{topic}")').first.click()
    page.wait_for_function(
        "n => document.querySelectorAll('main a[href^=\"/booths/\"]').length <= n", arg=len(expected))
    shown = {href.split("/booths/")[1].split("?")[0] for href in
             page.locator('main a[href^="/booths/"]').evaluate_all("els => els.map(e => e.getAttribute('href'))")}
    assert shown == expected, (topic, shown, expected)
    shot(page, "hall-filtered")

    with page.expect_navigation():
        page.locator(f'main a[href="/booths/{BOOTH}"]').first.click()
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("[data-booth-staff]")).to_contain_text(PEOPLE["staff"]["name"])


def test_two_people_chat_at_a_booth_and_staff_moderates(open_page):
    visitor, staff = open_page("visitor"), open_page("staff")
    for page in (visitor, staff):
        page.goto(f"/booths/{BOOTH}")
        wait_for_chat(page)
    text = f"Hello from the visitor {uuid.uuid4().hex[:6]}"
    visitor.fill("[data-chat-input]", text)
    visitor.click("[data-chat-send]")
    mine = visitor.locator("[data-chat-messages] [data-message-id]", has_text=text)
    expect(mine).to_have_count(1)
    theirs = staff.locator("[data-chat-messages] [data-message-id]", has_text=text)
    expect(theirs).to_have_count(1)  # live, no reload
    expect(visitor.locator("[data-chat-input]")).to_have_value("")

    reply = f"Welcome at our booth {uuid.uuid4().hex[:6]}"
    staff.fill("[data-chat-input]", reply)
    staff.click("[data-chat-send]")
    expect(visitor.locator("[data-chat-messages] [data-message-id]", has_text=reply)).to_have_count(1)
    # screen readers hear the new message through a polite live region
    live = visitor.locator("[data-chat-panel] [aria-live]")
    expect(live.first).to_contain_text(reply)
    shot(staff, "booth-chat-staff")
    shot(visitor, "booth-chat-visitor")

    visitor.reload()
    wait_for_chat(visitor)
    expect(visitor.locator("[data-chat-messages] [data-message-id]", has_text=text)).to_have_count(1)
    expect(visitor.locator("[data-chat-messages] [data-message-id]", has_text=reply)).to_have_count(1)

    # "visitors now" follows the room live: the staff member leaves the page, the count drops
    visitors = visitor.locator("[data-visitors-now]")
    present = visitor.locator("[data-chat-present] li")
    expect(present.filter(has_text=PEOPLE["staff"]["name"])).to_have_count(1)
    before = present.count()
    expect(visitors).to_have_attribute("data-visitors-now", str(before))
    expect(visitors).to_have_text(re.compile(rf"^{before} visitors at this booth now$"))
    staff.goto("/")
    expect(present.filter(has_text=PEOPLE["staff"]["name"])).to_have_count(0)
    expect(visitors).to_have_attribute("data-visitors-now", str(before - 1))
    expect(visitors).to_have_text(re.compile(rf"^{before - 1} visitors? at this booth now$"))
    staff.goto(f"/booths/{BOOTH}")
    wait_for_chat(staff)
    expect(visitors).to_have_attribute("data-visitors-now", str(before))

    staff.once("dialog", lambda dialog: dialog.accept())
    theirs.locator("[data-chat-delete]").click()
    expect(visitor.locator("[data-chat-messages] [data-message-id]", has_text=text)).to_have_count(0)
    expect(staff.locator("[data-chat-messages] [data-message-id]", has_text=text)).to_have_count(0)
    visitor.reload()
    wait_for_chat(visitor)
    expect(visitor.locator("[data-chat-messages] [data-message-id]", has_text=reply)).to_have_count(1)
    expect(visitor.locator("[data-chat-messages]")).not_to_contain_text(text)


def test_an_announcement_appears_live_on_every_page(open_page):
    visitor = open_page("visitor")
    visitor.goto("/schedule")
    wait_for_socket(visitor)
    other = open_page("visitor2")
    other.goto("/attendees")
    wait_for_socket(other)
    organiser = open_page("organiser")
    organiser.goto("/admin")
    text = f"Coffee break in 5 minutes {uuid.uuid4().hex[:6]}"
    form = organiser.locator("[data-announcement-form]")
    form.locator("textarea").fill(text)
    form.locator("button[type=submit]").click()
    for page in (visitor, other, organiser):
        expect(page.locator("[data-announcements]")).to_contain_text(text)
    shot(visitor, "announcement-live")


def test_favourite_a_session_and_see_it_in_the_agenda(open_page):
    page = open_page("visitor2")
    page.goto("/schedule")
    toggle = page.locator("[data-favourite-toggle]").first
    expect(toggle).to_be_visible()
    session_id = toggle.evaluate("el => el.closest('[data-session-id]').dataset.sessionId")
    pressed_before = toggle.get_attribute("aria-pressed")
    toggle.click()
    expect(toggle).not_to_have_attribute("aria-pressed", pressed_before or "false")
    shot(page, "schedule")
    title = page.request.get(f"/api/sessions/{session_id}").json()["title"]
    page.goto("/me")
    expect(page.locator("[data-agenda]")).to_contain_text(title)
    shot(page, "me-agenda")
    agenda = page.request.get("/api/me/agenda").json()["sessions"]
    assert int(session_id) in [s["id"] for s in agenda]


def test_request_a_meeting_and_see_it_accepted_live(open_page):
    requester, invitee = open_page("asker"), open_page("askee")
    invitee.goto("/me")
    wait_for_socket(invitee)
    requester.goto("/me")
    wait_for_socket(requester)
    note = f"Shall we talk about batteries? {uuid.uuid4().hex[:6]}"
    form = requester.locator("[data-meeting-form]")
    person = form.locator("select").first
    person.select_option(person.locator("option", has_text=PEOPLE["askee"]["name"]).first.get_attribute("value"))
    day = date.today() + timedelta(days=3 + uuid.uuid4().int % 200)
    form.locator("input[type=date]").fill(day.isoformat())
    form.locator("input[type=time]").fill("10:30")
    form.locator("textarea").fill(note)
    form.locator("button[type=submit]").click()
    expect(requester.locator("[data-meetings-outgoing]")).to_contain_text(note)

    request = invitee.locator("[data-meetings-incoming] li", has_text=note)
    expect(request).to_contain_text(PEOPLE["asker"]["name"])  # live, no reload
    shot(invitee, "meeting-request-incoming")
    request.get_by_role("button", name=re.compile("Accept|Annehmen")).click()
    expect(requester.locator("[data-meetings-accepted]")).to_contain_text(note)
    expect(requester.locator("[data-meetings-accepted]")).to_contain_text(PEOPLE["askee"]["name"])
    expect(invitee.locator("[data-meetings-accepted]")).to_contain_text(PEOPLE["asker"]["name"])
    expect(requester.locator("[data-meetings-outgoing]")).not_to_contain_text(note)
    shot(requester, "meeting-accepted")


def test_switch_language_to_german_and_back(open_page):
    page = open_page("visitor")
    page.goto("/booths")
    english_nav = page.locator("nav.main-nav").inner_text()
    page.click('a[hreflang="de"]')
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.locator('a[hreflang="de"]')).to_have_attribute("aria-current", "true")
    if (ROOT / "translations" / "de").exists():
        assert page.locator("nav.main-nav").inner_text() != english_nav, "German is chosen but not shown"
    shot(page, "hall-de")
    page.goto("/schedule")  # the choice is kept
    expect(page.locator("html")).to_have_attribute("lang", "de")
    page.click('a[hreflang="en"]')
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.locator("nav.main-nav").inner_text() == english_nav


def test_the_admin_console_creates_a_booth_and_a_session(open_page):
    page = open_page("organiser")
    page.goto("/admin")
    wait_for_socket(page)
    slug = f"e2e-booth-{uuid.uuid4().hex[:6]}"
    booth_form = page.locator("[data-booth-form]")
    booth_form.locator("[name=name]").fill("E2E Mobility Cluster")
    booth_form.locator("[name=slug]").fill(slug)
    booth_form.locator("[name=tagline]").fill("Made by a browser test")
    booth_form.locator("[name=topics]").fill("hydrogen, testing")
    booth_form.locator("button[type=submit]").click()
    expect(page.locator("[data-admin-booths]")).to_contain_text("E2E Mobility Cluster")
    assert page.request.get(f"/api/booths/{slug}").status == 200

    title = f"E2E talk {uuid.uuid4().hex[:6]}"
    session_form = page.locator("[data-session-form]")
    session_form.locator("[name=title]").fill(title)
    session_form.locator("[name=starts_at]").fill("2031-06-01T10:00")
    session_form.locator("[name=ends_at]").fill("2031-06-01T10:45")
    session_form.locator("[name=room]").fill(f"E2E room {uuid.uuid4().hex[:4]}")
    session_form.locator("button[type=submit]").click()
    expect(page.locator("[data-admin-sessions]")).to_contain_text(title)
    sessions = page.request.get("/api/sessions?from=2031-06-01T00:00:00%2B00:00&to=2031-06-02T00:00:00%2B00:00")
    assert title in [s["title"] for s in sessions.json()["sessions"]]
    shot(page, "admin-console")

    page.goto("/booths")
    expect(page.locator(f'main a[href="/booths/{slug}"]').first).to_be_visible()

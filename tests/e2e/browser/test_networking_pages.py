"""Browser: meeting requests with live updates on /me, the directory, the organiser pages."""
from __future__ import annotations

import json
import random

import pytest

from ..livesrv import http_login
from .conftest import PEOPLE, axe_violations


def _user_id(live, who: str) -> int:
    return http_login(live.url, PEOPLE[who]["email"]).get(live.url + "/api/me", timeout=10).json()["user"]["id"]


def test_meeting_request_appears_live_and_accepting_shows_the_video_link(open_page, live):
    viktor_id = _user_id(live, "visitor2")
    vera = open_page("visitor")
    viktor = open_page("visitor2")
    viktor.goto("/me")
    viktor.wait_for_selector("[data-meetings-incoming] li")
    vera.goto(f"/me?with={viktor_id}#meeting-form")
    assert vera.input_value("#meeting-person") == str(viktor_id)
    day = random.randint(1, 28)  # a fresh slot, so a rerun on the same server finds no overlap
    vera.fill("#meeting-date", f"2021-03-{day:02d}")
    vera.fill("#meeting-time", f"{random.randint(8, 17):02d}:00")
    vera.fill("#meeting-note", "Batteries <b>and</b> hydrogen?")
    vera.click("[data-meeting-form] button[type=submit]")
    mine = vera.wait_for_selector("[data-meetings-outgoing] [data-meeting-status=pending]")
    meeting_id = mine.get_attribute("data-meeting-id")

    incoming = viktor.wait_for_selector(f"[data-meetings-incoming] [data-meeting-id='{meeting_id}']")
    assert "Batteries <b>and</b> hydrogen?" in incoming.text_content()  # shown as text
    incoming.query_selector("[data-meeting-action=accept]").click()

    link = vera.wait_for_selector(f"[data-meetings-accepted] [data-meeting-id='{meeting_id}'] [data-meeting-video]")
    assert link.get_attribute("href").startswith("https://meet.jit.si/")
    viktor.wait_for_selector(f"[data-meetings-accepted] [data-meeting-id='{meeting_id}'] [data-meeting-video]")
    vera.click(f"[data-meetings-accepted] [data-meeting-id='{meeting_id}'] [data-meeting-action=cancel]")
    viktor.wait_for_selector(f"[data-meetings-closed] [data-meeting-id='{meeting_id}'][data-meeting-status=cancelled]",
                             state="attached")


def test_directory_search(open_page):
    page = open_page("visitor")
    page.goto("/attendees")
    page.fill("#people-q", "Viktor")
    with page.expect_navigation():
        page.click("form[role=search] button[type=submit]")
    cards = page.locator("[data-attendee-id]")
    assert cards.count() == 1 and "Viktor Visitor" in cards.first.text_content()


def test_profile_form_saves_interests(open_page, live):
    page = open_page("visitor2")
    page.goto("/me")
    page.fill("#profile-interests", "hydrogen,  batteries , ")
    page.click("[data-profile-form] button[type=submit]")
    # a function, not an expression: expressions need eval, which the CSP forbids
    page.wait_for_function("() => document.querySelector('[data-profile-status]').textContent.length > 0")
    me = http_login(live.url, PEOPLE["visitor2"]["email"]).get(live.url + "/api/me", timeout=10).json()["user"]
    assert me["interests"] == ["hydrogen", "batteries"]


@pytest.mark.parametrize("who, path", [("visitor", "/attendees"), ("visitor", "/me"),
                                       ("organiser", "/admin"), ("organiser", "/admin/stats")])
@pytest.mark.parametrize("lang", ["en", "de"])
def test_pages_have_no_axe_violations(open_page, who, path, lang):
    page = open_page(who, bypass_csp=True)
    page.goto(f"{path}?lang={lang}")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == lang
    assert axe_violations(page) == []


def test_console_is_refused_to_attendees(open_page):
    page = open_page("visitor")
    response = page.goto("/admin")
    assert response.status == 403


def test_console_manages_booths_staff_sessions_and_announcements(open_page):
    page = open_page("organiser")
    page.on("dialog", lambda dialog: dialog.accept())
    tag = random.randint(1000, 9999)
    page.goto("/admin")
    page.wait_for_selector("[data-admin-booths] [data-booth-slug]")

    page.fill("#booth-name", f"Browser Test Booth {tag}")
    page.fill("#booth-slug", f"browser-test-{tag}")
    page.fill("#booth-topics", "testing, browsers")
    page.click("[data-booth-form] button[type=submit]")
    row = page.wait_for_selector(f"[data-admin-booths] [data-booth-slug='browser-test-{tag}']")
    assert "testing, browsers" in row.text_content()

    page.select_option("[data-staff-booth]", f"browser-test-{tag}")
    page.fill("#staff-query", PEOPLE["organiser"]["email"])
    page.click("[data-staff-lookup] button[type=submit]")
    page.click("[data-staff-results] [data-lookup-user-id] button")
    page.wait_for_selector("[data-staff-list] [data-staff-user-id]")
    page.click("[data-staff-list] [data-staff-user-id] button")
    page.wait_for_selector("[data-staff-list] [data-staff-user-id]", state="detached")

    page.fill("#session-title", f"Browser test session {tag}")
    page.fill("#session-start", "2021-05-04T10:00")
    page.fill("#session-end", "2021-05-04T11:00")
    page.fill("#session-room", f"Test room {tag}")
    page.select_option("#session-booth", f"browser-test-{tag}")
    page.click("[data-session-form] button[type=submit]")
    session_row = page.wait_for_selector(f"[data-admin-sessions] tr:has-text('Browser test session {tag}')")
    session_id = session_row.get_attribute("data-session-id")
    session = page.evaluate(f"Exhibition.api('GET', '/api/sessions/{session_id}')")
    assert session["starts_at"] == "2021-05-04T08:00:00+00:00"  # 10:00 in Berlin (CEST)
    assert session["booth_slug"] == f"browser-test-{tag}"
    session_row.query_selector("button.danger").click()
    page.wait_for_selector(f"[data-admin-sessions] [data-session-id='{session_id}']", state="detached")

    schedule = {"schedule": {"version": "1", "conference": {"title": "ECC", "time_zone_name": "Europe/Berlin", "days": [
        {"index": 1, "date": "2021-06-01", "rooms": {f"Import room {tag}": [
            {"guid": f"browser-import-{tag}", "title": f"Imported talk {tag}", "date": "2021-06-01T09:00:00+02:00",
             "start": "09:00", "duration": "00:45", "room": f"Import room {tag}", "track": "", "abstract": "",
             "persons": []}]}}]}}}
    page.set_input_files("#import-file", files=[{"name": "schedule.json", "mimeType": "application/json",
                                                 "buffer": json.dumps(schedule).encode()}])
    page.click("[data-import-form] button[type=submit]")
    page.wait_for_selector(f"[data-admin-sessions] tr:has-text('Imported talk {tag}')")
    assert "1" in page.text_content("[data-admin-status]")

    page.fill("#announcement-body", f"Browser test announcement {tag}")
    page.click("[data-announcement-form] button[type=submit]")
    page.wait_for_selector(f"[data-announcements] li:has-text('Browser test announcement {tag}')")

    page.click(f"[data-admin-booths] [data-booth-slug='browser-test-{tag}'] button.danger")
    page.wait_for_selector(f"[data-admin-booths] [data-booth-slug='browser-test-{tag}']", state="detached")

"""Browser: meeting requests with live updates on /me, the directory, the organiser pages."""
from __future__ import annotations

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
    page.wait_for_function("document.querySelector('[data-profile-status]').textContent.length > 0")
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

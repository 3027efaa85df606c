"""Accessibility: axe-core finds no WCAG 2.1 A/AA violation on any page; everything
that can be clicked can be reached with the keyboard; chat messages are announced.

"Every page" is found by crawling: from the lobby, every link on this site that a
person of that role sees (two levels deep), plus pages only reachable by URL."""
from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from .conftest import BOOTH, axe_violations, shot

SKIP = ("/logout", "/static/", "/api/", ".ics", ".csv", "?lang=", "/healthz")
EXTRA = {"anon": ["/login", "/register", "/login?next=/me", "/no-such-page"],
         "visitor": ["/no-such-page", f"/booths/{BOOTH}", "/booths/no-such-booth"],
         "staff": [f"/booths/{BOOTH}"], "organiser": ["/admin", "/admin/stats"]}


def crawl(page, start: list[str], depth: int = 2, limit: int = 40) -> list[str]:
    seen, frontier = [], list(start)
    for _ in range(depth):
        found = []
        for path in frontier:
            if path in seen or len(seen) >= limit:
                continue
            seen.append(path)
            page.goto(path)
            for href in page.locator("a[href]").evaluate_all("els => els.map(e => e.getAttribute('href'))"):
                parts = urlsplit(href)
                if parts.netloc or not href.startswith("/") or any(s in href for s in SKIP):
                    continue
                target = parts.path + (f"?{parts.query}" if parts.query else "")
                if target not in seen and target not in found:
                    found.append(target)
        frontier = found
    return seen + [p for p in frontier if p not in seen][: max(0, limit - len(seen))]


def _pages_for(page, who: str) -> list[str]:
    pages = crawl(page, ["/"] + EXTRA[who])
    # one of each kind is enough where a kind repeats (booth 1..n, session 1..n, …)
    out, kinds = [], set()
    for path in pages:
        parts = path.split("?")[0].strip("/").split("/")
        kind = parts[0] + ("/*" if len(parts) > 1 and parts[1] not in ("stats",) else "") + \
            ("?" if "?" in path else "")
        if kind in kinds and path not in EXTRA[who]:
            continue
        kinds.add(kind)
        out.append(path)
    return out


@pytest.mark.parametrize("who", ["anon", "visitor", "staff", "organiser"])
def test_no_wcag_violations_on_any_page(open_page, who):
    page = open_page(None if who == "anon" else who, bypass_csp=True)
    report = {}
    pages = _pages_for(page, who)
    assert len(pages) >= (4 if who == "anon" else 8), pages
    for path in pages:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        violations = axe_violations(page)
        if violations:
            report[path] = violations
            shot(page, f"axe-{who}-{path.strip('/').replace('/', '-').replace('?', '-') or 'lobby'}")
    assert not report, f"axe found WCAG 2.1 A/AA violations as {who}:\n" + json.dumps(report, indent=1)[:6000]


def test_the_pages_are_fine_on_a_phone(open_page):
    page = open_page("visitor", bypass_csp=True, viewport={"width": 375, "height": 740})
    for path in ("/", "/booths", f"/booths/{BOOTH}", "/schedule", "/me"):
        page.goto(path)
        page.wait_for_load_state("networkidle")
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{path} scrolls sideways on a phone by {overflow}px"
        assert not axe_violations(page), path
        shot(page, f"phone-{path.strip('/').replace('/', '-') or 'lobby'}")


FOCUSABLE = """() => [...document.querySelectorAll(
  'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex="-1"])')]
  .filter(e => !e.disabled && e.offsetParent !== null && getComputedStyle(e).visibility !== 'hidden'
               && !e.closest('[hidden], [inert], template'))
  .map(e => e.outerHTML.slice(0, 120))"""


@pytest.mark.parametrize("who,path", [
    ("anon", "/login"), ("visitor", "/booths"), ("visitor", f"/booths/{BOOTH}"), ("visitor", "/schedule"),
    ("visitor", "/me"), ("visitor", "/attendees"), ("organiser", "/admin"), ("staff", f"/booths/{BOOTH}")])
def test_everything_is_reachable_by_keyboard(open_page, who, path):
    page = open_page(None if who == "anon" else who)
    page.goto(path)
    page.wait_for_load_state("networkidle")
    targets = page.evaluate(FOCUSABLE)
    assert targets, path
    reached, first = [], None
    page.locator("body").focus()
    for _ in range(len(targets) * 2 + 10):
        page.keyboard.press("Tab")
        html = page.evaluate("() => document.activeElement ? document.activeElement.outerHTML.slice(0, 120) : ''")
        if html == first:
            break
        first = first or html
        reached.append(html)
    missing = [t for t in targets if t not in reached]
    assert not missing, f"{path} as {who}: not reachable with Tab:\n" + "\n".join(missing[:10])
    # the first Tab lands on the skip link, which leads to the main content
    assert "skip-link" in reached[0], reached[0]


def test_focus_is_visible(open_page):
    page = open_page("visitor")
    page.goto("/booths")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    style = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
        return {outline: s.outlineStyle, width: s.outlineWidth, shadow: s.boxShadow}; }""")
    assert (style["outline"] != "none" and style["width"] != "0px") or style["shadow"] != "none", style


def test_chat_is_announced_to_screen_readers(open_page):
    page = open_page("visitor")
    page.goto(f"/booths/{BOOTH}")
    panel = page.locator("[data-chat-panel]")
    live = panel.locator('[aria-live="polite"], [aria-live="assertive"], [role="log"]')
    assert live.count() >= 1, "the chat has no live region"
    label = page.locator("[data-chat-input]").evaluate(
        "el => (el.labels && el.labels.length) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')")
    assert label, "the chat input has no label"
    assert page.locator("[data-announcements]").get_attribute("aria-live") in ("polite", "assertive")

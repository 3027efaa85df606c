"""Browser fixtures: Debian's Chromium driven by Playwright against a real server process.

- ``live``: one server (demo event + the accounts in ``PEOPLE``) for the whole browser suite.
- ``browser``: headless /usr/bin/chromium (never ``playwright install``).
- ``open_page(who=None)``: a fresh browser context (its own cookies), logged in as ``who``;
  console errors, failed scripts and CSP violations are collected and fail the test.
- ``shot(page, name)``: a full-page screenshot into test-artifacts/ (gitignored).
- ``axe_violations(page)``: axe-core's WCAG 2.1 A/AA violations on the current page.
"""
from __future__ import annotations

import re
from pathlib import Path

import playwright.sync_api as playwright_api
import pytest

from ..livesrv import PASSWORD, LiveServer

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-dev-shm-usage"]
ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "test-artifacts"
AXE = Path(__file__).resolve().parents[1] / "assets" / "axe.min.js"
BOOTH = "elektromobilitaet-sued-west"
OTHER_BOOTH_HINT = "other"  # any demo booth but BOOTH

PEOPLE = {
    "organiser": {"email": "e2e-organiser@example.test", "name": "Olga Organiser", "role": "organiser"},
    "staff": {"email": "e2e-staff@example.test", "name": "Stefan Staff", "role": "staff", "booth": BOOTH},
    "visitor": {"email": "e2e-visitor@example.test", "name": "Vera Visitor", "role": "attendee"},
    "visitor2": {"email": "e2e-visitor2@example.test", "name": "Viktor Visitor", "role": "attendee"},
    # a pair of their own for the meeting flow, so other tests' meetings do not interfere
    "asker": {"email": "e2e-asker@example.test", "name": "Astrid Asker", "role": "attendee"},
    "askee": {"email": "e2e-askee@example.test", "name": "Bruno Askee", "role": "attendee"},
}

@pytest.hookimpl(tryfirst=True)  # before -m deselects anything
def pytest_collection_modifyitems(items):
    """Every test here starts real processes and uses its own database: e2e, and run
    only in the SQLite pass of ./dev test."""
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.sqlite_only)


@pytest.fixture(scope="session")
def live(tmp_path_factory):
    server = LiveServer(tmp_path_factory.mktemp("browser-server"), users=list(PEOPLE.values())).start()
    yield server
    server.stop()
    errors = server.errors_in_log()
    assert not errors, "the server logged unhandled errors:\n" + "\n---\n".join(errors)


@pytest.fixture(scope="session")
def browser():
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class PageProblems(list):
    """Console errors, uncaught exceptions and CSP reports seen by one context."""

    def watch(self, page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.append(f"pageerror: {exc}"))
        page.on("response", self._response)

    def _console(self, msg) -> None:
        # "Failed to load resource" names no URL; _response reports those with theirs.
        if msg.type == "error" and "Failed to load resource" not in msg.text:
            self.append(f"console: {msg.text}")

    def _response(self, response) -> None:
        """A 5xx anywhere, or a 4xx for anything but the page itself (tests check those)."""
        if response.status >= 500 or (response.status >= 400 and not response.request.is_navigation_request()):
            self.append(f"{response.status} {response.request.method} {response.url}")


@pytest.fixture
def open_page(browser, live):
    """open_page(who=None, locale="en-US", bypass_csp=False) -> a Page in a new context,
    logged in through the /login form as PEOPLE[who]."""
    contexts, problems = [], PageProblems()

    def make(who: str | None = None, locale: str = "en-US", bypass_csp: bool = False,
             viewport: dict | None = None):
        context = browser.new_context(base_url=live.url, locale=locale, bypass_csp=bypass_csp,
                                      viewport=viewport or {"width": 1280, "height": 860})
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        problems.watch(page)
        if who:
            login(page, PEOPLE[who]["email"])
        return page

    yield make
    for context in contexts:
        context.close()
    ignorable = re.compile(r"favicon|net::ERR_ABORTED|WebSocket is closed before|ERR_CONNECTION_REFUSED")
    real = [p for p in problems if not ignorable.search(p)]
    assert not real, "the browser reported problems:\n" + "\n".join(real)


def login(page, email: str, password: str = PASSWORD, next_path: str = "/") -> None:
    """Log in through the /login form (the SPEC's hooks)."""
    page.goto(f"/login?next={next_path}")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert "/login" not in page.url, f"login as {email} failed: {page.url}"


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page (the context must bypass the CSP to inject it)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]} for v in result["violations"]]


@pytest.fixture
def shoot():
    return shot

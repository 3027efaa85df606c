"""German and English: the catalogue is complete, nothing visible escapes extraction,
pages come out in the chosen language, and the scripts' strings are translated."""
from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from exhibition.demo import load_demo
from exhibition.runtime.i18n import script_messages

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "translations" / "de" / "LC_MESSAGES" / "messages.po"
BOOTH = "/booths/elektromobilitaet-sued-west"

# The navigation as it reads in each language (the labels, with their markup, so that
# English demo content such as session titles cannot match by accident).
NAV = {
    "de": [">Ausstellungshalle</a>", ">Programm</a>", ">Mein Tag</a>", ">Abmelden</button>"],
    "en": [">Booth hall</a>", ">Schedule</a>", ">My day</a>", ">Log out</button>"],
}

# Per page: words that must appear in German and in English.
PAGES = {
    "/": (["Willkommen", "Läuft gerade"], ["Welcome", "Running now"]),
    "/booths": (["Stände durchsuchen"], ["Search booths"]),
    BOOTH: (["Über diesen Cluster", "Meine Kontaktdaten hinterlassen"],
            ["About this cluster", "Leave my contact details"]),
    "/schedule": (["Programm filtern", "Kalender abonnieren", "Dienstag, 10. November 2020"],
                  ["Filter the schedule", "Subscribe to calendar", "Tuesday, November 10, 2020"]),
    "/attendees": (["Teilnehmende der Konferenz"], ["People at the conference"]),
    "/me": (["Ein Treffen anfragen", "Profil speichern"], ["Request a meeting", "Save profile"]),
    "/messages": (["Nachrichten"], ["Messages"]),
}
ORGANISER_PAGES = {
    "/admin": (["Veranstalter-Verwaltung", "Ankündigung senden"], ["Organiser console", "Send announcement"]),
    "/admin/stats": (["Kennzahlen der Veranstaltung"], ["Event figures"]),
}
ANONYMOUS_PAGES = {
    "/login": (["Passwort", "Neu hier?"], ["Password", "New here?"]),
    "/register": (["Konto anlegen", "Ihr Name"], ["Create an account", "Your name"]),
}


def _catalog():
    with PO.open("rb") as f:
        return read_po(f)


def _messages(catalog):
    return [m for m in catalog if m.id]


# ---------------------------------------------------------------- (a) the catalogue

def test_german_catalogue_is_complete_and_checked():
    catalog = _catalog()
    messages = _messages(catalog)
    assert len(messages) > 250
    untranslated = [m.id for m in messages
                    if not (all(m.string) if isinstance(m.string, tuple) else m.string)]
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert untranslated == []
    assert fuzzy == []
    # placeholders kept exactly (babel's python-format checker)
    assert [(m.id, errors) for m, errors in catalog.check()] == []


def test_plural_forms_are_german():
    catalog = _catalog()
    assert catalog.plural_forms == "nplurals=2; plural=(n != 1);"
    plurals = [m for m in _messages(catalog) if m.pluralizable]
    assert plurals and all(len(m.string) == 2 for m in plurals)


# ---------------------------------------------------------------- (b) nothing escapes extraction

def test_every_text_in_the_sources_is_in_the_german_catalogue(tmp_path):
    pot = tmp_path / "fresh.pot"
    CommandLineInterface().run([
        "pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l", "-k", "lazy_gettext",
        "-k", "ngettext:1,2", "-o", str(pot), str(ROOT)])
    with pot.open("rb") as f:
        fresh = {m.id for m in read_po(f) if m.id}
    known = {m.id for m in _messages(_catalog())}
    assert len(fresh) > 250
    assert sorted(map(str, fresh - known)) == [], "run pybabel extract/update and translate"


# ---------------------------------------------------------------- (c) pages in each language

@pytest.fixture
def demo_clients(app, make_user, client_for):
    """The demo event, then an attendee and an organiser of one's own: their ApiClients."""
    with app.app_context():
        assert load_demo()
    attendee = client_for(make_user("attendee"))
    organiser = client_for(make_user("organiser"))
    return attendee, organiser


def _page(client, path, lang):
    response = client.get(f"{path}?lang={lang}", headers={"Accept": "text/html"})
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def _check(page, path, lang, words_de, words_en):
    assert f'<html lang="{lang}">' in page, path
    text = html.unescape(page)
    expected, unexpected = (words_de, words_en) if lang == "de" else (words_en, words_de)
    for word in expected:
        assert word in text, (path, lang, word)
    for word in unexpected:
        assert word not in text, (path, lang, word)


@pytest.mark.parametrize("lang", ["de", "en"])
def test_pages_for_a_person_logged_in(demo_clients, lang):
    attendee, organiser = demo_clients
    other = "en" if lang == "de" else "de"
    for path, (words_de, words_en) in PAGES.items():
        page = _page(attendee.http, path, lang)
        _check(page, path, lang, words_de, words_en)
        for label in NAV[lang]:
            assert label in page, (path, label)
        for label in NAV[other]:
            assert label not in page, (path, label)
    for path, (words_de, words_en) in ORGANISER_PAGES.items():
        _check(_page(organiser.http, path, lang), path, lang, words_de, words_en)


@pytest.mark.parametrize("lang", ["de", "en"])
def test_pages_for_anonymous_visitors(anon, lang):
    for path, (words_de, words_en) in ANONYMOUS_PAGES.items():
        _check(_page(anon.http, path, lang), path, lang, words_de, words_en)


def test_language_from_accept_language_and_kept_in_the_session(anon):
    page = anon.http.get("/login", headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="de">' in page and "Passwort" in page
    anon.http.get("/login?lang=en")
    page = anon.http.get("/login", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert '<html lang="en">' in page and "Password" in page


def test_error_page_and_form_errors_are_german(anon, demo_clients):
    attendee, _organiser = demo_clients
    page = attendee.http.get("/booths/no-such-booth?lang=de").get_data(as_text=True)
    assert "Diese Seite gibt es nicht." in page and "Zurück zur Lobby" in page
    token = anon.token
    response = anon.http.post("/register?lang=de", data={
        "csrf_token": token, "display_name": "Kim", "email": "not-an-address", "password": "long-enough-1"})
    assert response.status_code == 400
    assert "Bitte geben Sie eine gültige E-Mail-Adresse ein." in html.unescape(response.get_data(as_text=True))


# ---------------------------------------------------------------- (d) the scripts' strings
# Scripts get their texts one way: t("…", {name: …}) / tn("…", "…", n) (static/js/app.js).
# Babel's JavaScript extractor finds those calls (babel.cfg); the page is handed exactly those
# texts, translated (exhibition/runtime/i18n.py js_strings, the hidden #i18n-strings block).

SAME_IN_GERMAN = {"online", "offline"}
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _msgid(message):
    return message[0] if isinstance(message, tuple) else message


def _js_strings(page):
    match = re.search(r'<div hidden id="i18n-strings" data-strings="([^"]*)"></div>', page)
    assert match, "i18n-strings block missing"
    return json.loads(html.unescape(match.group(1)))


def _not_in_german(messages, catalog):
    """The script texts the German catalogue lacks, leaves untranslated or fuzzy, or whose
    {placeholders} the translation does not keep."""
    problems = []
    for message in messages:
        entry = catalog.get(_msgid(message))
        if entry is None:
            problems.append((message, "missing"))
            continue
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if entry.fuzzy or not all(strings):
            problems.append((message, "untranslated"))
        elif any(set(PLACEHOLDER.findall(text)) != set(PLACEHOLDER.findall(_msgid(message))) for text in strings):
            problems.append((message, "placeholders"))
    return problems


def _script_sources():
    for script in sorted((ROOT / "static" / "js").glob("**/*.js")):
        yield script.name, re.sub(r"/\*.*?\*/", "", script.read_text(encoding="utf-8"), flags=re.S)


def test_the_scripts_texts_are_found_by_the_javascript_extractor():
    messages = script_messages()
    ids = {_msgid(m) for m in messages}
    assert len(ids) > 50
    # bare t(…) of app.js, X.t(…) and destructured t(…) of the page modules, tn(…) with its plural
    assert {"The request failed.", "Please check your entries.", "Saved.", "{when} with {name}: {status}",
            "Import done. Created: {created}, updated: {updated}.", "{name} is typing …"} <= ids
    assert ("{n} visitor at this booth now", "{n} visitors at this booth now") in messages


def test_every_script_text_is_translated_in_german():
    assert _not_in_german(script_messages(), _catalog()) == [], "run pybabel extract/update and translate"


def test_a_script_text_missing_from_the_catalogue_is_noticed(tmp_path):
    (tmp_path / "babel.cfg").write_text((ROOT / "babel.cfg").read_text(encoding="utf-8"), encoding="utf-8")
    scripts = tmp_path / "static" / "js"
    scripts.mkdir(parents=True)
    (scripts / "new.js").write_text('const { t, tn } = window.Exhibition;\n'
                                    'say(t("A text nobody has translated yet {x}", { x: 1 }));\n'
                                    'say(window.Exhibition.t("Saved."), tn("{n} new thing", "{n} new things", 2));\n',
                                    encoding="utf-8")
    found = script_messages(tmp_path)
    assert found == ("A text nobody has translated yet {x}", "Saved.", ("{n} new thing", "{n} new things"))
    assert _not_in_german(found, _catalog()) == [("A text nobody has translated yet {x}", "missing"),
                                                 (("{n} new thing", "{n} new things"), "missing")]


def test_scripts_ask_with_literal_texts_only():
    """t(variable) or t("a" + b) cannot be extracted: such a text would never reach the page."""
    calls = re.compile(r"(?<![\w$])(?:(?:X|Exhibition)\.)?(tn?)\(\s*")
    literal = re.compile(r'"(?:[^"\\]|\\.)*"\s*[,)]')
    bad = []
    for name, source in _script_sources():
        for call in calls.finditer(source):
            if source[max(0, call.start() - 9):call.start()] == "function ":
                continue
            rest = source[call.end():]
            if not literal.match(rest) or (call.group(1) == "tn" and not literal.match(
                    rest[literal.match(rest).end():].lstrip())):
                bad.append((name, source[call.start():call.start() + 60]))
    assert bad == []


def test_scripts_read_no_texts_from_elsewhere():
    """No second way: no texts in data attributes read by the scripts, no lists of their own."""
    other_ways = re.compile(r'dataset(?:\.text\w*|\["text|\.(?:saved|failed|onlineText|offlineText))|'
                            r'data-[\w-]*strings\]|dataset\[\s*"text')
    found = [(name, m.group(0)) for name, source in _script_sources() for m in other_ways.finditer(source)]
    assert found == []


def test_the_page_hands_the_scripts_exactly_their_texts_translated(demo_clients):
    attendee, _organiser = demo_clients
    german = _js_strings(_page(attendee.http, "/me", "de"))
    english = _js_strings(_page(attendee.http, "/", "en"))
    wanted = {_msgid(m) for m in script_messages()}
    assert set(german) == set(english) == wanted
    for message in script_messages():
        if isinstance(message, tuple):
            assert english[message[0]] == list(message)
        else:
            assert english[message] == message
    assert german["Error:"] == "Fehler:"
    assert german["{when} with {name}: {status}"] == "{when} mit {name}: {status}"
    assert german["{n} visitor at this booth now"] == ["{n} Person gerade an diesem Stand",
                                                      "{n} Personen gerade an diesem Stand"]
    assert {key for key, value in german.items() if value == english[key]} <= SAME_IN_GERMAN

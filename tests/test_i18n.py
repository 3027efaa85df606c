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
def people(app, make_user, client_for):
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
def test_pages_for_a_person_logged_in(people, lang):
    attendee, organiser = people
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


def test_error_page_and_form_errors_are_german(anon, people):
    attendee, _organiser = people
    page = attendee.http.get("/booths/no-such-booth?lang=de").get_data(as_text=True)
    assert "Diese Seite gibt es nicht." in page and "Zurück zur Lobby" in page
    token = anon.token
    response = anon.http.post("/register?lang=de", data={
        "csrf_token": token, "display_name": "Kim", "email": "not-an-address", "password": "long-enough-1"})
    assert response.status_code == 400
    assert "Bitte geben Sie eine gültige E-Mail-Adresse ein." in html.unescape(response.get_data(as_text=True))


# ---------------------------------------------------------------- (d) the scripts' strings

def _js_strings(page):
    match = re.search(r'<div hidden id="i18n-strings" data-strings="([^"]*)"></div>', page)
    assert match, "i18n-strings block missing"
    return json.loads(html.unescape(match.group(1)))


def test_js_strings_block_is_translated(people):
    attendee, _organiser = people
    german = _js_strings(_page(attendee.http, "/me", "de"))
    english = _js_strings(_page(attendee.http, "/me", "en"))
    assert german.keys() == english.keys()
    assert all(key == value for key, value in english.items())
    assert german["Error:"] == "Fehler:"
    assert german["{when} with {name}: {status}"] == "{when} mit {name}: {status}"
    assert all(value and value != key for key, value in german.items() if key not in ("ECC 2020",))


def test_every_key_the_scripts_ask_for_exists(people):
    attendee, _organiser = people
    keys = set(_js_strings(_page(attendee.http, "/", "de")))
    used = set()
    for script in (ROOT / "static" / "js").glob("*.js"):
        source = re.sub(r"/\*.*?\*/", "", script.read_text(encoding="utf-8"), flags=re.S)  # not comments
        used |= set(re.findall(r'\b(?:X|Exhibition)\.t\("((?:[^"\\]|\\.)*)"', source))
        if script.name == "app.js":  # where t is defined and used bare, and the error-code texts
            used |= set(re.findall(r'[^.\w]t\("((?:[^"\\]|\\.)*)"', source))
            block = re.search(r"ERROR_TEXTS = \{(.*?)\};", source, re.S)
            assert block, "ERROR_TEXTS not found in app.js"
            used |= set(re.findall(r'\w+: "((?:[^"\\]|\\.)*)"', block.group(1)))
    assert used, "no Exhibition.t calls found"
    assert sorted(used - keys) == []

"""Booth pages (/booths, /booths/<slug>), the safe Markdown renderer and the demo booths."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from exhibition.extensions import db
from exhibition.realtime.presence import store

EVIL = ("Hello **world**\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n"
        "[x](javascript:alert(1)) [ok](https://example.org/page) <a href=\"javascript:alert(2)\">a</a>")


class _Elements(HTMLParser):
    """Every element and its attributes, as a browser would see them."""

    def __init__(self, html: str):
        super().__init__()
        self.found: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, {k: v or "" for k, v in attrs}))


def assert_inert(html: str) -> None:
    for tag, attrs in _Elements(html).found:
        assert tag not in ("iframe", "object", "embed"), tag
        if tag == "script":
            assert "src" in attrs and attrs["src"].startswith("/static/"), attrs  # only our own files
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        for name in ("href", "src", "action"):
            assert not attrs.get(name, "").strip().lower().startswith(("javascript:", "data:")), (tag, attrs)


@pytest.fixture
def setup(app, make_user, client_for):
    organiser = make_user("organiser")
    org = client_for(organiser)
    assert org.post("/api/booths", json={
        "name": "Elektromobilität Süd-West", "tagline": "Batteries & charging", "description": EVIL,
        "topics": ["e-mobility", "batteries"], "website": "https://emobil.example.org",
        "video_url": "https://video.example.org/em", "logo_url": "/static/img/booths/elektromobilitaet-sued-west.svg",
    }).status_code == 201
    assert org.post("/api/booths", json={"name": "Silesia Hydrogen Valley", "topics": ["hydrogen"]}).status_code == 201
    staff = make_user("attendee", name="Katrin Staff", booth="elektromobilitaet-sued-west")
    other_staff = make_user("attendee", name="Piotr Other", booth="silesia-hydrogen-valley")
    visitor = make_user("attendee", name="Vera Visitor")
    return {"organiser": organiser, "staff": staff, "other_staff": other_staff, "visitor": visitor}


def test_pages_need_login(anon, setup):
    for path in ("/booths", "/booths/elektromobilitaet-sued-west", "/booths?q=x"):
        response = anon.get(path)
        assert response.status_code == 302
        assert "/login?next=" in response.headers["Location"]
        assert "booths" in response.headers["Location"]


def test_hall_lists_cards_and_filters_without_js(client_for, setup):
    api = client_for(setup["visitor"])
    store().join("online", setup["staff"].id, "sid")
    html = api.get("/booths").get_data(as_text=True)
    assert 'data-booth-slug="elektromobilitaet-sued-west"' in html and 'data-booth-slug="silesia-hydrogen-valley"' in html
    assert 'name="q"' in html and 'name="topic"' in html and 'method="get"' in html
    assert "Batteries &amp; charging" in html
    assert 'src="/static/img/booths/elektromobilitaet-sued-west.svg"' in html
    assert 'data-staff-online="1"' in html
    searched = api.get("/booths?q=HYDROGEN").get_data(as_text=True)
    assert "silesia-hydrogen-valley" in searched and "elektromobilitaet-sued-west" not in searched
    filtered = api.get("/booths?topic=batteries").get_data(as_text=True)
    assert "elektromobilitaet-sued-west" in filtered and 'data-booth-slug="silesia-hydrogen-valley"' not in filtered
    none = api.get("/booths?q=nothing-like-this").get_data(as_text=True)
    assert "data-booth-list" not in none


def test_detail_page_for_a_visitor(app, client_for, setup):
    api = client_for(setup["visitor"])
    store().join("online", setup["staff"].id, "sid")
    response = api.get("/booths/elektromobilitaet-sued-west")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Elektromobilität Süd-West" in html and "https://emobil.example.org" in html
    assert "https://video.example.org/em" in html
    staff_list = html[html.index("data-booth-staff"):]
    assert f'data-staff-id="{setup["staff"].id}"' in staff_list
    assert re.search(rf'data-staff-id="{setup["staff"].id}" data-online="true">\s*<span[^>]*>online<', staff_list)
    assert 'name="share_contact"' in html and 'name="note"' in html
    assert "name, organisation and e-mail address" in html
    # a visitor sees no management
    assert "data-booth-manage" not in html and "leads.csv" not in html and "data-booth-edit" not in html
    # the chat panel slot for the chat area
    assert 'data-chat-room="booth:elektromobilitaet-sued-west"' in html or "data-chat-panel" not in html
    # the visit counts
    stats = client_for(setup["organiser"]).get("/api/booths/elektromobilitaet-sued-west/stats").get_json()
    assert stats["visits"] == 1 and stats["unique_visitors"] == 1


def test_offline_staff_is_labelled_offline(client_for, setup):
    html = client_for(setup["visitor"]).get("/booths/silesia-hydrogen-valley").get_data(as_text=True)
    assert re.search(rf'data-staff-id="{setup["other_staff"].id}" data-online="false">\s*<span[^>]*>offline<', html)


def test_markdown_description_renders_inert(client_for, setup):
    html = client_for(setup["visitor"]).get("/booths/elektromobilitaet-sued-west").get_data(as_text=True)
    description = html[html.index("data-booth-description"):html.index("data-booth-description") + 3000]
    assert "<strong>world</strong>" in description
    assert_inert(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in description  # shown as text
    assert '<a href="https://example.org/page" rel="noopener noreferrer nofollow">ok</a>' in description


def test_markdown_renderer_directly():
    from exhibition.runtime.markdown import render
    out = str(render(EVIL + "\n\n[m](mailto:a@example.org) ![i](https://example.org/i.png)"))
    assert_inert(out)
    assert not any(tag in ("img", "script") for tag, _ in _Elements(out).found)
    assert '<a href="mailto:a@example.org" rel="noopener noreferrer nofollow">m</a>' in out
    assert "&lt;script&gt;" in out  # shown as text, not run
    assert str(render("")) == "" and str(render(None)) == ""


def test_staff_and_organiser_see_management_with_leads_and_figures(app, client_for, setup):
    visitor = client_for(setup["visitor"])
    visitor.post("/api/booths/elektromobilitaet-sued-west/leads",
                 json={"share_contact": True, "note": "<b>call</b> me"})
    for who in ("staff", "organiser"):
        html = client_for(setup[who]).get("/booths/elektromobilitaet-sued-west").get_data(as_text=True)
        assert "data-booth-manage" in html and "data-booth-edit" in html
        assert "/api/booths/elektromobilitaet-sued-west/leads.csv" in html
        assert f'data-lead-user-id="{setup["visitor"].id}"' in html
        assert "&lt;b&gt;call&lt;/b&gt; me" in html
        assert 'data-stat="leads">1<' in html
    other = client_for(setup["other_staff"]).get("/booths/elektromobilitaet-sued-west").get_data(as_text=True)
    assert "data-booth-manage" not in other and "&lt;b&gt;call" not in other


def test_lead_form_without_js(app, client_for, setup):
    api = client_for(setup["visitor"])
    path = "/booths/elektromobilitaet-sued-west/lead"
    refused = api.http.post(path, data={"csrf_token": api.token, "note": "hi"})
    assert refused.status_code == 400
    assert "tick the box" in refused.get_data(as_text=True)
    assert api.http.post(path, data={"note": "hi", "share_contact": "1"}).status_code in (400, 403)  # no CSRF token
    leads = client_for(setup["staff"]).get("/api/booths/elektromobilitaet-sued-west/leads").get_json()["leads"]
    assert leads == []
    done = api.http.post(path, data={"csrf_token": api.token, "note": "hi", "share_contact": "1"})
    assert done.status_code in (302, 303)
    leads = client_for(setup["staff"]).get("/api/booths/elektromobilitaet-sued-west/leads").get_json()["leads"]
    assert [lead["note"] for lead in leads] == ["hi"]
    assert api.http.post("/booths/nope/lead", data={"csrf_token": api.token, "share_contact": "1"}).status_code == 404


def test_unknown_booth_page_is_404(client_for, setup):
    response = client_for(setup["visitor"]).get("/booths/no-such-booth")
    assert response.status_code == 404
    assert "<html" in response.get_data(as_text=True)


@pytest.mark.parametrize("lang", ["en", "de"])
def test_pages_render_in_both_languages_with_the_demo(app, make_user, client_for, lang):
    from exhibition.booths.models import Booth, BoothStaff
    from exhibition.demo import load_demo
    with app.app_context():
        assert load_demo() is True
        booths = db.session.query(Booth).all()
        slugs = {b.slug for b in booths}
        assert len(booths) >= 8 and "elektromobilitaet-sued-west" in slugs
        for booth in booths:
            assert db.session.query(BoothStaff).filter_by(booth_id=booth.id).count() >= 1, booth.slug
            assert booth.logo_url == f"/static/img/booths/{booth.slug}.svg"
            assert app.static_folder and __import__("os").path.exists(
                f"{app.static_folder}/img/booths/{booth.slug}.svg")
    visitor = make_user("attendee")
    api = client_for(visitor)
    hall = api.get(f"/booths?lang={lang}")
    assert hall.status_code == 200
    html = hall.get_data(as_text=True)
    assert f'<html lang="{lang}"' in html
    assert html.count("data-booth-slug=") >= 8
    for slug in sorted(slugs):
        page = api.get(f"/booths/{slug}")
        assert page.status_code == 200, slug
        text = page.get_data(as_text=True)
        assert f'<html lang="{lang}"' in text and "data-booth-staff" in text and "data-staff-id=" in text


def test_booth_page_carries_the_visitor_count_texts_for_live_updates(app, make_user, client_for):
    """The chat panel's presence updates the "visitors now" line; the page gives the
    script both counted forms in its language, with {n} for the number (in the
    page's one block of script texts, #i18n-strings)."""
    import html as html_module
    import json
    import re

    from tests import factories as make
    make.booth(app, "counted-booth")
    client = client_for(make_user())
    for lang, one, other in (("en", "{n} visitor at this booth now", "{n} visitors at this booth now"),
                             ("de", None, None)):
        html = client.get(f"/booths/counted-booth?lang={lang}").get_data(as_text=True)
        block = re.search(r'id="i18n-strings" data-strings="([^"]*)"', html).group(1)
        one_form, other_form = json.loads(html_module.unescape(block))["{n} visitor at this booth now"]
        forms = {"one": one_form, "other": other_form}
        assert 'data-room="booth:counted-booth"' in html
        assert "{n}" in forms["one"] and "{n}" in forms["other"] and forms["one"] != forms["other"]
        if one:
            assert forms == {"one": one, "other": other}
        else:
            assert forms == {"one": "{n} Person gerade an diesem Stand", "other": "{n} Personen gerade an diesem Stand"}

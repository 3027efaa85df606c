"""Directory (/api/attendees), matches (/api/me/matches) and the /attendees and /me pages."""
from __future__ import annotations

import pytest

from exhibition.accounts.models import User
from exhibition.extensions import db
from tests import factories as make


def set_profile(app, ref, **fields):
    with app.app_context():
        user = db.session.get(User, ref.id)
        for key, value in fields.items():
            setattr(user, key, value)
        db.session.commit()


@pytest.fixture
def directory(make_user):
    """Four people with known profiles; Dora opted out of the directory."""
    anna = make_user(name="Anna Becker", organisation="Fraunhofer IAO", interests=["E-Mobility", "Batteries"],
                     bio="Cells.")
    piotr = make_user(name="Piotr Nowak", organisation="Silesian University", interests=["hydrogen", "batteries"],
                      bio="Working on fuel cells and grids.")
    lucia = make_user(name="Lucía Romano", organisation="Regione Lombardia", interests=["Green Deal"])
    dora = make_user(name="Dora Hidden", organisation="Secret GmbH", interests=["batteries"],
                     visible_in_directory=False)
    return {"anna": anna, "piotr": piotr, "lucia": lucia, "dora": dora}


def names(answer):
    return [p["display_name"] for p in answer["attendees"]]


# --- directory --------------------------------------------------------------

def test_directory_needs_login(anon):
    r = anon.get("/api/attendees")
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "unauthenticated"


def test_directory_lists_only_visible_people_by_name_without_emails(client_for, directory):
    answer = client_for(directory["anna"]).get("/api/attendees").get_json()
    assert names(answer) == ["Anna Becker", "Lucía Romano", "Piotr Nowak"]  # Dora opted out
    by_name = {p["display_name"]: p for p in answer["attendees"]}
    assert "email" not in by_name["Piotr Nowak"] and "email" not in by_name["Lucía Romano"]
    assert by_name["Anna Becker"]["email"] == directory["anna"].email  # oneself
    assert set(by_name["Piotr Nowak"]) == {"id", "display_name", "organisation", "role", "bio", "interests",
                                           "visible_in_directory"}


def test_directory_shows_emails_to_organisers_but_still_respects_the_opt_out(client_for, make_user, directory):
    answer = client_for(make_user("organiser", name="Zoe Org")).get("/api/attendees").get_json()
    assert "Dora Hidden" not in names(answer)
    assert all("email" in p for p in answer["attendees"])


def test_opting_out_removes_oneself(client_for, directory):
    piotr = client_for(directory["piotr"])
    assert piotr.patch("/api/me", json={"visible_in_directory": False}).status_code == 200
    assert "Piotr Nowak" not in names(client_for(directory["anna"]).get("/api/attendees").get_json())


@pytest.mark.parametrize("query, expected", [
    ("anna", ["Anna Becker"]),                       # name
    ("LOMBARDIA", ["Lucía Romano"]),                 # organisation, any case
    ("fuel cells", ["Piotr Nowak"]),                 # bio
    ("batter", ["Anna Becker", "Piotr Nowak"]),      # part of an interest; Dora stays hidden
    ("secret", []),                                  # the hidden person's organisation
    ("nothing-like-this", []),
])
def test_directory_search(client_for, directory, query, expected):
    r = client_for(directory["lucia"]).get("/api/attendees", query_string={"q": query})
    assert r.status_code == 200 and names(r.get_json()) == expected


def test_directory_interest_filter_is_exact_and_case_insensitive(client_for, directory):
    client = client_for(directory["lucia"])
    assert names(client.get("/api/attendees?interest=BATTERIES").get_json()) == ["Anna Becker", "Piotr Nowak"]
    assert names(client.get("/api/attendees?interest=batter").get_json()) == []
    assert names(client.get("/api/attendees?interest=hydrogen&q=silesian").get_json()) == ["Piotr Nowak"]


def test_directory_paging(client_for, directory):
    client = client_for(directory["anna"])
    assert names(client.get("/api/attendees?limit=2").get_json()) == ["Anna Becker", "Lucía Romano"]
    assert names(client.get("/api/attendees?limit=2&offset=2").get_json()) == ["Piotr Nowak"]
    for bad in ("limit=-1", "limit=x", "offset=1.5"):
        r = client.get("/api/attendees?" + bad)
        assert r.status_code == 400 and r.get_json()["error"]["code"] == "invalid"


# --- matches ----------------------------------------------------------------

def test_matches_rank_people_and_booths_by_shared_interests(app, client_for, make_user, directory):
    me = make_user(name="Me Myself")
    set_profile(app, me, interests=["batteries", "Hydrogen", "Green Deal", "recycling"])
    make.booth(app, "h2-cluster", name="H2 Cluster", topics=["hydrogen", "green deal", "batteries"])
    make.booth(app, "alpha-batteries", name="Alpha Batteries", topics=["Batteries"])
    make.booth(app, "beta-cells", name="Beta Cells", topics=["BATTERIES"])
    make.booth(app, "nothing-shared", name="Nothing Shared", topics=["tourism"])
    answer = client_for(me).get("/api/me/matches").get_json()
    people_rows = [(p["user"]["display_name"], p["score"], p["shared"]) for p in answer["people"]]
    assert people_rows == [
        ("Piotr Nowak", 2, ["batteries", "Hydrogen"]),   # my spelling and order
        ("Anna Becker", 1, ["batteries"]),               # tie with Lucía broken by name
        ("Lucía Romano", 1, ["Green Deal"]),
    ]  # Dora shares batteries but opted out; nobody with score 0; not me
    assert all("email" not in p["user"] for p in answer["people"])
    assert answer["booths"] == [
        {"slug": "h2-cluster", "name": "H2 Cluster", "score": 3, "shared": ["batteries", "Hydrogen", "Green Deal"]},
        {"slug": "alpha-batteries", "name": "Alpha Batteries", "score": 1, "shared": ["batteries"]},
        {"slug": "beta-cells", "name": "Beta Cells", "score": 1, "shared": ["batteries"]},
    ]


def test_matches_are_empty_without_interests(client_for, make_user, directory):
    answer = client_for(make_user()).get("/api/me/matches").get_json()
    assert answer == {"people": [], "booths": []}


def test_matches_need_login(anon):
    assert anon.get("/api/me/matches").status_code == 401


# --- pages ------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/attendees", "/me"])
def test_pages_send_anonymous_visitors_to_login(anon, path):
    r = anon.get(path + "?q=x")
    assert r.status_code == 302
    assert r.headers["Location"].startswith("/login?next=")
    assert path in r.headers["Location"]


@pytest.mark.parametrize("lang, heading", [("en", "People at the conference"), ("de", None)])
def test_attendees_page_lists_visible_people(client_for, directory, lang, heading):
    r = client_for(directory["anna"]).get(f"/attendees?lang={lang}&interest=batteries")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and f'<html lang="{lang}">' in html
    assert "Piotr Nowak" in html and "Dora Hidden" not in html and "Lucía Romano" not in html
    assert directory["piotr"].email not in html
    assert f'href="/messages/{directory["piotr"].id}"' in html
    assert f'href="/me?with={directory["piotr"].id}#meeting-form"' in html
    if heading:
        assert heading in html


def test_attendees_page_escapes_profile_text(app, client_for, directory):
    set_profile(app, directory["lucia"], bio="<script>alert(1)</script>")
    html = client_for(directory["anna"]).get("/attendees").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize("lang", ["en", "de"])
def test_me_page_renders_profile_form_suggestions_and_meeting_form(app, client_for, directory, lang):
    r = client_for(directory["anna"]).get(f"/me?lang={lang}&with={directory['piotr'].id}")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and f'<html lang="{lang}">' in html
    assert 'value="E-Mobility, Batteries"' in html                 # interests as comma-separated text
    assert '<option value="Europe/Berlin" selected>' in html
    assert f'<option value="{directory["piotr"].id}" selected>' in html  # preselected invitee
    assert f'data-match-user-id="{directory["piotr"].id}"' in html      # suggestion: batteries shared
    assert "Dora Hidden" not in html
    assert "/api/me/agenda.ics" in html and "js/me.js" in html
    assert 'data-agenda-feed' in html and "webcal://localhost/api/me/agenda.ics?token=" in html
    assert "style=" not in html and "onclick" not in html


def test_me_page_offers_a_person_outside_the_directory_when_asked_for(client_for, directory):
    dora = directory["dora"]
    html = client_for(directory["anna"]).get(f"/me?with={dora.id}").get_data(as_text=True)
    assert f'<option value="{dora.id}" selected>Dora Hidden (Secret GmbH)</option>' in html
    html = client_for(directory["anna"]).get("/me").get_data(as_text=True)
    assert "Dora Hidden" not in html
    assert client_for(directory["anna"]).get(f"/me?with={10**20}").status_code == 200


def test_me_page_agenda_feed_address_works_without_login(client_for, anon, directory):
    import re

    html = client_for(directory["anna"]).get("/me").get_data(as_text=True)
    path = re.search(r"<code>http://localhost(/api/me/agenda\.ics\?token=[^<]+)</code>", html).group(1)
    r = anon.get(path.replace("&amp;", "&"))
    assert r.status_code == 200 and r.mimetype == "text/calendar"

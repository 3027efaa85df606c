"""Booth API (SPEC §4) by role: hall, booth, create/edit/delete, staff, leads, figures."""
from __future__ import annotations

import csv
import io

import pytest

from exhibition.extensions import db
from exhibition.realtime.presence import store
from tests import factories as make

BOOTH = {"name": "Elektromobilität Süd-West", "tagline": "E-mobility in the south-west",
         "description": "We build **batteries**.", "topics": ["e-mobility", "Batteries"],
         "website": "https://emobil.example.org", "video_url": "https://video.example.org/x"}


@pytest.fixture
def booths(app, people, client_for):
    """Two booths made through the API; people["staff"] and people["other_staff"] (the
    shared cast, tests/conftest.py) staff one each (made via add_staff)."""
    org = client_for(people["organiser"])
    assert org.post("/api/booths", json=BOOTH).status_code == 201
    assert org.post("/api/booths", json={"name": "Silesia Hydrogen Valley", "slug": "silesia-h2",
                                         "topics": ["hydrogen", "Green Deal"],
                                         "tagline": "Coal to hydrogen"}).status_code == 201
    make.add_staff(app, "elektromobilitaet-sued-west", people["staff"])
    make.add_staff(app, "silesia-h2", people["other_staff"])
    return {"here": "elektromobilitaet-sued-west", "other": "silesia-h2"}


def _booth_row(app, slug):
    from exhibition.booths.models import Booth
    with app.app_context():
        booth = db.session.query(Booth).filter_by(slug=slug).one_or_none()
        if booth is None:
            return None
        return {c: getattr(booth, c) for c in ("name", "tagline", "description", "topics", "website",
                                               "video_url", "logo_url")}


def _role(app, user_id):
    from exhibition.accounts.models import User
    with app.app_context():
        return db.session.get(User, user_id).role


def _error(response, status, code):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"} and body["error"]["code"] == code and body["error"]["message"]


# ---------------------------------------------------------------- reading


def test_anonymous_gets_401_everywhere(anon, booths):
    for method, path in [("GET", "/api/booths"), ("GET", "/api/booths/silesia-h2"),
                         ("POST", "/api/booths"), ("PATCH", "/api/booths/silesia-h2"),
                         ("DELETE", "/api/booths/silesia-h2"), ("PUT", "/api/booths/silesia-h2/staff/1"),
                         ("POST", "/api/booths/silesia-h2/leads"), ("GET", "/api/booths/silesia-h2/leads"),
                         ("GET", "/api/booths/silesia-h2/leads.csv"), ("GET", "/api/booths/silesia-h2/stats")]:
        _error(anon._send(method, path, json={}), 401, "unauthenticated")


def test_hall_lists_cards_with_search_and_topic(app, client_for, people, booths):
    api = client_for(people["attendee"])
    store().join("online", people["staff"].id, "sid-staff")
    store().join("booth:elektromobilitaet-sued-west", people["attendee2"].id, "sid-a2")
    data = api.get("/api/booths").get_json()
    assert [b["slug"] for b in data["booths"]] == ["elektromobilitaet-sued-west", "silesia-h2"]
    card = data["booths"][0]
    assert set(card) == {"slug", "name", "tagline", "topics", "logo_url", "staff_online", "visitors_now"}
    assert card["staff_online"] == 1 and card["visitors_now"] == 1
    assert data["booths"][1]["staff_online"] == 0 and data["booths"][1]["visitors_now"] == 0

    def slugs(query):
        return [b["slug"] for b in api.get("/api/booths" + query).get_json()["booths"]]

    assert slugs("?q=HYDROGEN") == ["silesia-h2"]          # topics, any case
    assert slugs("?q=batteries") == ["elektromobilitaet-sued-west"]  # description + topic
    assert slugs("?q=coal") == ["silesia-h2"]              # tagline
    assert slugs("?q=s%C3%BCd") == ["elektromobilitaet-sued-west"]  # name with umlaut
    assert slugs("?topic=green%20deal") == ["silesia-h2"]
    assert slugs("?topic=green") == []                     # topic: exact match only
    assert slugs("?q=%25") == []                            # no wildcard leaks
    assert slugs("?q=hydrogen&topic=batteries") == []


def test_booth_detail_has_staff_with_online_state_and_unknown_is_404(app, client_for, people, booths):
    api = client_for(people["attendee"])
    store().join("online", people["staff"].id, "sid-1")
    data = api.get("/api/booths/elektromobilitaet-sued-west").get_json()
    assert {"slug", "name", "tagline", "description", "topics", "website", "video_url", "logo_url",
            "staff", "visitors_now"} <= set(data)
    assert data["name"] == BOOTH["name"] and data["topics"] == ["e-mobility", "Batteries"]
    assert [s["id"] for s in data["staff"]] == [people["staff"].id]
    staff = data["staff"][0]
    assert staff["online"] is True and staff["role"] == "staff" and "email" not in staff
    other = api.get("/api/booths/silesia-h2").get_json()
    assert other["staff"][0]["online"] is False
    _error(api.get("/api/booths/no-such-booth"), 404, "not_found")


# ---------------------------------------------------------------- create


def test_organiser_creates_booth_with_derived_slug(app, client_for, people):
    org = client_for(people["organiser"])
    response = org.post("/api/booths", json=dict(BOOTH, unknown_field="ignored"))
    assert response.status_code == 201
    body = response.get_json()
    assert body["slug"] == "elektromobilitaet-sued-west" and body["staff"] == []
    assert body["website"] == BOOTH["website"]
    explicit = org.post("/api/booths", json={"name": "Basque", "slug": "basque-am",
                                             "logo_url": "/static/img/booths/x.svg"})
    assert explicit.status_code == 201 and explicit.get_json()["logo_url"] == "/static/img/booths/x.svg"
    _error(org.post("/api/booths", json={"name": "Basque again", "slug": "basque-am"}), 409, "conflict")
    _error(org.post("/api/booths", json={"name": "Elektromobilität Süd West"}), 409, "conflict")
    assert _booth_row(app, "basque-am")["name"] == "Basque"


def test_attendee_and_staff_cannot_create_booths(app, client_for, people, booths):
    for who in ("attendee", "staff"):
        _error(client_for(people[who]).post("/api/booths", json={"name": "Mine", "slug": "mine"}),
               403, "forbidden")
    assert _booth_row(app, "mine") is None


@pytest.mark.parametrize("body", [
    {},                                                   # name missing
    {"name": ""},
    {"name": "   "},
    {"name": 42},
    {"name": "x" * 121},
    {"name": "Ok", "tagline": "t" * 201},
    {"name": "Ok", "description": "d" * 20001},
    {"name": "Ok", "topics": "hydrogen"},
    {"name": "Ok", "topics": [1, 2]},
    {"name": "Ok", "website": "javascript:alert(1)"},
    {"name": "Ok", "video_url": "data:text/html,<script>alert(1)</script>"},
    {"name": "Ok", "website": "ftp://example.org"},
    {"name": "Ok", "logo_url": "javascript:alert(1)"},
    {"name": "Ok", "logo_url": "/static/../secret"},
    {"name": "Ok", "slug": "Bad Slug"},
    {"name": "Ok", "slug": "a--b"},
    {"name": "Ok", "slug": "-ok"},
    {"name": "Ok", "slug": "x" * 65},
    {"name": "Ok", "slug": 7},
    {"name": "!!!"},                                      # no slug derivable
])
def test_bad_booth_input_is_400_and_creates_nothing(app, client_for, people, body):
    from exhibition.booths.models import Booth
    org = client_for(people["organiser"])
    _error(org.post("/api/booths", json=body), 400, "invalid")
    with app.app_context():
        assert db.session.query(Booth).count() == 0


def test_body_that_is_not_an_object_is_400(client_for, people):
    org = client_for(people["organiser"])
    _error(org.post("/api/booths", json=["name"]), 400, "invalid")
    _error(org.post("/api/booths", data="not json", headers={"Content-Type": "application/json"}),
           400, "invalid")


# ---------------------------------------------------------------- edit, delete


def test_staff_edits_own_booth_but_not_another(app, client_for, people, booths):
    staff = client_for(people["staff"])
    response = staff.patch("/api/booths/elektromobilitaet-sued-west",
                           json={"tagline": "New tagline", "topics": ["charging"], "slug": "hijack"})
    assert response.status_code == 200
    assert response.get_json()["tagline"] == "New tagline"
    assert response.get_json()["slug"] == "elektromobilitaet-sued-west"  # slug never changes
    row = _booth_row(app, "elektromobilitaet-sued-west")
    assert row["tagline"] == "New tagline" and row["topics"] == ["charging"] and row["name"] == BOOTH["name"]
    assert _booth_row(app, "hijack") is None

    before = _booth_row(app, "silesia-h2")
    _error(staff.patch("/api/booths/silesia-h2", json={"tagline": "mine now"}), 403, "forbidden")
    _error(client_for(people["attendee"]).patch("/api/booths/silesia-h2", json={"tagline": "x"}),
           403, "forbidden")
    assert _booth_row(app, "silesia-h2") == before
    assert client_for(people["organiser"]).patch("/api/booths/silesia-h2",
                                                 json={"name": "Renamed"}).status_code == 200
    assert _booth_row(app, "silesia-h2")["name"] == "Renamed"
    _error(client_for(people["organiser"]).patch("/api/booths/nope", json={}), 404, "not_found")


def test_bad_patch_changes_nothing(app, client_for, people, booths):
    staff = client_for(people["staff"])
    before = _booth_row(app, "elektromobilitaet-sued-west")
    for body in ({"tagline": "fine", "website": "javascript:alert(1)"},
                 {"name": ""}, {"name": None}, {"description": "d" * 20001},
                 {"tagline": "fine", "topics": {"a": 1}}):
        _error(staff.patch("/api/booths/elektromobilitaet-sued-west", json=body), 400, "invalid")
    assert _booth_row(app, "elektromobilitaet-sued-west") == before


def test_only_organiser_deletes(app, client_for, people, booths):
    for who in ("attendee", "staff", "other_staff"):
        _error(client_for(people[who]).delete("/api/booths/elektromobilitaet-sued-west"), 403, "forbidden")
    assert _booth_row(app, "elektromobilitaet-sued-west") is not None
    org = client_for(people["organiser"])
    client_for(people["attendee"]).post("/api/booths/elektromobilitaet-sued-west/leads",
                                        json={"share_contact": True})
    assert org.delete("/api/booths/elektromobilitaet-sued-west").status_code == 204
    assert _booth_row(app, "elektromobilitaet-sued-west") is None
    assert _role(app, people["staff"].id) == "attendee"  # staffed no other booth
    _error(org.delete("/api/booths/elektromobilitaet-sued-west"), 404, "not_found")


# ---------------------------------------------------------------- staff


def test_role_changes_when_staff_is_added_and_removed(app, client_for, people, booths):
    org = client_for(people["organiser"])
    person = people["attendee2"]
    assert _role(app, person.id) == "attendee"
    assert org.put(f"/api/booths/silesia-h2/staff/{person.id}").status_code == 204
    assert _role(app, person.id) == "staff"
    assert org.put(f"/api/booths/silesia-h2/staff/{person.id}").status_code == 204  # idempotent
    assert org.put(f"/api/booths/elektromobilitaet-sued-west/staff/{person.id}").status_code == 204
    staff_ids = [s["id"] for s in org.get("/api/booths/silesia-h2").get_json()["staff"]]
    assert staff_ids.count(person.id) == 1
    assert org.delete(f"/api/booths/silesia-h2/staff/{person.id}").status_code == 204
    assert _role(app, person.id) == "staff"      # still staffs the other booth
    assert org.delete(f"/api/booths/elektromobilitaet-sued-west/staff/{person.id}").status_code == 204
    assert _role(app, person.id) == "attendee"   # last booth gone
    # organisers keep their role
    assert org.put(f"/api/booths/silesia-h2/staff/{people['organiser'].id}").status_code == 204
    assert _role(app, people["organiser"].id) == "organiser"
    assert org.delete(f"/api/booths/silesia-h2/staff/{people['organiser'].id}").status_code == 204
    assert _role(app, people["organiser"].id) == "organiser"


def test_only_organiser_manages_staff_and_unknowns_are_404(app, client_for, people, booths):
    target = people["attendee2"].id
    for who in ("attendee", "staff", "other_staff"):
        api = client_for(people[who])
        _error(api.put(f"/api/booths/elektromobilitaet-sued-west/staff/{target}"), 403, "forbidden")
        _error(api.delete(f"/api/booths/elektromobilitaet-sued-west/staff/{people['staff'].id}"),
               403, "forbidden")
    assert _role(app, target) == "attendee"
    assert _role(app, people["staff"].id) == "staff"
    org = client_for(people["organiser"])
    _error(org.put("/api/booths/elektromobilitaet-sued-west/staff/999999"), 404, "not_found")
    _error(org.put(f"/api/booths/nope/staff/{target}"), 404, "not_found")
    _error(org.put(f"/api/booths/silesia-h2/staff/{2**70}"), 404, "not_found")
    assert org.get("/api/booths/silesia-h2/staff/1").status_code in (404, 405)


# ---------------------------------------------------------------- leads


def test_leads_need_consent_and_are_one_per_person(app, client_for, people, booths):
    api = client_for(people["attendee"])
    path = "/api/booths/elektromobilitaet-sued-west/leads"
    for body in ({}, {"share_contact": False}, {"share_contact": "true"}, {"share_contact": 1},
                 {"share_contact": True, "note": 5}, {"share_contact": True, "note": "n" * 2001}):
        _error(api.post(path, json=body), 400, "invalid")
    assert client_for(people["staff"]).get(path).get_json()["leads"] == []
    first = api.post(path, json={"share_contact": True, "note": "Call me about batteries"})
    assert first.status_code == 201
    lead = first.get_json()["lead"]
    assert lead["note"] == "Call me about batteries" and lead["user"]["email"] == people["attendee"].email
    again = api.post(path, json={"share_contact": True, "note": "Updated note"})
    assert again.status_code == 200 and again.get_json()["lead"]["note"] == "Updated note"
    leads = client_for(people["staff"]).get(path).get_json()["leads"]
    assert len(leads) == 1
    assert set(leads[0]) >= {"user", "note", "created_at"}
    assert leads[0]["user"]["email"] == people["attendee"].email and leads[0]["note"] == "Updated note"
    assert "+" in leads[0]["created_at"] or leads[0]["created_at"].endswith("Z")
    _error(api.post("/api/booths/nope/leads", json={"share_contact": True}), 404, "not_found")


def test_leads_readable_only_by_that_booths_staff_and_organisers(app, client_for, people, booths):
    client_for(people["attendee"]).post("/api/booths/elektromobilitaet-sued-west/leads",
                                        json={"share_contact": True})
    for path in ("/api/booths/elektromobilitaet-sued-west/leads",
                 "/api/booths/elektromobilitaet-sued-west/leads.csv",
                 "/api/booths/elektromobilitaet-sued-west/stats"):
        for who in ("attendee", "attendee2", "other_staff"):
            _error(client_for(people[who]).get(path), 403, "forbidden")
        for who in ("staff", "organiser"):
            assert client_for(people[who]).get(path).status_code == 200, (who, path)
    _error(client_for(people["organiser"]).get("/api/booths/nope/leads"), 404, "not_found")


def test_leads_csv_is_proper_csv_with_formula_guard(app, client_for, people, booths):
    attacker = client_for(people["attendee"])
    attacker.patch("/api/me", json={"display_name": "=HYPERLINK(\"http://evil\")",
                                    "organisation": "+SUM(1,2)"})
    attacker.post("/api/booths/elektromobilitaet-sued-west/leads",
                  json={"share_contact": True, "note": "-2+3, \"quoted\"\nsecond line"})
    client_for(people["attendee2"]).post("/api/booths/elektromobilitaet-sued-west/leads",
                                         json={"share_contact": True, "note": "@cmd"})
    response = client_for(people["staff"]).get("/api/booths/elektromobilitaet-sued-west/leads.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["name", "organisation", "email", "note", "created_at"]
    by_email = {row[2]: row for row in rows[1:]}
    assert len(by_email) == 2
    bad = by_email[people["attendee"].email]
    assert bad[0] == "'=HYPERLINK(\"http://evil\")" and bad[1] == "'+SUM(1,2)"
    assert bad[3] == "'-2+3, \"quoted\"\nsecond line"
    assert by_email[people["attendee2"].email][3] == "'@cmd"
    assert by_email[people["attendee2"].email][0] == people["attendee2"].display_name


# ---------------------------------------------------------------- figures


def test_stats_count_visits_visitors_messages_leads_and_presence(app, client_for, people, booths):
    path = "/api/booths/elektromobilitaet-sued-west"
    staff = client_for(people["staff"])
    empty = staff.get(path + "/stats").get_json()
    assert empty == {"visits": 0, "unique_visitors": 0, "messages": 0, "leads": 0, "visitors_now": 0}
    a, b = client_for(people["attendee"]), client_for(people["attendee2"])
    a.get(path)
    a.get(path)            # the same visit (within the visit window)
    b.get(path)
    b.get("/api/booths/silesia-h2")
    a.post(path + "/leads", json={"share_contact": True})
    for n in range(3):
        make.message(app, "booth:elektromobilitaet-sued-west", people["attendee"], f"hello {n}", client_id=f"c{n}")
    make.message(app, "booth:silesia-h2", people["attendee"], "x", client_id="o")
    store().join("booth:elektromobilitaet-sued-west", people["attendee"].id, "s1")
    store().join("booth:elektromobilitaet-sued-west", people["attendee2"].id, "s2")
    store().join("booth:elektromobilitaet-sued-west", people["attendee2"].id, "s3")  # 2nd tab, same person
    stats = client_for(people["organiser"]).get(path + "/stats").get_json()
    assert stats == {"visits": 2, "unique_visitors": 2, "messages": 3, "leads": 1, "visitors_now": 2}
    assert staff.get(path).get_json()["visitors_now"] == 2


def test_visits_after_the_window_count_again(app, client_for, people, booths):
    from datetime import timedelta

    from exhibition.booths.models import Visit
    api = client_for(people["attendee"])
    api.get("/api/booths/silesia-h2")
    with app.app_context():
        visit = db.session.query(Visit).one()
        visit.at = visit.at - timedelta(hours=1)
        db.session.commit()
    api.get("/api/booths/silesia-h2")
    stats = client_for(people["organiser"]).get("/api/booths/silesia-h2/stats").get_json()
    assert stats["visits"] == 2 and stats["unique_visitors"] == 1

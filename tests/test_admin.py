"""Organiser console: figures API and CSV, person lookup, online samples, pages by role."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from exhibition.admin import charts
from exhibition.admin.models import OnlineSample
from exhibition.admin.services import online_samples, record_online_sample
from exhibition.extensions import db
from exhibition.realtime.presence import ONLINE, store
from tests import factories as make

T0 = make.T0


@pytest.fixture
def event(app, make_user):
    """Two booths with known figures, two sessions, a staff member, people online."""
    organiser = make_user("organiser", name="Olga Organiser")
    staff = make_user("staff", name="Stan Staff")
    a1, a2, a3 = make_user(name="A One"), make_user(name="A Two"), make_user(name="A Three")
    emob = make.booth(app, "emobility-sw", name="Elektromobilität Süd-West", topics=["e-mobility"], staff=[staff])
    h2 = make.booth(app, "h2-cluster", name="=H2 Cluster", topics=["hydrogen"])
    make.booth(app, "quiet", name="Quiet Booth", topics=[])
    for person in (a1, a1, a1, a2):          # 4 visits, 2 people
        make.visit(app, emob, person)
    make.visit(app, h2, a3)
    for booth, person in ((emob, a1), (emob, a2), (h2, a3)):
        make.lead(app, booth, person)
    for n in range(3):
        make.message(app, emob.room, a1, f"hi {n}", client_id=f"c{n}")
    make.message(app, emob.room, a2, "gone", client_id="d", deleted=True)
    make.message(app, "lobby", a2, "lobby", client_id="e")
    make.message(app, h2.room, a3, "h2", client_id="f")
    keynote = make.session(app, "Keynote", start=T0, minutes=60, room="Main")
    panel = make.session(app, "Panel", start=T0 + timedelta(hours=2), minutes=60, room="Main")
    for person in (a1, a2, a3):
        make.favourite(app, person, keynote)
    make.favourite(app, a1, panel)
    ids = {"keynote": keynote, "panel": panel}
    store().join(ONLINE, a1.id, "sid-1")
    store().join(ONLINE, a1.id, "sid-2")   # two tabs: one person
    store().join(ONLINE, staff.id, "sid-3")
    return {"organiser": organiser, "staff": staff, "attendee": a1, **ids}


def test_stats_figures(client_for, event):
    r = client_for(event["organiser"]).get("/api/admin/stats")
    assert r.status_code == 200
    stats = r.get_json()
    assert stats["users"] == 5 and stats["online_now"] == 2
    booths = {b["slug"]: {k: b[k] for k in ("visits", "unique_visitors", "messages", "leads")} for b in stats["booths"]}
    assert booths == {
        "emobility-sw": {"visits": 4, "unique_visitors": 2, "messages": 4, "leads": 2},  # deleted one counts
        "h2-cluster": {"visits": 1, "unique_visitors": 1, "messages": 1, "leads": 1},
        "quiet": {"visits": 0, "unique_visitors": 0, "messages": 0, "leads": 0},
    }
    sessions = [{"id": s["id"], "favourites": s["favourites"]} for s in stats["sessions"]]
    assert sessions == [{"id": event["keynote"], "favourites": 3}, {"id": event["panel"], "favourites": 1}]


@pytest.mark.parametrize("path", ["/api/admin/stats", "/api/admin/stats.csv", "/api/admin/users?q=a"])
def test_admin_api_is_for_organisers_only(client_for, anon, event, path):
    for role in ("attendee", "staff"):
        r = client_for(event[role]).get(path)
        assert r.status_code == 403 and r.get_json()["error"]["code"] == "forbidden"
    r = anon.get(path)
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "unauthenticated"


def test_stats_csv(client_for, event):
    r = client_for(event["organiser"]).get("/api/admin/stats.csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "attachment" in r.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True))))
    assert rows[0] == ["kind", "key", "name", "visits", "unique_visitors", "messages", "leads", "favourites"]
    assert ["summary", "users", "5", "", "", "", "", ""] in rows
    assert ["booth", "emobility-sw", "Elektromobilität Süd-West", "4", "2", "4", "2", ""] in rows
    assert ["booth", "h2-cluster", "'=H2 Cluster", "1", "1", "1", "1", ""] in rows  # no formula injection
    assert ["session", str(event["keynote"]), "Keynote", "", "", "", "", "3"] in rows


def test_user_lookup(client_for, event):
    client = client_for(event["organiser"])
    found = client.get("/api/admin/users?q=STAN").get_json()["users"]
    assert [u["id"] for u in found] == [event["staff"].id] and found[0]["email"] == event["staff"].email
    assert [u["id"] for u in client.get(f"/api/admin/users?q={event['attendee'].id}").get_json()["users"]] == [event["attendee"].id]
    assert client.get("/api/admin/users?q=staff2@").get_json()["users"][0]["id"] == event["staff"].id
    assert client.get("/api/admin/users?q=%25").get_json()["users"] == []     # % is literal, not a wildcard
    assert client.get("/api/admin/users").get_json()["users"] == []
    assert client.get(f"/api/admin/users?q={10**20}").get_json()["users"] == []


def test_online_samples_are_recorded_at_most_once_a_minute(app, client_for, event):
    client = client_for(event["organiser"])
    client.get("/api/admin/stats")
    client.get("/api/admin/stats")
    with app.app_context():
        samples = db.session.scalars(select(OnlineSample)).all()
        assert [s.count for s in samples] == [2]
        assert record_online_sample(7, at=samples[0].at + timedelta(seconds=30)) is None
        assert record_online_sample(7, at=samples[0].at + timedelta(seconds=61)).count == 7
        assert db.session.scalar(select(func.count()).select_from(OnlineSample)) == 2


def test_online_samples_window(app):
    with app.app_context():
        for hours, count in ((0, 1), (6, 5), (30, 9), (31, 4)):
            record_online_sample(count, at=T0 + timedelta(hours=hours))
        assert [s.count for s in online_samples()] == [9, 4]   # 24 hours before the newest


def test_charts_geometry():
    assert [charts.nice_max(v) for v in (0, 3, 5, 7, 9, 11, 33, 99, 120)] == [4, 4, 5, 8, 10, 20, 40, 100, 200]
    assert charts.tick_values(10) == [0, 2, 4, 6, 8, 10] and charts.tick_values(8) == [0, 2, 4, 6, 8]
    bars = charts.bar_chart([("a", 10), ("b", 5), ("c", 0)])
    widths = [b["width"] for b in bars["bars"]]
    assert widths[0] == 2 * widths[1] and widths[2] == 0 and bars["top"] == 10
    line = charts.line_chart([(T0, 0), (T0 + timedelta(minutes=10), 4)], lambda at: at.strftime("%H:%M"))
    first, last = line["points"].split(" ")
    assert float(first.split(",")[0]) < float(last.split(",")[0])       # time runs right
    assert float(first.split(",")[1]) > float(last.split(",")[1])       # more people higher up
    assert [t["label"] for t in line["xticks"]] == ["08:00", "08:10"]
    assert charts.line_chart([], str)["empty"]


# --- pages ------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/admin", "/admin/stats"])
def test_admin_pages_by_role(client_for, anon, event, path):
    r = anon.get(path)
    assert r.status_code == 302 and r.headers["Location"] == f"/login?next={path}"
    for role in ("attendee", "staff"):
        r = client_for(event[role]).get(path)
        assert r.status_code == 403 and "js/admin.js" not in r.get_data(as_text=True)


@pytest.mark.parametrize("lang", ["en", "de"])
def test_console_renders_for_organisers(client_for, event, lang):
    r = client_for(event["organiser"]).get(f"/admin?lang={lang}")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and f'<html lang="{lang}">' in html
    for hook in ("data-session-form", "data-import-form", "data-booth-form", "data-staff-lookup",
                 "data-announcement-form", "js/admin.js", 'name="file"'):
        assert hook in html
    assert "style=" not in html and "onclick" not in html


@pytest.mark.parametrize("lang", ["en", "de"])
def test_figures_page_draws_charts_with_text_alternatives(app, client_for, event, lang):
    with app.app_context():
        record_online_sample(1, at=T0)
        record_online_sample(3, at=T0 + timedelta(minutes=5))
    r = client_for(event["organiser"]).get(f"/admin/stats?lang={lang}")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and f'<html lang="{lang}">' in html
    assert html.count("<svg") == 6  # visits, unique visitors, messages, leads, favourites, online over time
    assert 'data-bar="Keynote" data-value="3"' in html
    assert 'role="img"' in html and "<title id=" in html and "<desc id=" in html
    assert '<polyline class="chart-line"' in html
    assert '<tr data-booth-slug="emobility-sw">' in html and '<td class="num">4</td>' in html
    assert "=H2 Cluster" in html and 'data-bar="Elektromobilität Süd-West" data-value="4"' in html
    assert "style=" not in html


def test_event_figures_agree_with_each_booths_own_figures(app, client_for, event):
    from exhibition.booths.services import booth_stats

    stats = client_for(event["organiser"]).get("/api/admin/stats").get_json()
    with app.app_context():
        for row in stats["booths"]:
            own = booth_stats(row["slug"])
            assert {k: own[k] for k in ("visits", "unique_visitors", "messages", "leads")} == \
                {k: row[k] for k in ("visits", "unique_visitors", "messages", "leads")}

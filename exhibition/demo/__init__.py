"""The demo event: European Cluster Conference, digital, 10–11 November 2020.

``load_demo`` fills an empty database; each area with demo content adds its part
(its ``demo.py``), in layer order.
Demo logins share one password so they can be printed on start.
"""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select

from exhibition.accounts.models import User
from exhibition.accounts.services import create_user
from exhibition.booths import demo as booths_demo
from exhibition.extensions import db
from exhibition.networking import demo as networking_demo
from exhibition.schedule import demo as schedule_demo

DEMO_PASSWORD = "demo-pass-2020"

ORGANISERS = [("organiser@ecc2020.eu", "Clara Organiser", "ECCP Secretariat")]
ATTENDEES = [
    ("anna.becker@example.org", "Anna Becker", "Fraunhofer IAO",
     ["e-mobility", "batteries", "Green Deal"]),
    ("piotr.nowak@example.org", "Piotr Nowak", "Silesian University of Technology",
     ["hydrogen", "cluster resilience", "digitalisation"]),
    ("lucia.romano@example.org", "Lucía Romano", "Regione Lombardia",
     ["recovery", "SMEs", "Green Deal"]),
]


def _people() -> None:
    for email, name, org in ORGANISERS:
        user = create_user(email, DEMO_PASSWORD, name, "organiser")
        user.organisation = org
    for email, name, org, interests in ATTENDEES:
        user = create_user(email, DEMO_PASSWORD, name, "attendee")
        user.organisation, user.interests = org, interests
    db.session.commit()


def load_demo() -> bool:
    """Load the demo event if there is nobody in the database yet. True if loaded."""
    if db.session.scalar(select(func.count()).select_from(User)):
        return False
    _people()
    booths_demo.load(DEMO_PASSWORD)  # booths and their staff
    schedule_demo.load()  # two days of sessions, favourites
    networking_demo.load()  # meetings

    db.session.commit()
    return True


def print_logins(echo: Callable[[str], None]) -> None:
    """Print the demo accounts that exist, one per role, with the shared password."""
    rows = db.session.execute(select(User.email, User.role).order_by(User.id)).all()
    demo = [(email, role) for email, role in rows if email.endswith(("@ecc2020.eu", "@example.org"))]
    if not demo:
        return
    echo(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
    for email, role in demo:
        echo(f"  {role:<10} {email}")

"""The demo event: European Cluster Conference, digital, 10–11 November 2020.

``load_demo`` fills an empty database; each area adds its part in ``STEPS``.
Demo logins share one password so they can be printed on start.
"""
from __future__ import annotations

from typing import Callable

from sqlalchemy import func, select

from .accounts.models import User
from .accounts.services import create_user
from .extensions import db

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


def _steps() -> list[Callable[[], None]]:
    steps: list[Callable[[], None]] = [_people]
    # Each area that has demo content contributes a step (booths and staff, sessions, …).
    from .booths import demo as booths_demo
    steps.append(booths_demo.load)
    from .schedule import demo as schedule_demo
    steps.append(schedule_demo.load)
    from .networking import demo as networking_demo
    steps.append(networking_demo.load)
    return steps


def load_demo() -> bool:
    """Load the demo event if there is nobody in the database yet. True if loaded."""
    if db.session.scalar(select(func.count()).select_from(User)):
        return False
    for step in _steps():
        step()
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

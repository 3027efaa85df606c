"""Demo meetings between the demo attendees (see exhibition/demo.py)."""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone

from exhibition.accounts.services import user_by_email
from exhibition.extensions import db
from exhibition.networking.models import Meeting

CET = timezone(timedelta(hours=1))  # November 2020 in Berlin
DEMO_MEETINGS = [
    # requester, invitee, start (CET), minutes, status, note
    ("anna.becker@example.org", "piotr.nowak@example.org", datetime(2020, 11, 10, 12, 30, tzinfo=CET), 30,
     "accepted", "Battery recycling and hydrogen: where do our clusters overlap?"),
    ("lucia.romano@example.org", "anna.becker@example.org", datetime(2020, 11, 11, 10, 0, tzinfo=CET), 30,
     "pending", "Green Deal funding for SMEs: a short exchange?"),
]


def load() -> None:
    """Add the demo meetings for the demo people that exist."""
    for requester_email, invitee_email, starts_at, minutes, status, note in DEMO_MEETINGS:
        requester, invitee = user_by_email(requester_email), user_by_email(invitee_email)
        if requester is None or invitee is None:
            continue
        db.session.add(Meeting(requester_id=requester.id, invitee_id=invitee.id, starts_at=starts_at,
                               ends_at=starts_at + timedelta(minutes=minutes), note=note, status=status,
                               video_room="ecc2020-" + secrets.token_urlsafe(24)))
    db.session.commit()

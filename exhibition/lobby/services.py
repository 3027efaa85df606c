"""What the lobby shows."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from exhibition import policies
from exhibition.announcements.services import latest_announcements
from exhibition.booths.services import hall
from exhibition.schedule.services import favourite_ids, live_and_next

LOBBY_NEXT = 6
BOOTHS_OF_THE_MOMENT = 4
LATEST_NEWS = 3


def booths_of_the_moment(limit: int = BOOTHS_OF_THE_MOMENT) -> list[dict]:
    """Booths with the most visitors now, then with most staff online (the hall's
    booth cards: ``{slug, name, tagline, topics, logo_url, staff_online, visitors_now}``)."""
    cards = hall()
    cards.sort(key=lambda b: (-b["visitors_now"], -b["staff_online"], b["name"].lower()))
    return cards[:limit]


def lobby(user: Any, now: datetime) -> dict:
    """Public: now/next for everyone; booths, favourites and announcements for people
    logged in."""
    running, upcoming = live_and_next(now)
    signed_in = policies.is_authenticated(user)
    return {
        "running": running, "upcoming": upcoming[:LOBBY_NEXT], "now": now,
        "booths": booths_of_the_moment() if signed_in else [],
        "favourites": favourite_ids(user.id) if signed_in else set(),
        "announcements": latest_announcements(LATEST_NEWS) if signed_in else [],
    }

"""Accepted meetings in a person's agenda feed (``/api/me/agenda.ics``)."""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from icalendar import Event

from exhibition.networking.models import Meeting
from exhibition.networking.services import accepted_meetings_for
from exhibition.schedule.calendar import EPOCH, UID_DOMAIN, add_agenda_source, utc


def meeting_uid(meeting: Meeting) -> str:
    return f"meeting-{meeting.id}@{UID_DOMAIN}"


def meeting_event(meeting: Meeting, viewer_id: int) -> Event:
    other = meeting.invitee if meeting.requester_id == viewer_id else meeting.requester
    event = Event()
    event.add("uid", meeting_uid(meeting))
    stamp = utc(meeting.updated_at or meeting.created_at or EPOCH)
    event.add("dtstamp", stamp)
    event.add("dtstart", utc(meeting.starts_at))
    event.add("dtend", utc(meeting.ends_at))
    event.add("summary", _("Meeting with %(name)s", name=other.display_name))
    video_url = meeting.video_url or ""
    description = "\n\n".join(part for part in ((meeting.note or ""), video_url) if part)
    if description:
        event.add("description", description)
    if video_url:
        event.add("location", video_url)
        event.add("url", video_url)
    return event


def accepted_meeting_events(user: Any) -> list[Event]:
    return [meeting_event(meeting, user.id) for meeting in accepted_meetings_for(user.id)]


def register() -> None:
    add_agenda_source(accepted_meeting_events)

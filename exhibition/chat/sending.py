"""Sending a chat message, the whole path: validate, batch, store, broadcast, answer.

``send_message`` is what the socket event calls. Concurrent sends share transactions
(``realtime.batching.GroupCommit``): one INSERT and one commit for every message that
arrived while the previous commit ran. A message is acknowledged and broadcast only
after the commit that stored it, and batches follow each other strictly, so each
room's broadcasts go out in id order. On PostgreSQL each batch also holds advisory
locks on its rooms from before the INSERT until after the broadcast, which keeps that
order across processes.
"""
from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import bindparam, func, select, text, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DataError, IntegrityError

from exhibition.chat.models import Message, Mute
from exhibition.chat.payloads import message_payload
from exhibition.chat.senders import Sender, senders
from exhibition.errors import DomainError, Invalid, Muted, RateLimited
from exhibition.extensions import db, socketio
from exhibition.realtime.batching import GroupCommit, Pending
from exhibition.realtime.publishing import publish
from exhibition.realtime.rooms import Room
from exhibition.runtime.clock import isoformat, utcnow
from exhibition.runtime.validation import text as text_field

BODY_MAX = 2000
CLIENT_ID_MAX = 100


def validate_body(value: Any) -> str:
    """``body``: a string, 1–2000 characters after trimming; longer → TooLarge."""
    return text_field({"body": value}, "body", max_len=BODY_MAX, min_len=1, too_large=True)


def validate_client_id(value: Any) -> str:
    """``client_id``: a non-empty string of at most 100 characters. Optional: when a
    client sends none, the server makes one (such a message cannot be retried safely)."""
    if value is None:
        return "srv-" + uuid.uuid4().hex
    if not isinstance(value, str) or not value.strip():
        raise Invalid("client_id must be a non-empty string")
    value = value.strip()
    if len(value) > CLIENT_ID_MAX or "\x00" in value:
        raise Invalid(f"client_id must be at most {CLIENT_ID_MAX} characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise Invalid("client_id is not valid Unicode text") from None
    return value


# ---------------------------------------------------------------- sending

class OutgoingMessage(Pending):
    """A validated message waiting for its batch; ``result`` becomes (payload, duplicate)."""

    __slots__ = ("sender", "room", "audience", "body", "client_id")

    def __init__(self, sender: Sender, room: Room, body: str, client_id: str) -> None:
        super().__init__()
        self.sender, self.room, self.audience = sender, room.name, room.audience
        self.body, self.client_id = body, client_id

    @property
    def key(self) -> tuple[int, str]:
        return (self.sender.id, self.client_id)


def send_message(user: Any, room_name: Any, body: Any, client_id: Any = None, *,
                 joined: bool = False) -> tuple[dict, bool]:
    """Store a message (committed), broadcast it, and return (message object, duplicate).

    ``user``: the person (a User) or their ``Sender`` identity. ``joined=True``: access
    was checked when the sender's connection joined the room, so it is not checked
    again (the hot path costs no query before its batch). The same client_id from the
    same sender again returns the stored message with duplicate=True and broadcasts
    nothing. Errors: Invalid, TooLarge, Forbidden/NotFound (room), Muted, RateLimited."""
    body = validate_body(body)
    client_id = validate_client_id(client_id)
    room = Room.parse(room_name) if joined else Room.access(user, room_name)
    sender = user if isinstance(user, Sender) else senders().put(user)
    item = OutgoingMessage(sender, room, body, client_id)
    current_app.extensions["chat_group_commit"].submit(item)
    if item.error is not None:
        raise item.error
    return item.result


def init_app(app: Flask) -> None:
    app.extensions["chat_group_commit"] = GroupCommit(write_batch, pause=lambda: socketio.sleep(0))


def write_batch(batch: Sequence[OutgoingMessage]) -> None:
    """Store the batch in one transaction, then broadcast the new messages in id order
    and answer every item. A batch the database refuses as a whole (e.g. a sender whose
    account was just deleted) is retried one message at a time, so one bad message
    fails alone."""
    with db.engine.connect() as conn:
        locked = _lock_rooms(conn, {item.room for item in batch})
        try:
            try:
                new = _store(conn, batch)
            except (IntegrityError, DataError):
                conn.rollback()
                if len(batch) == 1:
                    raise
                new = []
                for item in batch:
                    try:
                        new += _store(conn, [item])
                    except (IntegrityError, DataError):
                        conn.rollback()
                        current_app.logger.exception("message from %s refused by the database", item.sender.id)
                        item.error = Invalid("the message could not be stored")
            for item, payload in new:  # in id order
                try:
                    publish("message", payload, room=item.audience)
                except Exception:  # stored and acknowledged: clients catch up through history
                    current_app.logger.exception("broadcast of message %s failed", payload["id"])
        finally:
            if locked:
                _unlock_rooms(conn)


def _unlock_rooms(conn) -> None:
    try:
        conn.rollback()  # a failed transaction would refuse the unlock
        conn.execute(text("SELECT pg_advisory_unlock_all()"))
        conn.commit()
    except Exception:  # the connection is broken: its locks died with its session; never pool it
        conn.invalidate()
        raise


def _lock_rooms(conn, rooms: set[str]) -> bool:
    """PostgreSQL: session advisory locks on the batch's rooms, taken in one order (no
    deadlock between processes), held until the batch's broadcasts are out."""
    if conn.dialect.name != "postgresql":
        return False
    conn.execute(text("SELECT pg_advisory_lock(h) FROM (SELECT DISTINCT hashtext(r) AS h "
                      "FROM unnest(CAST(:rooms AS text[])) AS r ORDER BY h) AS ordered"),
                 {"rooms": sorted(rooms)})
    return True


def _store(conn, batch: Sequence[OutgoingMessage]) -> list[tuple[OutgoingMessage, dict]]:
    """Insert and commit; answer each item. Returns the new messages' (item, payload)
    in id order."""
    now = utcnow()
    refusals = _refusals(conn, batch, now)
    first: dict[tuple[int, str], OutgoingMessage] = {}
    for item in batch:
        if item not in refusals:
            first.setdefault(item.key, item)
    ids: dict[tuple[int, str], int] = {}
    if first:
        rows = [{"room": i.room, "sender_id": i.sender.id, "body": i.body, "client_id": i.client_id,
                 "created_at": now, "deleted": False} for i in first.values()]
        # executemany: SQLAlchemy sends one multi-row INSERT … RETURNING per batch
        ids = {(r.sender_id, r.client_id): r.id for r in conn.execute(_insert_statement(conn.dialect.name), rows)}
    retried = [i for i in batch if (i in refusals or i.key not in ids)]
    stored = _stored(conn, {i.key for i in retried}) if retried else {}
    conn.commit()
    new, payloads = [], {}
    for key, item in first.items():
        if key in ids:
            payloads[key] = message_payload(id=ids[key], room=item.room, body=item.body, deleted=False,
                                            sender=item.sender, created_at=now, client_id=item.client_id)
            new.append((item, payloads[key]))
    for item in batch:
        if item.key in stored:  # sent before: the stored message, nothing broadcast
            item.result = (message_payload(**stored[item.key], sender=item.sender), True)
        elif item in refusals:
            item.error = refusals[item]
        elif item.key not in payloads:  # neither stored now nor before (deleted meanwhile?)
            item.error = Invalid("the message could not be stored; send it again")
        else:  # first of its key: new; a repeat within the batch: its duplicate
            item.result = (payloads[item.key], first[item.key] is not item)
    new.sort(key=lambda pair: pair[1]["id"])
    return new


@functools.cache
def _insert_statement(dialect: str):
    """INSERT that skips a (sender, client_id) already stored and returns the new ids."""
    table = Message.__table__
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    return (insert.on_conflict_do_nothing(index_elements=["sender_id", "client_id"])
            .returning(table.c.id, table.c.sender_id, table.c.client_id))


_ACTIVE_MUTES = select(Mute.room, Mute.user_id, Mute.until).where(
    Mute.user_id.in_(bindparam("people", expanding=True)), Mute.until > bindparam("now"))
_RECENT_COUNTS = (select(Message.sender_id, Message.room, func.count().label("n"))
                  .where(Message.sender_id.in_(bindparam("people", expanding=True)),
                         Message.created_at > bindparam("since"))
                  .group_by(Message.sender_id, Message.room))


def _stored(conn, keys: set[tuple[int, str]]) -> dict[tuple[int, str], dict]:
    table = Message.__table__
    rows = conn.execute(select(table.c.id, table.c.room, table.c.body, table.c.deleted, table.c.created_at,
                               table.c.sender_id, table.c.client_id)
                        .where(tuple_(table.c.sender_id, table.c.client_id).in_(sorted(keys))))
    return {(r.sender_id, r.client_id): {"id": r.id, "room": r.room, "body": r.body, "deleted": r.deleted,
                                         "created_at": r.created_at, "client_id": r.client_id} for r in rows}


def _refusals(conn, batch: Sequence[OutgoingMessage], now: datetime) -> dict[OutgoingMessage, DomainError]:
    """Items refused for a mute or the flood limit (one query each for the whole batch)."""
    people = {item.sender.id for item in batch}
    mutes = {(r.room, r.user_id): r.until
             for r in conn.execute(_ACTIVE_MUTES, {"people": sorted(people), "now": now})}
    count, seconds = current_app.config.get("CHAT_RATE_LIMIT", (0, 0))
    recent: dict[tuple[int, str], int] = {}
    if count and seconds:
        since = now - timedelta(seconds=seconds)
        recent = {(r.sender_id, r.room): r.n
                  for r in conn.execute(_RECENT_COUNTS, {"people": sorted(people), "since": since})}
    refused: dict[OutgoingMessage, DomainError] = {}
    for item in batch:
        until = mutes.get((item.room, item.sender.id))
        if until is not None:
            refused[item] = Muted(f"you are muted in this room until {isoformat(until)}")
            continue
        if count and seconds:
            sent = recent.get((item.sender.id, item.room), 0)
            if sent >= count:
                refused[item] = RateLimited(f"at most {count} messages in {seconds} seconds per room; wait a moment")
                continue
            recent[(item.sender.id, item.room)] = sent + 1
    return refused

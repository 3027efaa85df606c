"""Who sends: the public identity a message carries (name, role), from a per-process
cache refreshed every few seconds (and at once in the process that changes the
person), instead of a query per message."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy import event, select

from exhibition.accounts.models import User
from exhibition.errors import Unauthenticated
from exhibition.extensions import db

SENDER_REFRESH_SECONDS = 5.0


@dataclass(frozen=True)
class Sender:
    """The public identity a message carries."""

    id: int
    display_name: str
    role: str

    @classmethod
    def of(cls, user: Any) -> Sender:
        return cls(user.id, user.display_name, user.role)

    def as_dict(self) -> dict:
        return {"id": self.id, "display_name": self.display_name, "role": self.role}


class SenderCache:
    """Senders by user id, reloaded when older than ``ttl`` seconds. A change to a
    person in this process drops their entry at once; other processes see it within
    ``ttl``."""

    def __init__(self, ttl: float = SENDER_REFRESH_SECONDS) -> None:
        self._ttl = ttl
        self._lock = threading.Lock()
        self._entries: dict[int, tuple[Sender, float]] = {}

    def get(self, user_id: int) -> Sender:
        """The person's identity; Unauthenticated if the account is gone."""
        with self._lock:
            entry = self._entries.get(user_id)
        if entry is not None and time.monotonic() - entry[1] < self._ttl:
            return entry[0]
        with db.engine.connect() as conn:  # not the request's session: it must hold no connection while waiting
            row = conn.execute(select(User.id, User.display_name, User.role).where(User.id == user_id)).first()
        if row is None:
            self.forget(user_id)
            raise Unauthenticated("this account no longer exists; log in again")
        return self.put(row)

    def put(self, user: Any) -> Sender:
        sender = Sender.of(user)
        with self._lock:
            self._entries[sender.id] = (sender, time.monotonic())
        return sender

    def forget(self, user_id: int) -> None:
        with self._lock:
            self._entries.pop(user_id, None)


def senders() -> SenderCache:
    return current_app.extensions["chat_senders"]


@event.listens_for(User, "after_update")
@event.listens_for(User, "after_delete")
def _person_changed(_mapper, _connection, user: User) -> None:
    if has_app_context() and "chat_senders" in current_app.extensions:
        senders().forget(user.id)


def remember(user: Any) -> None:
    """A person's connection opened: keep their identity for their messages."""
    senders().put(user)


def init_app(app: Flask) -> None:
    app.extensions["chat_senders"] = SenderCache()

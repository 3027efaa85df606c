"""The time: now in UTC, and the contract's ISO 8601 form (stored in UTC, shown with offset)."""
from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def isoformat(value: datetime | None) -> str | None:
    """ISO 8601 with offset, seconds precision (docs/api/openapi.yaml)."""
    return value.astimezone(UTC).isoformat(timespec="seconds") if value else None

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer
from sqlalchemy.orm import Mapped, mapped_column

from exhibition.extensions import db
from exhibition.runtime.clock import utcnow
from exhibition.runtime.columns import UTCDateTime


class OnlineSample(db.Model):
    """How many people were online at a moment, for the "online over time" chart."""

    __tablename__ = "online_samples"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    count: Mapped[int] = mapped_column(Integer, default=0)

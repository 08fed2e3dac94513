"""Column types shared by the tables.

:class:`UTCDateTime` is the only datetime type of the schema: every moment is stored in UTC and
comes back as an *aware* UTC datetime, whatever the backend. A naive datetime is a bug (whose
clock? which zone?), so it is refused on write instead of being guessed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class NaiveDatetimeError(ValueError):
    """A datetime without a time zone reached the database layer."""


class UTCDateTime(TypeDecorator[datetime]):
    """``DateTime(timezone=True)`` that stores UTC and returns aware UTC datetimes.

    - PostgreSQL: ``timestamp with time zone``; the value is sent as an aware UTC datetime and
      read back (in the session time zone) and converted to UTC.
    - SQLite: no time zone support, so the value is stored as naive UTC text
      (``YYYY-MM-DD HH:MM:SS.ffffff``, which sorts and compares correctly) and marked UTC on read.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    @property
    def python_type(self) -> type[datetime]:
        return datetime

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}: {value!r}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise NaiveDatetimeError(
                f"naive datetime {value.isoformat()} refused: give it a time zone "
                "(e.g. datetime.now(UTC) or .replace(tzinfo=ZoneInfo(...)))"
            )
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):  # pragma: no cover - drivers always parse
            raise TypeError(f"expected a datetime from the database, got {value!r}")
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

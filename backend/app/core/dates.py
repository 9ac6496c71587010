"""Timestamps a client sends: offset-aware, with a real-world offset, inside a window.

PostgreSQL stores far wider dates than anything Liandong means (year 1, year 9999, an
offset that carries a date over the edge of the range), and such values reach the stats
triggers as ±infinity. Every client-supplied timestamp is one `ClientDatetime`, so a date
outside the window is a 422 naming the field, before any statement runs.
"""

from datetime import UTC, datetime, timedelta
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
FURTHEST_FROM_UTC = timedelta(hours=14)  # Kiribati's +14:00; no zone lies further from UTC
WINDOW = f"from {EARLIEST:%Y-%m-%d} (inclusive) to {LATEST:%Y-%m-%d} (exclusive), UTC"


def _in_window(value: datetime) -> datetime:
    offset = value.utcoffset()
    if offset is None or abs(offset) > FURTHEST_FROM_UTC:
        raise ValueError("the UTC offset must lie between -14:00 and +14:00")
    if not EARLIEST <= value < LATEST:
        raise ValueError(f"the date must lie {WINDOW}")
    return value


ClientDatetime = Annotated[
    AwareDatetime,
    AfterValidator(_in_window),
    Field(description=f"RFC 3339 with an offset of at most ±14:00, {WINDOW}."),
]

"""Colour (亮灯), precedence red > yellow > blue > green (docs/colour.md).

The moments each colour starts are kept on the row by the colour trigger
(migrations/sql/0017_colour.sql, which holds the same rule as `colour_at` in SQL): red
and yellow hold once the clock is past their moments (or, for yellow, while the row's
flag is set), blue from its moment on. So the colour at any moment is read from the row,
and `colour=` is a range on an index.
"""

from datetime import datetime

from app.workitems.models import Colour

# Blue is "due within this many working days" (by 18:00 local of the last one).
BLUE_WORKING_DAYS = 2
# Yellow when planned progress is more than this many points ahead of the progress.
YELLOW_LAG_POINTS = 20


def colour_at(
    red_from: datetime | None,
    yellow: bool,
    yellow_from: datetime | None,
    blue_from: datetime | None,
    now: datetime,
) -> Colour:
    if red_from is not None and red_from < now:
        return Colour.red
    if yellow or (yellow_from is not None and yellow_from < now):
        return Colour.yellow
    if blue_from is not None and blue_from <= now:
        return Colour.blue
    return Colour.green

"""The names of days, shared by the migration's seed and the overrides."""

from datetime import date

WORKING_DAY = "工作日"
WEEKEND = "周末"
ADJUSTED_SUFFIX = "补班"  # a weekend day worked in exchange for a holiday


def ordinary(day: date) -> tuple[bool, str]:
    """(working, name) of a day in an ordinary week."""
    return (True, WORKING_DAY) if day.weekday() < 5 else (False, WEEKEND)

"""The calendar authorization matrix, as data (the core coverage test reads
`CALENDAR_ROUTES`).

The calendar belongs to no unit: everyone signed in reads it, and only an admin whose
grant is at a root unit (prefecture P or Q of tests/support.py) enters it.
"""

from app.access.roles import Role

CALENDAR_ROUTES: set[tuple[str, str]] = {
    ("GET", "/api/v1/calendar/working-days"),
    ("PUT", "/api/v1/calendar/overrides"),
}
# Where the caller's grant is, and whether that unit is a root.
CALLER_UNITS = {"P": True, "Q": True, "C1": False, "S11": False, "M111": False}


def expected_status(method: str, role: Role, unit: str) -> int:
    if method == "GET":
        return 200
    return 200 if role == Role.admin and CALLER_UNITS[unit] else 403

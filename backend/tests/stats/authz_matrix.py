"""The stats authorization matrix, as data (the core coverage test reads `STATS_ROUTES`).

Every role holds `stats.read`, so the summary and the scorecards of a unit are 200 for every
role whose grant covers the unit, and 404 for a unit outside the caller's scope (existence is
not leaked), whichever role the caller holds. Positions are those of tests/support.py: the caller's
grant is at street S11.
"""

from app.access.roles import Role

STATS_ROUTES: set[tuple[str, str]] = {
    ("GET", "/api/v1/stats/summary"),
    ("GET", "/api/v1/stats/scorecards"),
}
IN_SCOPE = {"self", "descendant"}


def expected_status(role: Role, position: str) -> int:
    return 200 if position in IN_SCOPE else 404

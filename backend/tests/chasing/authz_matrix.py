"""The chasing authorization matrix, as data (the core coverage test reads
`CHASING_ROUTES`).

The policy belongs to a root unit: everyone signed in under it reads it, only an admin
whose grant is at that root sets it. A 督办单 is issued by the leaders of the supervising
unit (the tier above the issuer, for an issue above the handler) or above it; others who
see the item are refused (403), those who do not are told nothing (404).
"""

from app.access.roles import Role

POLICY_ROUTES = {("GET", "/api/v1/chasing-policy"), ("PUT", "/api/v1/chasing-policy")}
SUPERVISE_ROUTES = {
    ("POST", "/api/v1/tasks/{task_id}/supervise"),
    ("POST", "/api/v1/issues/{issue_id}/supervise"),
}
CHASING_ROUTES: set[tuple[str, str]] = POLICY_ROUTES | SUPERVISE_ROUTES

# Where the caller's grant is, and whether that unit is the root P.
POLICY_UNITS = {"P": True, "C1": False, "S11": False, "M111": False}

# Tasks go from task force T1 to community M111 and wait on county C1's 督办单; issues are
# reported by M111, handled by street S11 and wait on C1 too.
SUPERVISE_UNITS = ["P", "C1", "T1", "S11", "M111", "G1", "D1", "M112", "C2", "X"]
SEES = {
    "task": {"P", "C1", "T1", "S11", "M111"},
    "issue": {"P", "C1", "S11", "M111"},
}
ABOVE_OR_AT_SUPERVISOR = {"P", "C1"}


def policy_status(method: str, role: Role, unit: str) -> int:
    if method == "GET":
        return 200
    if role != Role.admin:
        return 403
    return 200 if POLICY_UNITS[unit] else 403


def supervise_status(noun: str, role: Role, unit: str) -> int:
    if unit not in SEES[noun]:
        return 404
    return 200 if role == Role.leader and unit in ABOVE_OR_AT_SUPERVISOR else 403

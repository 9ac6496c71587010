"""The role -> permission table. Data, not code paths: tests read it directly."""

from enum import StrEnum


class Role(StrEnum):
    admin = "admin"
    leader = "leader"
    officer = "officer"
    observer = "observer"
    liaison = "liaison"


class Perm(StrEnum):
    org_read = "org.read"
    org_manage = "org.manage"
    user_read = "user.read"
    user_manage = "user.manage"
    grant_read = "grant.read"
    grant_manage = "grant.manage"
    audit_read = "audit.read"
    # Work items (tasks, issues, feedback). Side rules (issuer/assignee, reporter/handler)
    # are checked in the services on top of these.
    task_read = "task.read"
    task_create = "task.create"  # issue tasks and subtasks, edit and re-issue them
    task_work = "task.work"  # accept, start, progress, submit, request an extension
    task_decide = "task.decide"  # verify, return, cancel, approve/reject an extension
    issue_read = "issue.read"
    issue_create = "issue.create"  # raise an issue, edit it while open
    issue_work = "issue.work"  # acknowledge, escalate
    issue_decide = "issue.decide"  # delegate, resolve
    issue_confirm = "issue.confirm"  # close (with a rating) or reopen, reporter side
    feedback_create = "feedback.create"
    stats_read = "stats.read"  # the dashboard summary of a unit in scope
    calendar_manage = "calendar.manage"  # enter working-day overrides (root units only)
    chasing_manage = "chasing.manage"  # set a root unit's chasing ladder (root admins only)
    chasing_supervise = "chasing.supervise"  # issue a 督办单 (the tier above, see app/chasing)


_READ = {Perm.org_read, Perm.task_read, Perm.issue_read, Perm.stats_read}
_OFFICER = {
    Perm.task_create,
    Perm.task_work,
    Perm.issue_create,
    Perm.issue_work,
    Perm.issue_confirm,
    Perm.feedback_create,
}
_LEADER = _OFFICER | {Perm.task_decide, Perm.issue_decide, Perm.chasing_supervise}
# An enterprise contact raises issues, confirms (rates) or reopens them, and gives feedback.
_LIAISON = {Perm.issue_create, Perm.issue_confirm, Perm.feedback_create}

ROLE_PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.admin: frozenset(
        _READ
        | {
            Perm.org_manage,
            Perm.user_read,
            Perm.user_manage,
            Perm.grant_read,
            Perm.grant_manage,
            Perm.audit_read,
            Perm.calendar_manage,
            Perm.chasing_manage,
        }
    ),
    Role.leader: frozenset(_READ | _LEADER | {Perm.audit_read}),
    Role.officer: frozenset(_READ | _OFFICER),
    Role.observer: frozenset(_READ),
    Role.liaison: frozenset(_READ | _LIAISON),
}


# The people of a unit, who act for it: notices reach them, and a unit with none of them (no
# logins) is acted for, and told, through its nearest ancestor that has some.
PEOPLE_ROLES = (Role.leader, Role.officer, Role.liaison)


def role_has(role: str, perm: Perm) -> bool:
    return perm in ROLE_PERMISSIONS.get(Role(role), frozenset())

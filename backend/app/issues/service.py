"""Issues: raised where they are found, escalated up the tiers or delegated down until a
unit resolves them; the reporter confirms (with a rating) or reopens.

All issue SQL lives here. Status changes go through `_set_status` only (rollup counters
hook in there); handler moves go through `_move_handler`.
"""

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import asyncpg
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.access.deps import Target
from app.access.roles import Perm, role_has
from app.access.scope import Principal, is_within
from app.audit.service import record, snapshot
from app.core.db import driver
from app.core.errors import Conflict, Forbidden, NotFound, Unprocessable
from app.core.etags import check_if_match
from app.core.models import utcnow
from app.events.listing import ItemTable, list_items, read_item
from app.events.models import ItemType
from app.events.service import add_event
from app.events.sides import Sides, acting_unit, scope_predicate
from app.feedback import service as feedback
from app.feedback.models import FeedbackKind
from app.feedback.schemas import FeedbackCreate
from app.issues import state
from app.issues.config import get_issue_settings
from app.issues.models import UNRESOLVED_STATUSES, Issue, IssueSeverity, IssueStatus
from app.issues.schemas import CloseBody, DelegateBody, IssueCreate, IssueQuery, IssueUpdate
from app.issues.state import IssueSide
from app.notifications.models import NotificationKind
from app.notifications.service import notify_unit
from app.orgs.models import TIER_KINDS, OrgUnit, Tier

AUDIT_FIELDS = (
    "id",
    "title",
    "description",
    "category",
    "severity",
    "status",
    "reporter_org_id",
    "handler_org_id",
    "resolved_by_org_id",
    "resolved_tier",
    "resolution",
    "rating",
    "due_at",
    "version",
)
CAPABILITY_PERMS = (Perm.issue_create, Perm.issue_work, Perm.issue_decide, Perm.issue_confirm)

# The columns an issue shows as they are, then those `render` reshapes (read by position).
_SHOWN = (
    "id",
    "title",
    "description",
    "category",
    "severity",
    "status",
    "reporter_org_id",
    "reporter_user_id",
    "handler_org_id",
    "resolved_by_org_id",
    "resolved_tier",
    "resolution",
    "rating",
    "due_at",
    "created_at",
    "updated_at",
    "acknowledged_at",
    "resolved_at",
    "closed_at",
    "version",
)
# Reads are plain SQL (app/events/listing.py) on a reader connection (app/core/db.py).
_COLUMNS_SQL = (
    ", ".join(f"i.{c}" for c in _SHOWN)
    + ", reporter_org.name AS reporter_org_name, handler_org.name AS handler_org_name,"
    " handler_org.tier AS handler_tier, i.reporter_path, i.handler_path,"
    " handler_org.kind AS handler_kind"
)
_JOINS_SQL = (
    "JOIN org_units reporter_org ON reporter_org.id = i.reporter_org_id"
    " JOIN org_units handler_org ON handler_org.id = i.handler_org_id"
)
_KEYS = (*_SHOWN, "reporter_org_name", "handler_org_name", "handler_tier")
_FIRST_RESHAPED = len(_KEYS)
TABLE = ItemTable(
    name="issues",
    feed="issue_feed",
    alias="i",
    columns=_COLUMNS_SQL,
    joins=_JOINS_SQL,
    parties=("reporter_path", "handler_path"),
    read_perm=Perm.issue_read,
    open_statuses=tuple(s.value for s in UNRESOLVED_STATUSES),
    due_soon=state.DUE_SOON,
)


async def _party_paths(
    connection: asyncpg.Connection, item_id: uuid.UUID
) -> list[list[int]] | None:
    row = await connection.fetchrow(
        "SELECT reporter_path, handler_path FROM issues WHERE id = $1", item_id
    )
    return None if row is None else [row[0], row[1]]


# Routes on one issue check their permission at its parties (app.access.deps.Target).
TARGET = Target("issue_id", "Issue", _party_paths, read_perm=Perm.issue_read)


# ---------------------------------------------------------------- rendering


PARTY_SIDES = (IssueSide.reporter, IssueSide.handler)


def capabilities(
    sides: Sides, reporter_path: Sequence[int], handler_path: Sequence[int]
) -> frozenset[state.Capability]:
    held = (sides.held(reporter_path), sides.held(handler_path))
    return sides.view(PARTY_SIDES, CAPABILITY_PERMS, held)[0]


def _facts(
    status: str, handler_tier: str, handler_kind: str, resolved_at: datetime | None, now: datetime
) -> state.Facts:
    window = get_issue_settings().reopen_window
    return state.Facts(
        status=status,
        # An attached unit escalates to its own tier unit, so only the prefecture itself
        # has nowhere to go.
        can_escalate=handler_tier != Tier.prefecture or handler_kind not in TIER_KINDS,
        reopen_open=resolved_at is not None and now <= resolved_at + window,
    )


def render(row: Sequence[Any], sides: Sides, now: datetime) -> dict[str, Any]:
    """An issue as the API shows it to this caller, now (`row`: the columns of `TABLE.select`)."""
    item = dict(zip(_KEYS, row, strict=False))  # stops before the reshaped columns
    reporter_path, handler_path, handler_kind = row[_FIRST_RESHAPED:]
    status = item["status"]
    resolved_at = item["resolved_at"]
    due_at = item["due_at"]
    held = (
        sides.held_at(item["reporter_org_id"], reporter_path),
        sides.held_at(item["handler_org_id"], handler_path),
    )
    caps, can_feedback = sides.view(PARTY_SIDES, CAPABILITY_PERMS, held)
    facts = _facts(status, item["handler_tier"], handler_kind, resolved_at, now)
    # A resolved issue stays with the unit that resolved it (reopen clears both).
    resolved_by_handler = item["resolved_by_org_id"] == item["handler_org_id"]
    item["resolved_by_org_name"] = item["handler_org_name"] if resolved_by_handler else None
    item["overdue"] = state.is_overdue(due_at, status, now)
    item["due_soon"] = state.is_due_soon(due_at, status, now)
    item["reopen_until"] = (
        resolved_at + get_issue_settings().reopen_window if resolved_at is not None else None
    )
    item["allowed_actions"] = state.allowed_actions(facts, caps)
    item["can_edit"] = status in UNRESOLVED_STATUSES and any(c in caps for c in state.EDIT)
    item["can_feedback"] = can_feedback
    return item


async def _read(session: AsyncSession, sides: Sides, issue_id: uuid.UUID) -> dict[str, Any]:
    await session.flush()  # the plain SQL below reads what the session has written
    row = await (await driver(session)).fetchrow(f"{TABLE.select} WHERE i.id = $1", issue_id)
    return render(row, sides, utcnow())


# ---------------------------------------------------------------- reads


def _visible(principal: Principal) -> sa.ColumnElement[bool]:
    return scope_predicate(
        principal, Perm.issue_read, "issues", col(Issue.reporter_path), col(Issue.handler_path)
    )


async def get_issue(
    connection: asyncpg.Connection, principal: Principal, issue_id: uuid.UUID
) -> dict[str, Any]:
    row = await read_item(connection, TABLE, principal, issue_id)
    if row is None:
        raise NotFound("Issue")
    return render(row, Sides(principal), utcnow())


async def visible_paths(
    session: AsyncSession, principal: Principal, issue_id: uuid.UUID
) -> tuple[list[int], list[int]]:
    """(reporter_path, handler_path) of an issue the caller sees; 404 otherwise."""
    row = (
        await session.execute(
            sa.select(col(Issue.reporter_path), col(Issue.handler_path)).where(
                col(Issue.id) == issue_id, _visible(principal)
            )
        )
    ).one_or_none()
    if row is None:
        raise NotFound("Issue")
    return list(row.reporter_path), list(row.handler_path)


async def list_issues(
    connection: asyncpg.Connection, principal: Principal, query: IssueQuery
) -> tuple[list[dict[str, Any]], str | None]:
    party = "i.{} = (SELECT path FROM org_units WHERE id = {{}})"
    conditions = [
        ("i.status = ANY({}::text[])", query.status),
        (party.format("reporter_path"), query.reporter_org_id),
        (party.format("handler_path"), query.handler_org_id),
        ("i.category = ANY({}::text[])", query.category),
        ("i.severity = ANY({}::text[])", query.severity),
        ("i.resolved_tier = {}", query.resolved_tier),
    ]
    return await list_items(connection, TABLE, principal, query, conditions, render)


# ---------------------------------------------------------------- org rules


async def _org(session: AsyncSession, org_id: uuid.UUID, field: str) -> OrgUnit:
    org: OrgUnit | None = (
        await session.execute(sa.select(OrgUnit).where(col(OrgUnit.id) == org_id))
    ).scalar_one_or_none()
    if org is None:
        raise Unprocessable(f"{field}: no such unit.")
    return org


async def escalation_target(session: AsyncSession, handler_path: Sequence[int]) -> OrgUnit | None:
    """Where an escalation goes: from a tier unit, the tier unit one tier above; from an
    attached unit (department, task force, group, enterprise), the tier unit it hangs
    under, as a county bureau reports up to its county. None at the prefecture itself."""
    tier_units = (
        (
            await session.execute(
                sa.select(OrgUnit)
                .where(
                    col(OrgUnit.key).in_(list(handler_path)),
                    col(OrgUnit.kind).in_([k.value for k in TIER_KINDS]),
                )
                .order_by(sa.func.cardinality(col(OrgUnit.path)).desc())
                .limit(2)
            )
        )
        .scalars()
        .all()
    )
    if tier_units[0].key != handler_path[-1]:
        return tier_units[0]  # the handler is an attached unit
    return tier_units[1] if len(tier_units) > 1 else None


async def _reporter_for(
    session: AsyncSession, principal: Principal, sides: Sides, reporter_org_id: uuid.UUID | None
) -> OrgUnit:
    if reporter_org_id is None:
        units = {g.org_id for g in principal.grants if role_has(g.role, Perm.issue_create)}
        if not units:
            raise Forbidden("Your roles do not allow raising issues.")
        if len(units) > 1:
            raise Unprocessable("You hold roles at several units: name the reporter_org_id.")
        reporter_org_id = units.pop()
    reporter = await _org(session, reporter_org_id, "reporter_org_id")
    if not sides.may(Perm.issue_create, reporter.path):
        raise Forbidden("You may not raise issues for that unit.")
    return reporter


# ---------------------------------------------------------------- writes


async def _lock(session: AsyncSession, principal: Principal, issue_id: uuid.UUID) -> Issue:
    issue: Issue | None = (
        await session.execute(
            sa.select(Issue).where(col(Issue.id) == issue_id, _visible(principal)).with_for_update()
        )
    ).scalar_one_or_none()
    if issue is None:
        raise NotFound("Issue")
    return issue


async def _set_status(session: AsyncSession, issue: Issue, new: IssueStatus, now: datetime) -> None:
    """The one place an issue's status changes (rollup counters hook in here)."""
    issue.status = new.value
    if new == IssueStatus.acknowledged:
        issue.acknowledged_at = now
    elif new == IssueStatus.closed:
        issue.closed_at = now
    await session.flush()


async def _move_handler(issue: Issue, target: OrgUnit) -> None:
    """The one place the handler changes: the new unit starts from `open`."""
    issue.handler_org_id = target.id
    issue.handler_path = list(target.path)
    issue.acknowledged_at = None
    issue.due_soon_notified_at = None
    issue.overdue_notified_at = None


async def _audit(
    session: AsyncSession,
    action: str,
    issue: Issue,
    actor_id: uuid.UUID,
    before: dict[str, Any] | None,
) -> None:
    await record(
        session,
        action=f"issue.{action}",
        entity_type="issue",
        entity_id=issue.id,
        actor_id=actor_id,
        org_path=issue.reporter_path,
        before=before,
        after=snapshot(issue, AUDIT_FIELDS),
    )


async def create_issue(
    session: AsyncSession, principal: Principal, data: IssueCreate
) -> dict[str, Any]:
    sides = Sides(principal)
    reporter = await _reporter_for(session, principal, sides, data.reporter_org_id)
    now = utcnow()
    issue = Issue(
        title=data.title,
        description=data.description,
        category=data.category.value,
        severity=data.severity.value,
        status=IssueStatus.open.value,
        reporter_org_id=reporter.id,
        reporter_path=list(reporter.path),
        reporter_user_id=principal.user_id,
        handler_org_id=reporter.id,
        handler_path=list(reporter.path),
        due_at=now + get_issue_settings().due_in(data.severity),
        created_at=now,
        updated_at=now,
    )
    session.add(issue)
    await session.flush()
    await add_event(
        session,
        item_type=ItemType.issue,
        item_id=issue.id,
        action="create",
        actor_id=principal.user_id,
        org_id=reporter.id,
        to_status=IssueStatus.open.value,
        data={"severity": issue.severity, "category": issue.category, "due_at": issue.due_at},
    )
    await _audit(session, "create", issue, principal.user_id, None)
    return await _read(session, sides, issue.id)


async def update_issue(
    session: AsyncSession,
    principal: Principal,
    issue_id: uuid.UUID,
    data: IssueUpdate,
    if_match: str | None,
) -> dict[str, Any]:
    issue = await _lock(session, principal, issue_id)
    sides = Sides(principal)
    caps = capabilities(sides, issue.reporter_path, issue.handler_path)
    if not any(c in caps for c in state.EDIT):
        raise Forbidden("Only the reporter or handler side may edit an issue.")
    check_if_match(if_match, issue.version, "issue")
    if issue.status not in UNRESOLVED_STATUSES:
        raise Conflict(f"The issue is {issue.status}; it can no longer be edited.")
    changes = data.model_dump(exclude_unset=True)
    for field, value in changes.items():
        if value is None:
            raise Unprocessable(f"{field} cannot be null.")
    before = snapshot(issue, AUDIT_FIELDS)
    changed: dict[str, Any] = {}
    for field, value in changes.items():
        plain = value.value if hasattr(value, "value") else value
        if getattr(issue, field) != plain:
            changed[field] = plain
            setattr(issue, field, plain)
    if "severity" in changed:
        due_at = issue.created_at + get_issue_settings().due_in(IssueSeverity(issue.severity))
        changed["due_at"] = due_at
        issue.due_at = due_at
        issue.due_soon_notified_at = None
        issue.overdue_notified_at = None
    if changed:
        issue.version += 1
        issue.updated_at = utcnow()
        await add_event(
            session,
            item_type=ItemType.issue,
            item_id=issue.id,
            action="update",
            actor_id=principal.user_id,
            org_id=acting_unit(principal, None, issue.reporter_path, issue.handler_path),
            data=changed,
        )
        await session.flush()
        await _audit(session, "update", issue, principal.user_id, before)
    return await _read(session, sides, issue.id)


async def act(
    session: AsyncSession,
    principal: Principal,
    issue_id: uuid.UUID,
    action: str,
    body: Any,
    if_match: str | None,
) -> dict[str, Any]:
    """Take a workflow action (see state.RULES) on an issue."""
    issue = await _lock(session, principal, issue_id)
    sides = Sides(principal)
    now = utcnow()
    caps = capabilities(sides, issue.reporter_path, issue.handler_path)
    rule = state.RULES[action]
    if (rule.side, rule.perm) not in caps:
        raise Forbidden(f"Only the {rule.side.value} side, with the right role, may {action}.")
    check_if_match(if_match, issue.version, "issue")
    handler = await _org(session, issue.handler_org_id, "handler_org_id")
    decision = state.decide(
        action, _facts(issue.status, handler.tier, handler.kind, issue.resolved_at, now), caps
    )
    if decision.rule is None:
        raise Conflict(decision.detail, extra={"current_status": issue.status})
    before = snapshot(issue, AUDIT_FIELDS)
    side_path = issue.handler_path if rule.side == IssueSide.handler else issue.reporter_path
    org_id = acting_unit(principal, rule.perm, side_path)
    note: str = getattr(body, "note", "") or ""
    data: dict[str, Any] = {}
    old_status = issue.status
    notice: tuple[uuid.UUID, NotificationKind] | None = None

    if action in ("escalate", "delegate"):
        if action == "escalate":
            target = await escalation_target(session, issue.handler_path)
            assert target is not None  # decide() refused escalation at the top tier
            notice = (target.id, NotificationKind.issue_escalated)
        else:
            assert isinstance(body, DelegateBody)
            target = await _org(session, body.target_org_id, "target_org_id")
            if target.id == handler.id or not is_within(target.path, tuple(handler.path)):
                raise Forbidden(
                    "An issue can be delegated only to a unit inside the handler's scope."
                )
            notice = (target.id, NotificationKind.issue_delegated)
        data.update(
            from_org_id=handler.id,
            from_org_name=handler.name,
            to_org_id=target.id,
            to_org_name=target.name,
            to_tier=target.tier,
        )
        await _move_handler(issue, target)
    elif action == "resolve":
        issue.resolved_by_org_id = handler.id
        issue.resolved_tier = handler.tier
        issue.resolved_at = now
        issue.resolution = note
        data.update(resolved_by_org_id=handler.id, resolved_tier=handler.tier)
    elif action == "close":
        assert isinstance(body, CloseBody)
        fb = await feedback.add_feedback(
            session,
            item_type=ItemType.issue,
            item_id=issue.id,
            kind=FeedbackKind.satisfaction,
            body=note,
            rating=body.rating,
            author_id=principal.user_id,
            org_id=org_id,
            event=False,
        )
        issue.rating = body.rating
        data.update(rating=body.rating, feedback_id=fb.id)
    elif action == "reopen":
        data.update(
            previous_resolved_tier=issue.resolved_tier,
            previous_resolved_by_org_id=issue.resolved_by_org_id,
        )
        issue.resolved_by_org_id = None
        issue.resolved_tier = None
        issue.resolved_at = None
        issue.resolution = None
        issue.rating = None
        issue.closed_at = None
        issue.acknowledged_at = None

    await _set_status(session, issue, rule.to_status, now)
    issue.version += 1
    issue.updated_at = now
    await add_event(
        session,
        item_type=ItemType.issue,
        item_id=issue.id,
        action=action,
        actor_id=principal.user_id,
        org_id=org_id,
        from_status=old_status,
        to_status=issue.status,
        note=note or None,
        data=data or None,
    )
    await session.flush()
    await _audit(session, action, issue, principal.user_id, before)
    if notice is not None:
        await notify_unit(
            session,
            org_id=notice[0],
            kind=notice[1],
            item_type=ItemType.issue,
            item_id=issue.id,
            title=issue.title,
            actor_id=principal.user_id,
        )
    return await _read(session, sides, issue.id)


async def add_feedback(
    session: AsyncSession, principal: Principal, issue_id: uuid.UUID, data: FeedbackCreate
) -> dict[str, Any]:
    reporter_path, handler_path = await visible_paths(session, principal, issue_id)
    sides = Sides(principal)
    if not (
        sides.may(Perm.feedback_create, reporter_path)
        or sides.may(Perm.feedback_create, handler_path)
    ):
        raise Forbidden("Your roles do not allow giving feedback on this issue.")
    org_id = acting_unit(principal, Perm.feedback_create, reporter_path, handler_path)
    fb = await feedback.add_feedback(
        session,
        item_type=ItemType.issue,
        item_id=issue_id,
        kind=data.kind,
        body=data.body,
        rating=data.rating,
        author_id=principal.user_id,
        org_id=org_id,
    )
    await record(
        session,
        action="issue.feedback",
        entity_type="feedback",
        entity_id=fb.id,
        actor_id=principal.user_id,
        org_path=reporter_path,
        after={"issue_id": issue_id, "kind": data.kind, "body": data.body, "rating": data.rating},
    )
    return await feedback.get_feedback(session, fb.id)

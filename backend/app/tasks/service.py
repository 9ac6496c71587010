"""Tasks: issued down the chain, worked, submitted with feedback, verified.

All task SQL lives here. Reads select columns (Core) and render plain dicts that the
routers encode with orjson; writes lock the row (SELECT ... FOR UPDATE), check side,
If-Match and state in that order (403, 412, 409), and change status only through
`_set_status`, which also keeps the parent's subtask counters (and, later, any stats
rollups) in step.
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
from app.access.scope import Principal, is_within, path_range
from app.audit.service import record, snapshot
from app.core.db import driver
from app.core.errors import Conflict, Forbidden, NotFound, Unprocessable
from app.core.etags import check_if_match
from app.core.models import PathType, utcnow
from app.core.pagination import decode_cursor, encode_cursor
from app.events.listing import ItemTable, list_items, read_item
from app.events.models import ItemType
from app.events.service import add_event
from app.events.sides import Sides, acting_unit, scope_predicate
from app.feedback import service as feedback
from app.feedback.models import FeedbackKind
from app.feedback.schemas import FeedbackCreate
from app.grants.models import Grant
from app.notifications.models import NotificationKind
from app.notifications.service import notify_unit
from app.orgs.models import TIER_KINDS, OrgKind, OrgUnit
from app.tasks import state
from app.tasks.models import CLOSED_STATUSES, Side, Task, TaskStatus
from app.tasks.schemas import (
    ExtensionRequest,
    ProgressBody,
    ReissueBody,
    TaskCreate,
    TaskQuery,
    TaskUpdate,
)
from app.users.models import User

AUDIT_FIELDS = (
    "id",
    "title",
    "description",
    "issuer_org_id",
    "assignee_org_id",
    "responsible_user_id",
    "due_at",
    "priority",
    "source",
    "status",
    "returned_by",
    "progress",
    "parent_id",
    "extension_due_at",
    "version",
)
# Attached units that direct work across the tier unit they hang under.
DIRECTING_KINDS = {OrgKind.department.value, OrgKind.taskforce.value, OrgKind.group.value}
CAPABILITY_PERMS = (Perm.task_create, Perm.task_work, Perm.task_decide)

# The columns a task shows as they are, then those `render` reshapes (read by position).
_SHOWN = (
    "id",
    "title",
    "description",
    "issuer_org_id",
    "assignee_org_id",
    "responsible_user_id",
    "due_at",
    "priority",
    "source",
    "status",
    "returned_by",
    "progress",
    "parent_id",
    "created_by",
    "created_at",
    "updated_at",
    "accepted_at",
    "submitted_at",
    "completed_at",
    "cancelled_at",
    "version",
)
_RESHAPED = (
    "issuer_path",
    "assignee_path",
    "subtasks_total",
    "subtasks_done",
    "extension_due_at",
    "extension_note",
    "extension_requested_at",
    "extension_requested_by",
)
# Reads are plain SQL (app/events/listing.py) on a reader connection (app/core/db.py).
_COLUMNS_SQL = (
    ", ".join(f"t.{c}" for c in _SHOWN)
    + ", issuer_org.name AS issuer_org_name, assignee_org.name AS assignee_org_name, "
    + ", ".join(f"t.{c}" for c in _RESHAPED)
)
_JOINS_SQL = (
    "JOIN org_units issuer_org ON issuer_org.id = t.issuer_org_id"
    " JOIN org_units assignee_org ON assignee_org.id = t.assignee_org_id"
)
_KEYS = (*_SHOWN, "issuer_org_name", "assignee_org_name")
_FIRST_RESHAPED = len(_KEYS)
TABLE = ItemTable(
    name="tasks",
    feed="task_feed",
    alias="t",
    columns=_COLUMNS_SQL,
    joins=_JOINS_SQL,
    parties=("issuer_path", "assignee_path"),
    read_perm=Perm.task_read,
    open_statuses=tuple(s.value for s in TaskStatus if s not in CLOSED_STATUSES),
    due_soon=state.DUE_SOON,
)


async def _party_paths(
    connection: asyncpg.Connection, item_id: uuid.UUID
) -> list[list[int]] | None:
    row = await connection.fetchrow(
        "SELECT issuer_path, assignee_path FROM tasks WHERE id = $1", item_id
    )
    return None if row is None else [row[0], row[1]]


# Routes on one task check their permission at its parties (app.access.deps.Target).
TARGET = Target("task_id", "Task", _party_paths, read_perm=Perm.task_read)


# ---------------------------------------------------------------- rendering


PARTY_SIDES = (Side.issuer, Side.assignee)


def capabilities(
    sides: Sides, issuer_path: Sequence[int], assignee_path: Sequence[int]
) -> frozenset[state.Capability]:
    held = (sides.held(issuer_path), sides.held(assignee_path))
    return sides.view(PARTY_SIDES, CAPABILITY_PERMS, held)[0]


def render(row: Sequence[Any], sides: Sides, now: datetime) -> dict[str, Any]:
    """A task as the API shows it to this caller, now (`row`: the columns of `TABLE.select`)."""
    item = dict(zip(_KEYS, row, strict=False))  # stops before the reshaped columns
    (
        issuer_path,
        assignee_path,
        subtasks_total,
        subtasks_done,
        extension_due_at,
        extension_note,
        extension_requested_at,
        extension_requested_by,
    ) = row[_FIRST_RESHAPED:]
    status = item["status"]
    item_state = state.state_of(status, item["returned_by"])
    pending = extension_due_at is not None
    held = (
        sides.held_at(item["issuer_org_id"], issuer_path),
        sides.held_at(item["assignee_org_id"], assignee_path),
    )
    caps, can_feedback = sides.view(PARTY_SIDES, CAPABILITY_PERMS, held)
    due_at = item["due_at"]
    item["subtasks"] = {"total": subtasks_total, "done": subtasks_done}
    item["extension"] = (
        {
            "due_at": extension_due_at,
            "note": extension_note,
            "requested_at": extension_requested_at,
            "requested_by": extension_requested_by,
        }
        if pending
        else None
    )
    item["overdue"] = state.is_overdue(due_at, status, now)
    item["due_soon"] = state.is_due_soon(due_at, status, now)
    item["allowed_actions"] = state.allowed_actions(item_state, pending, caps)
    item["can_edit"] = state.EDIT in caps and status not in CLOSED_STATUSES
    item["can_add_subtask"] = state.SPLIT in caps and item_state in state.SPLIT_STATES
    item["can_feedback"] = can_feedback
    return item


async def _read(session: AsyncSession, sides: Sides, task_id: uuid.UUID) -> dict[str, Any]:
    await session.flush()  # the plain SQL below reads what the session has written
    row = await (await driver(session)).fetchrow(f"{TABLE.select} WHERE t.id = $1", task_id)
    return render(row, sides, utcnow())


# ---------------------------------------------------------------- reads


def _visible(principal: Principal) -> sa.ColumnElement[bool]:
    return scope_predicate(
        principal, Perm.task_read, "tasks", col(Task.issuer_path), col(Task.assignee_path)
    )


async def get_task(
    connection: asyncpg.Connection, principal: Principal, task_id: uuid.UUID
) -> dict[str, Any]:
    row = await read_item(connection, TABLE, principal, task_id)
    if row is None:
        raise NotFound("Task")
    return render(row, Sides(principal), utcnow())


async def visible_paths(
    session: AsyncSession, principal: Principal, task_id: uuid.UUID
) -> tuple[list[int], list[int]]:
    """(issuer_path, assignee_path) of a task the caller sees; 404 otherwise."""
    row = (
        await session.execute(
            sa.select(col(Task.issuer_path), col(Task.assignee_path)).where(
                col(Task.id) == task_id, _visible(principal)
            )
        )
    ).one_or_none()
    if row is None:
        raise NotFound("Task")
    return list(row.issuer_path), list(row.assignee_path)


async def list_tasks(
    connection: asyncpg.Connection, principal: Principal, query: TaskQuery
) -> tuple[list[dict[str, Any]], str | None]:
    party = "t.{} = (SELECT path FROM org_units WHERE id = {{}})"
    conditions = [
        ("t.status = ANY({}::text[])", query.status),
        (party.format("issuer_path"), query.issuer_org_id),
        (party.format("assignee_path"), query.assignee_org_id),
        ("t.parent_id = {}", query.parent_id),
        ("t.priority = {}", query.priority),
        ("t.source = {}", query.source),
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


async def _org_at(session: AsyncSession, path: Sequence[int]) -> OrgUnit:
    org: OrgUnit = (
        await session.execute(
            sa.select(OrgUnit).where(col(OrgUnit.path) == sa.literal(list(path), PathType))
        )
    ).scalar_one()
    return org


async def assignable_root(session: AsyncSession, issuer: OrgUnit) -> list[int]:
    """The subtree an issuer may assign into: its own; for a department, task force or
    group, the subtree of the tier unit it hangs under."""
    if issuer.kind not in DIRECTING_KINDS:
        return list(issuer.path)
    tier_path = (
        await session.execute(
            sa.select(col(OrgUnit.path))
            .where(
                col(OrgUnit.key).in_(list(issuer.path[:-1])),
                col(OrgUnit.kind).in_([k.value for k in TIER_KINDS]),
            )
            .order_by(sa.func.cardinality(col(OrgUnit.path)).desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    return list(tier_path) if tier_path is not None else list(issuer.path)


async def check_assignable(
    session: AsyncSession, issuer: OrgUnit, assignee: OrgUnit, *, subtask: bool = False
) -> None:
    """DESIGN "Whom a unit may assign to"; a subtask goes to a unit inside the splitting
    unit's own scope only."""
    if assignee.id == issuer.id:
        raise Unprocessable("A unit cannot assign a task to itself.")
    if subtask:
        if not is_within(assignee.path, tuple(issuer.path)):
            raise Forbidden(f"{issuer.name} may split its task only among units inside its scope.")
        return
    root = await assignable_root(session, issuer)
    if not is_within(assignee.path, tuple(root)):
        raise Forbidden(
            f"{issuer.name} may assign tasks only to units inside its scope"
            + (" or under the tier unit it belongs to." if issuer.kind in DIRECTING_KINDS else ".")
        )


async def check_responsible(session: AsyncSession, user_id: uuid.UUID, assignee: OrgUnit) -> None:
    """The responsible person must be an active user with a role in the assignee unit."""
    found = (
        await session.execute(
            sa.select(sa.literal(1))
            .select_from(Grant)
            .join(OrgUnit, col(OrgUnit.id) == col(Grant.org_id))
            .join(User, col(User.id) == col(Grant.user_id))
            .where(
                col(Grant.user_id) == user_id,
                col(User.is_active),
                path_range(col(OrgUnit.path), tuple(assignee.path)),
            )
            .limit(1)
        )
    ).first()
    if found is None:
        raise Unprocessable(
            "responsible_user_id must be an active user with a role in the assignee unit."
        )


async def _issuer_for(
    session: AsyncSession, principal: Principal, sides: Sides, issuer_org_id: uuid.UUID | None
) -> OrgUnit:
    if issuer_org_id is None:
        units = {g.org_id for g in principal.grants if role_has(g.role, Perm.task_create)}
        if not units:
            raise Forbidden("Your roles do not allow issuing tasks.")
        if len(units) > 1:
            raise Unprocessable("You hold roles at several units: name the issuer_org_id.")
        issuer_org_id = units.pop()
    issuer = await _org(session, issuer_org_id, "issuer_org_id")
    if not sides.may(Perm.task_create, issuer.path):
        raise Forbidden("You may not issue tasks for that unit.")
    return issuer


async def assignable_units(
    session: AsyncSession,
    principal: Principal,
    *,
    issuer_org_id: uuid.UUID | None,
    parent_id: uuid.UUID | None,
    q: str | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[OrgUnit], str | None]:
    """Units a task from this issuer (or a subtask of `parent_id`) may go to, in tree order.

    The issuer side may not be able to read these units through /orgs (a county task force
    directs communities outside its own subtree), so the task domain lists them itself.
    """
    sides = Sides(principal)
    if parent_id is not None:
        _, assignee_path = await visible_paths(session, principal, parent_id)
        if not sides.may(Perm.task_create, assignee_path):
            raise Forbidden("Only the assignee side of a task may split it into subtasks.")
        issuer = await _org_at(session, assignee_path)
        root = list(issuer.path)
    else:
        issuer = await _issuer_for(session, principal, sides, issuer_org_id)
        root = await assignable_root(session, issuer)
    query = sa.select(OrgUnit).where(
        path_range(col(OrgUnit.path), tuple(root)), col(OrgUnit.id) != issuer.id
    )
    if q:
        query = query.where(col(OrgUnit.name).icontains(q, autoescape=True))
    after = decode_cursor(cursor, 1)
    if after is not None:
        if not isinstance(after[0], list) or not all(isinstance(k, int) for k in after[0]):
            raise Unprocessable("The cursor is not valid.")
        query = query.where(col(OrgUnit.path) > sa.literal(after[0], PathType))
    rows = list(
        (await session.execute(query.order_by(col(OrgUnit.path)).limit(limit + 1))).scalars()
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode_cursor([list(rows[-1].path)]) if more and rows else None


# ---------------------------------------------------------------- writes


async def _lock(session: AsyncSession, principal: Principal, task_id: uuid.UUID) -> Task:
    task: Task | None = (
        await session.execute(
            sa.select(Task).where(col(Task.id) == task_id, _visible(principal)).with_for_update()
        )
    ).scalar_one_or_none()
    if task is None:
        raise NotFound("Task")
    return task


async def _count_in_parent(session: AsyncSession, task: Task, old: str | None, new: str) -> None:
    """Keep the parent's done/total: cancelled subtasks do not count."""
    if task.parent_id is None:
        return
    total = int(new != TaskStatus.cancelled) - int(old is not None and old != TaskStatus.cancelled)
    done = int(new == TaskStatus.done) - int(old == TaskStatus.done)
    if total or done:
        await session.execute(
            sa.update(Task)
            .where(col(Task.id) == task.parent_id)
            .values(
                subtasks_total=col(Task.subtasks_total) + total,
                subtasks_done=col(Task.subtasks_done) + done,
            )
            .execution_options(synchronize_session=False)
        )


async def _set_status(
    session: AsyncSession,
    task: Task,
    new: TaskStatus,
    now: datetime,
    returned_by: Side | None = None,
) -> None:
    """The one place a task's status changes (rollup counters hook in here)."""
    old = task.status
    task.status = new.value
    task.returned_by = returned_by.value if returned_by else None
    if new == TaskStatus.accepted:
        task.accepted_at = now
    elif new == TaskStatus.submitted:
        task.submitted_at = now
    elif new == TaskStatus.done:
        task.completed_at = now
    elif new == TaskStatus.cancelled:
        task.cancelled_at = now
    if new in CLOSED_STATUSES:
        _clear_extension(task)
    await _count_in_parent(session, task, old, new.value)


def _clear_extension(task: Task) -> None:
    task.extension_due_at = None
    task.extension_note = None
    task.extension_requested_at = None
    task.extension_requested_by = None


def _due_moved(task: Task, due_at: datetime) -> None:
    task.due_at = due_at
    task.due_soon_notified_at = None
    task.overdue_notified_at = None


async def _audit(
    session: AsyncSession,
    action: str,
    task: Task,
    actor_id: uuid.UUID,
    before: dict[str, Any] | None,
) -> None:
    await record(
        session,
        action=f"task.{action}",
        entity_type="task",
        entity_id=task.id,
        actor_id=actor_id,
        org_path=task.assignee_path,
        before=before,
        after=snapshot(task, AUDIT_FIELDS),
    )


async def create_task(
    session: AsyncSession, principal: Principal, data: TaskCreate
) -> dict[str, Any]:
    sides = Sides(principal)
    now = utcnow()
    if data.parent_id is not None:
        parent = await _lock(session, principal, data.parent_id)
        if not sides.may(Perm.task_create, parent.assignee_path):
            raise Forbidden("Only the assignee side of a task may split it into subtasks.")
        parent_state = state.state_of(parent.status, parent.returned_by)
        if parent_state not in state.SPLIT_STATES:
            raise Conflict(
                f"The parent task is {state.label(parent_state)}; "
                "split it once it is accepted or in progress."
            )
        issuer = await _org(session, parent.assignee_org_id, "parent_id")
        if data.issuer_org_id not in (None, issuer.id):
            raise Unprocessable("A subtask is issued by its parent task's assignee unit.")
    else:
        issuer = await _issuer_for(session, principal, sides, data.issuer_org_id)
    assignee = await _org(session, data.assignee_org_id, "assignee_org_id")
    await check_assignable(session, issuer, assignee, subtask=data.parent_id is not None)
    if data.responsible_user_id is not None:
        await check_responsible(session, data.responsible_user_id, assignee)
    task = Task(
        title=data.title,
        description=data.description,
        issuer_org_id=issuer.id,
        issuer_path=list(issuer.path),
        assignee_org_id=assignee.id,
        assignee_path=list(assignee.path),
        responsible_user_id=data.responsible_user_id,
        due_at=data.due_at,
        priority=data.priority.value,
        source=data.source.value,
        status=TaskStatus.issued.value,
        parent_id=data.parent_id,
        created_by=principal.user_id,
        created_at=now,
        updated_at=now,
    )
    session.add(task)
    await session.flush()
    await _count_in_parent(session, task, None, TaskStatus.issued.value)
    await add_event(
        session,
        item_type=ItemType.task,
        item_id=task.id,
        action="create",
        actor_id=principal.user_id,
        org_id=issuer.id,
        to_status=TaskStatus.issued.value,
        data={"assignee_org_id": assignee.id, "due_at": task.due_at, "parent_id": task.parent_id},
    )
    if task.parent_id is not None:
        await add_event(
            session,
            item_type=ItemType.task,
            item_id=task.parent_id,
            action="subtask",
            actor_id=principal.user_id,
            org_id=issuer.id,
            data={"subtask_id": task.id, "assignee_org_id": assignee.id, "title": task.title},
        )
    await _audit(session, "create", task, principal.user_id, None)
    await notify_unit(
        session,
        org_id=assignee.id,
        kind=NotificationKind.task_assigned,
        item_type=ItemType.task,
        item_id=task.id,
        title=task.title,
        actor_id=principal.user_id,
    )
    return await _read(session, sides, task.id)


async def update_task(
    session: AsyncSession,
    principal: Principal,
    task_id: uuid.UUID,
    data: TaskUpdate,
    if_match: str | None,
) -> dict[str, Any]:
    task = await _lock(session, principal, task_id)
    sides = Sides(principal)
    changes = data.model_dump(exclude_unset=True)
    issuer_side = sides.may(Perm.task_create, task.issuer_path)
    if set(changes) - {"responsible_user_id"} and not issuer_side:
        raise Forbidden("Only the issuer side may edit a task.")
    if "responsible_user_id" in changes and not (
        issuer_side or sides.may(Perm.task_work, task.assignee_path)
    ):
        raise Forbidden("Only the issuer or assignee side may set the responsible person.")
    if not changes and not (issuer_side or sides.may(Perm.task_work, task.assignee_path)):
        raise Forbidden("Only the issuer side may edit a task.")
    check_if_match(if_match, task.version, "task")
    if task.status in CLOSED_STATUSES:
        raise Conflict(f"The task is {task.status}; it can no longer be edited.")
    for field in ("title", "description", "due_at", "priority", "source"):
        if field in changes and changes[field] is None:
            raise Unprocessable(f"{field} cannot be null.")
    if changes.get("responsible_user_id") is not None:
        assignee = await _org(session, task.assignee_org_id, "assignee_org_id")
        await check_responsible(session, changes["responsible_user_id"], assignee)
    before = snapshot(task, AUDIT_FIELDS)
    changed = {}
    for field, value in changes.items():
        if getattr(task, field) == value:
            continue
        changed[field] = value
        if field == "due_at":
            _due_moved(task, value)
        else:
            setattr(task, field, value)
    if changed:
        task.version += 1
        task.updated_at = utcnow()
        await add_event(
            session,
            item_type=ItemType.task,
            item_id=task.id,
            action="update",
            actor_id=principal.user_id,
            org_id=acting_unit(principal, None, task.issuer_path, task.assignee_path),
            data=changed,
        )
        await session.flush()
        await _audit(session, "update", task, principal.user_id, before)
    return await _read(session, sides, task.id)


async def act(
    session: AsyncSession,
    principal: Principal,
    task_id: uuid.UUID,
    action: str,
    body: Any,
    if_match: str | None,
) -> dict[str, Any]:
    """Take a workflow action (see state.RULES) on a task."""
    task = await _lock(session, principal, task_id)
    sides = Sides(principal)
    caps = capabilities(sides, task.issuer_path, task.assignee_path)
    current = state.state_of(task.status, task.returned_by)
    decision = state.decide(action, current, task.extension_due_at is not None, caps)
    if decision.problem == "forbidden":
        raise Forbidden(decision.detail)
    check_if_match(if_match, task.version, "task")
    if decision.rule is None:
        raise Conflict(decision.detail, extra={"current_status": task.status})
    rule = decision.rule
    now = utcnow()
    before = snapshot(task, AUDIT_FIELDS)
    side_path = task.issuer_path if rule.side == Side.issuer else task.assignee_path
    org_id = acting_unit(principal, rule.perm, side_path)
    note: str = getattr(body, "note", "") or ""
    data: dict[str, Any] = {}
    old_status = task.status
    notices: list[tuple[uuid.UUID, NotificationKind]] = []

    async def give(kind: FeedbackKind, text: str) -> None:
        fb = await feedback.add_feedback(
            session,
            item_type=ItemType.task,
            item_id=task.id,
            kind=kind,
            body=text,
            author_id=principal.user_id,
            org_id=org_id,
            event=False,
        )
        data["feedback_id"] = fb.id

    if action == "progress":
        assert isinstance(body, ProgressBody)
        task.progress = body.progress
        data["progress"] = body.progress
        await give(FeedbackKind.progress, note or f"{body.progress}%")
    elif action == "submit":
        await give(FeedbackKind.completion, note)
    elif action == "verify":
        if note:
            await give(FeedbackKind.review, note)
    elif action == "return":
        data["returned_by"] = rule.returned_by
        if rule.side == Side.issuer:
            await give(FeedbackKind.review, note)
            notices.append((task.assignee_org_id, NotificationKind.task_returned))
        else:
            notices.append((task.issuer_org_id, NotificationKind.task_returned))
    elif action == "request-extension":
        assert isinstance(body, ExtensionRequest)
        if body.due_at <= task.due_at or body.due_at <= now:
            raise Unprocessable(
                "An extension must ask for a due date later than the current one, in the future."
            )
        task.extension_due_at = body.due_at
        task.extension_note = note
        task.extension_requested_at = now
        task.extension_requested_by = principal.user_id
        data.update(due_at=body.due_at, current_due_at=task.due_at)
    elif action == "approve-extension":
        assert task.extension_due_at is not None
        data.update(previous_due_at=task.due_at, due_at=task.extension_due_at)
        _due_moved(task, task.extension_due_at)
        _clear_extension(task)
    elif action == "reject-extension":
        data.update(requested_due_at=task.extension_due_at)
        _clear_extension(task)
    elif action == "reissue":
        assert isinstance(body, ReissueBody)
        await _reissue(session, task, body, data)
        notices.append((task.assignee_org_id, NotificationKind.task_assigned))

    if rule.to_status is not None:
        await _set_status(session, task, rule.to_status, now, rule.returned_by)
    task.version += 1
    task.updated_at = now
    await add_event(
        session,
        item_type=ItemType.task,
        item_id=task.id,
        action=action,
        actor_id=principal.user_id,
        org_id=org_id,
        from_status=old_status,
        to_status=task.status,
        note=note or None,
        data=data or None,
    )
    await session.flush()
    await _audit(session, action, task, principal.user_id, before)
    if action == "cancel":
        await _cancel_subtasks(session, task, principal, org_id, now)
    for unit_id, kind in notices:
        await notify_unit(
            session,
            org_id=unit_id,
            kind=kind,
            item_type=ItemType.task,
            item_id=task.id,
            title=task.title,
            actor_id=principal.user_id,
        )
    return await _read(session, sides, task.id)


async def _reissue(
    session: AsyncSession, task: Task, body: ReissueBody, data: dict[str, Any]
) -> None:
    if body.assignee_org_id is not None and body.assignee_org_id != task.assignee_org_id:
        issuer = await _org(session, task.issuer_org_id, "issuer_org_id")
        assignee = await _org(session, body.assignee_org_id, "assignee_org_id")
        await check_assignable(session, issuer, assignee, subtask=task.parent_id is not None)
        data.update(previous_assignee_org_id=task.assignee_org_id, assignee_org_id=assignee.id)
        task.assignee_org_id = assignee.id
        task.assignee_path = list(assignee.path)
        task.responsible_user_id = None
    if body.responsible_user_id is not None:
        assignee = await _org(session, task.assignee_org_id, "assignee_org_id")
        await check_responsible(session, body.responsible_user_id, assignee)
        task.responsible_user_id = body.responsible_user_id
    if body.due_at is not None and body.due_at != task.due_at:
        data.update(previous_due_at=task.due_at, due_at=body.due_at)
        _due_moved(task, body.due_at)
    task.accepted_at = None
    task.submitted_at = None


async def _cancel_subtasks(
    session: AsyncSession,
    parent: Task,
    principal: Principal,
    org_id: uuid.UUID | None,
    now: datetime,
) -> None:
    """Cancelling a task cancels its open subtasks, all the way down."""
    children = (
        (
            await session.execute(
                sa.select(Task)
                .where(
                    col(Task.parent_id) == parent.id,
                    col(Task.status).not_in([s.value for s in CLOSED_STATUSES]),
                )
                .order_by(col(Task.id))
                .with_for_update()
            )
        )
        .scalars()
        .all()
    )
    for child in children:
        before = snapshot(child, AUDIT_FIELDS)
        old = child.status
        await _set_status(session, child, TaskStatus.cancelled, now)
        child.version += 1
        child.updated_at = now
        await add_event(
            session,
            item_type=ItemType.task,
            item_id=child.id,
            action="cancel",
            actor_id=principal.user_id,
            org_id=org_id,
            from_status=old,
            to_status=child.status,
            note="The parent task was cancelled.",
            data={"parent_id": parent.id},
        )
        await session.flush()
        await _audit(session, "cancel", child, principal.user_id, before)
        await _cancel_subtasks(session, child, principal, org_id, now)


async def add_feedback(
    session: AsyncSession, principal: Principal, task_id: uuid.UUID, data: FeedbackCreate
) -> dict[str, Any]:
    issuer_path, assignee_path = await visible_paths(session, principal, task_id)
    sides = Sides(principal)
    if not (
        sides.may(Perm.feedback_create, issuer_path)
        or sides.may(Perm.feedback_create, assignee_path)
    ):
        raise Forbidden("Your roles do not allow giving feedback on this task.")
    org_id = acting_unit(principal, Perm.feedback_create, issuer_path, assignee_path)
    fb = await feedback.add_feedback(
        session,
        item_type=ItemType.task,
        item_id=task_id,
        kind=data.kind,
        body=data.body,
        rating=data.rating,
        author_id=principal.user_id,
        org_id=org_id,
    )
    await record(
        session,
        action="task.feedback",
        entity_type="feedback",
        entity_id=fb.id,
        actor_id=principal.user_id,
        org_path=assignee_path,
        after={"task_id": task_id, "kind": data.kind, "body": data.body, "rating": data.rating},
    )
    return await feedback.get_feedback(session, fb.id)

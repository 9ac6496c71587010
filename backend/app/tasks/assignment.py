"""Whom a unit may assign to (see "Organizations and access" in docs/architecture.md): the
units inside its scope; for a department, task force or group, every unit under the tier
unit it hangs under. A subtask stays inside the splitting unit's own scope."""

import uuid
from collections.abc import Sequence
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession

from app.access.roles import Perm
from app.access.scope import Principal, is_within
from app.core.errors import Forbidden, NotFound, Unprocessable
from app.core.pagination import cursor_path, decode_cursor, encode_cursor
from app.grants.repository import GrantRepository
from app.orgs.models import OrgKind
from app.orgs.repository import OrgRepository, Unit
from app.tasks.repository import TaskRepository
from app.workitems import service as workitems
from app.workitems.sides import Sides

# Attached units that direct work across the tier unit they hang under.
DIRECTING_KINDS = {OrgKind.department.value, OrgKind.taskforce.value, OrgKind.group.value}


async def assignable_root(orgs: OrgRepository, issuer: Unit) -> list[int]:
    """The subtree an issuer may assign into: its own; for a department, task force or
    group, the subtree of the tier unit it hangs under."""
    if issuer.kind not in DIRECTING_KINDS:
        return list(issuer.path)
    tier_units = await orgs.tier_units_on(issuer.path[:-1], limit=1)
    return list(tier_units[0].path) if tier_units else list(issuer.path)


async def check_assignable(
    orgs: OrgRepository, issuer: Unit, assignee: Unit, *, subtask: bool = False
) -> None:
    """Per "whom a unit may assign to" (docs/architecture.md); a subtask goes to a unit
    inside the splitting unit's own scope only."""
    if assignee.id == issuer.id:
        raise Unprocessable("A unit cannot assign a task to itself.")
    if subtask:
        if not is_within(assignee.path, tuple(issuer.path)):
            raise Forbidden(f"{issuer.name} may split its task only among units inside its scope.")
        return
    root = await assignable_root(orgs, issuer)
    if not is_within(assignee.path, tuple(root)):
        raise Forbidden(
            f"{issuer.name} may assign tasks only to units inside its scope"
            + (" or under the tier unit it belongs to." if issuer.kind in DIRECTING_KINDS else ".")
        )


async def check_responsible(session: AsyncSession, user_id: uuid.UUID, assignee: Unit) -> None:
    """The responsible person must be an active user with a role in the assignee unit."""
    grants = await GrantRepository.writing(session)
    if not await grants.has_active_holder_within(user_id, assignee.path):
        raise Unprocessable(
            "responsible_user_id must be an active user with a role in the assignee unit."
        )


async def issuer_for(
    orgs: OrgRepository, principal: Principal, sides: Sides, issuer_org_id: uuid.UUID | None
) -> Unit:
    issuer_id = workitems.own_unit(principal, Perm.task_create, issuer_org_id, "issuer_org_id")
    issuer = await workitems.named_unit(orgs, issuer_id, "issuer_org_id")
    if not sides.may(Perm.task_create, issuer.path):
        raise Forbidden("You may not issue tasks for that unit.")
    return issuer


async def assignable_units(
    connection: asyncpg.Connection,
    principal: Principal,
    *,
    issuer_org_id: uuid.UUID | None,
    parent_id: uuid.UUID | None,
    q: str | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[dict[str, Any]], str | None]:
    """Units a task from this issuer (or a subtask of `parent_id`) may go to, in tree order.

    The issuer side may not be able to read these units through /orgs (a county task force
    directs communities outside its own subtree), so the task domain lists them itself.
    """
    sides = Sides(principal)
    orgs = OrgRepository(connection)
    if parent_id is not None:
        paths = await TaskRepository(connection).visible_party_paths(principal, parent_id)
        if paths is None:
            raise NotFound("Task")
        assignee_path = paths[1]
        if not sides.may(Perm.task_create, assignee_path):
            raise Forbidden("Only the assignee side of a task may split it into subtasks.")
        issuer = await orgs.unit_at(assignee_path)
        root: Sequence[int] = issuer.path
    else:
        issuer = await issuer_for(orgs, principal, sides, issuer_org_id)
        root = await assignable_root(orgs, issuer)
    after = decode_cursor(cursor, cursor_path)
    rows = await orgs.units_within(
        root,
        exclude_id=issuer.id,
        name_contains=q,
        after_path=after[0] if after else None,
        limit=limit + 1,
    )
    units = [dict(row) for row in rows[:limit]]
    more = len(rows) > limit
    return units, encode_cursor([list(units[-1]["path"])]) if more and units else None

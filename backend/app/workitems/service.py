"""The action template and the other writes every work item shares.

An action: lock the item (404 outside the caller's scope), find the caller's side (403),
check If-Match (412), apply the rule table (403 or 409), run the action's hook, move the
status, then write one domain event (timeline, audit, notices) in the same transaction,
and answer with the item read back as the caller now sees it.
"""

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from app.access.roles import Perm, role_has
from app.access.scope import Principal
from app.audit.service import snapshot
from app.core.db import reader
from app.core.errors import Conflict, Forbidden, NotFound, Unprocessable
from app.core.etags import check_if_match
from app.core.models import utcnow
from app.core.pagination import Page, cursor_int, cursor_time, cursor_uuid, decode_cursor, page_of
from app.feedback.models import FeedbackKind
from app.feedback.repository import FeedbackRepository
from app.feedback.schemas import FeedbackCreate, SatisfactionFeedback
from app.orgs.repository import OrgRepository, Unit
from app.workitems.events import Audit, DomainEvent, Notice, publish
from app.workitems.kinds import ActionContext, WorkItemKind
from app.workitems.repository import ItemRepository, TimelineRepository
from app.workitems.rules import ABOVE, SEPARATION
from app.workitems.sides import Sides, acting_unit, unit_above


async def named_unit(orgs: OrgRepository | AsyncSession, org_id: uuid.UUID, field: str) -> Unit:
    """The unit a request names in `field` (read through `orgs`, or in the session's
    transaction); 422 when there is none."""
    if isinstance(orgs, AsyncSession):
        orgs = await OrgRepository.writing(orgs)
    org = await orgs.unit(org_id)
    if org is None:
        raise Unprocessable(f"{field}: no such unit.")
    return org


def own_unit(principal: Principal, perm: Perm, given: uuid.UUID | None, field: str) -> uuid.UUID:
    """The unit named in `field`, else the caller's only unit where they hold `perm`."""
    if given is not None:
        return given
    units = {g.org_id for g in principal.grants if role_has(g.role, perm)}
    if not units:
        raise Forbidden("Your roles do not allow this.")
    if len(units) > 1:
        raise Unprocessable(f"You hold roles at several units: name the {field}.")
    return units.pop()


def separation_problem(case: str | None) -> dict[str, str] | None:
    """The members a 403 adds when separation of duties refused it (docs/api.md)."""
    return None if case is None else {"rule": SEPARATION, "case": case}


async def locked(
    kind: WorkItemKind, session: AsyncSession, principal: Principal, item_id: uuid.UUID
) -> tuple[ItemRepository, Any]:
    repo = await kind.repository.writing(session)
    item = await repo.lock(principal, item_id)
    if item is None:
        raise NotFound(kind.noun.capitalize())
    return repo, item


async def read_back(
    repo: ItemRepository, kind: WorkItemKind, sides: Sides, item_id: uuid.UUID
) -> dict[str, Any]:
    return kind.render(await repo.row(item_id), sides, utcnow())


async def act(
    kind: WorkItemKind,
    session: AsyncSession,
    principal: Principal,
    item_id: uuid.UUID,
    action_name: str,
    body: BaseModel,
    if_match: str | None,
) -> dict[str, Any]:
    """Take a workflow action (a row of the kind's rule table) on an item."""
    repo, item = await locked(kind, session, principal, item_id)
    sides = Sides(principal)
    now = utcnow()
    stance = await kind.stance(sides, repo, item)
    facts = await kind.facts(repo, item, now, principal.user_id)
    decision = kind.workflow.decide(action_name, kind.state_of(item), facts, stance)
    if decision.problem == "forbidden":
        raise Forbidden(decision.detail, extra=separation_problem(decision.case))
    check_if_match(if_match, item.version, kind.noun)
    if decision.transition is None:
        raise Conflict(decision.detail, extra={"current_status": item.status})
    transition = decision.transition
    perm, paths = decision.action.perm, kind.party_paths(item)
    ctx = ActionContext(
        kind=kind,
        session=session,
        repo=repo,
        principal=principal,
        item=item,
        action=decision.action,
        transition=transition,
        body=body,
        now=now,
        org_id=(
            unit_above(principal, perm, paths[1])
            if transition.side == ABOVE
            else acting_unit(principal, perm, paths[kind.sides.index(transition.side)])
        ),
    )
    before = snapshot(item, kind.audit_fields)
    old_status = item.status
    hook = kind.hooks.get(action_name)
    if hook is not None:
        await hook(ctx)
    if transition.to_status is not None:
        await kind.set_status(ctx, transition.to_status)
    await changed(
        kind,
        session,
        principal,
        item,
        decision.action.event_name,
        before=before,
        from_status=old_status,
        org_id=ctx.org_id,
        note=ctx.note or None,
        data=ctx.data or None,
        notices=tuple(ctx.notices),
    )
    after = kind.after_hooks.get(action_name)
    if after is not None:
        await after(ctx)
    return await read_back(repo, kind, sides, item.id)


async def changed(
    kind: WorkItemKind,
    session: AsyncSession,
    principal: Principal,
    item: Any,
    action: str,
    **event: Any,
) -> None:
    """Bump the item's version and write the domain event of `action` on it (`event`:
    `before`, `from_status`, `org_id` and optionally `note`, `data`, `notices`)."""
    item.version += 1
    item.updated_at = utcnow()
    await _recorded(kind, session, principal, item, action, **event)


async def _recorded(
    kind: WorkItemKind,
    session: AsyncSession,
    principal: Principal,
    item: Any,
    action: str,
    *,
    before: dict[str, Any] | None,
    from_status: str | None,
    org_id: uuid.UUID | None,
    note: str | None = None,
    data: dict[str, Any] | None = None,
    notices: tuple[Notice, ...] = (),
) -> None:
    await session.flush()
    await publish(
        session,
        DomainEvent(
            item_type=kind.item_type,
            item_id=item.id,
            title=item.title,
            action=action,
            actor_id=principal.user_id,
            org_id=org_id,
            from_status=from_status,
            to_status=item.status,
            note=note,
            data=data,
            audit=Audit(
                org_path=kind.audit_path(item),
                before=before,
                after=snapshot(item, kind.audit_fields),
            ),
            notices=notices,
        ),
    )


async def created(
    kind: WorkItemKind,
    session: AsyncSession,
    principal: Principal,
    item: Any,
    *,
    org_id: uuid.UUID,
    data: dict[str, Any],
    notices: tuple[Notice, ...] = (),
) -> dict[str, Any]:
    """Insert a new item, write its `create` event and read it back."""
    repo = await kind.repository.writing(session)
    await repo.add(item)
    await _recorded(
        kind,
        session,
        principal,
        item,
        "create",
        before=None,
        from_status=None,
        org_id=org_id,
        data=data,
        notices=notices,
    )
    return await read_back(repo, kind, Sides(principal), item.id)


async def edit(
    kind: WorkItemKind,
    session: AsyncSession,
    principal: Principal,
    item_id: uuid.UUID,
    changes: dict[str, Any],
    if_match: str | None,
) -> dict[str, Any]:
    """PATCH: the caller's side may make these changes (403), If-Match (412), the state
    still allows edits (409); then the kind applies them, and what changed is the `update` event."""
    repo, item = await locked(kind, session, principal, item_id)
    sides = Sides(principal)
    stance = await kind.stance(sides, repo, item)
    why_not = kind.edit_refusal(stance.caps, changes)
    if why_not is not None:
        separated = kind.edit_refusal(stance.caps | stance.withheld, changes) is None
        raise Forbidden(why_not, extra=separation_problem(stance.case if separated else None))
    check_if_match(if_match, item.version, kind.noun)
    if not kind.is_editable(item):
        raise Conflict(f"The {kind.noun} is {item.status}; it can no longer be edited.")
    before = snapshot(item, kind.audit_fields)
    data = await kind.apply_edit(repo, item, changes)
    if data:
        await changed(
            kind,
            session,
            principal,
            item,
            "update",
            before=before,
            from_status=None,
            org_id=acting_unit(principal, None, *kind.party_paths(item)),
            data=data,
        )
    return await read_back(repo, kind, sides, item.id)


async def add_feedback(
    kind: WorkItemKind,
    session: AsyncSession,
    principal: Principal,
    item_id: uuid.UUID,
    data: FeedbackCreate,
) -> dict[str, Any]:
    repo = await kind.repository.writing(session)
    paths = await repo.visible_party_paths(principal, item_id)
    if paths is None:
        raise NotFound(kind.noun.capitalize())
    sides = Sides(principal)
    if not any(sides.may(Perm.feedback_create, path) for path in paths):
        raise Forbidden(f"Your roles do not allow giving feedback on this {kind.noun}.")
    refusal = await kind.feedback_refusal(repo, item_id, principal.user_id, data)
    if refusal is not None:
        case, detail = refusal
        raise Forbidden(detail, extra=separation_problem(case))
    org_id = acting_unit(principal, Perm.feedback_create, *paths)
    rating = data.rating if isinstance(data, SatisfactionFeedback) else None
    feedback = await FeedbackRepository.writing(session)
    feedback_id = await feedback.add(
        item_type=kind.item_type,
        item_id=item_id,
        kind=data.kind,
        body=data.body,
        rating=rating,
        author_id=principal.user_id,
        org_id=org_id,
    )
    await publish(
        session,
        DomainEvent(
            item_type=kind.item_type,
            item_id=item_id,
            action="feedback",
            actor_id=principal.user_id,
            org_id=org_id,
            note=data.body or None,
            data={"feedback_id": feedback_id, "kind": data.kind.value, "rating": rating},
            audit=Audit(
                org_path=paths[kind.audit_party],
                before=None,
                after={
                    f"{kind.noun}_id": item_id,
                    "kind": data.kind,
                    "body": data.body,
                    "rating": rating,
                },
                entity_type="feedback",
                entity_id=feedback_id,
            ),
        ),
    )
    return dict(await feedback.row(feedback_id))


async def _rows_of(
    kind: WorkItemKind,
    principal: Principal,
    item_id: uuid.UUID,
    fetch: Callable[[Any], Awaitable[list[Any]]],
) -> list[dict[str, Any]]:
    """`fetch(connection)`'s rows about an item the caller may read; 404 otherwise."""
    async with reader() as connection:
        if await kind.repository(connection).visible_party_paths(principal, item_id) is None:
            raise NotFound(kind.noun.capitalize())
        return [dict(row) for row in await fetch(connection)]


async def timeline(
    kind: WorkItemKind, principal: Principal, item_id: uuid.UUID, *, limit: int, cursor: str | None
) -> Page[dict[str, Any]]:
    """Oldest first."""
    after = decode_cursor(cursor, cursor_int)
    after_id = after[0] if after else None
    rows = await _rows_of(
        kind,
        principal,
        item_id,
        lambda c: TimelineRepository(c).page(
            kind.item_type, item_id, after_id=after_id, limit=limit + 1
        ),
    )
    return page_of(rows, limit, lambda r: [r["id"]])


async def feedback_page(
    kind: WorkItemKind,
    principal: Principal,
    item_id: uuid.UUID,
    *,
    feedback_kind: FeedbackKind | None,
    limit: int,
    cursor: str | None,
) -> Page[dict[str, Any]]:
    """Oldest first."""
    since = decode_cursor(cursor, cursor_time, cursor_uuid)
    rows = await _rows_of(
        kind,
        principal,
        item_id,
        lambda c: FeedbackRepository(c).page(
            kind.item_type, item_id, kind=feedback_kind, after=since, limit=limit + 1
        ),
    )
    return page_of(rows, limit, lambda r: [r["created_at"].isoformat(), str(r["id"])])

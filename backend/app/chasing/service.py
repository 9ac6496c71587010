"""The chasing ladder (催办): what a late item goes through, step by step.

Each root unit sets its ladder in working days (`PUT /chasing-policy`; DEFAULT_POLICY
otherwise). An item is chased against its deadline in force: a task's due date, or while
it is unsigned its acceptance limit (an unsigned task is chased like a late one, without
the reminder); an issue's due date, against its handler. The steps, in order:

- reminder (提醒), `reminder_days_before` working days before the deadline, to the unit
  that must act (the assignee; the handler);
- chasing notice (催办通知), `notice_days_after` after it, to that unit's leaders and
  officers;
- circular (通报), `circular_days_after` after it, to the issuer (the reporter) and the
  acting unit's parent;
- supervision (督办), `supervision_days_after` after it, to the leaders of the tier unit
  above the issuer (for an issue, above the handler), who issue a 督办单: a note and a new
  due date (`supervise`), which clears the step and starts the ladder again from that date.

"n working days before" is the start (00:00 local) of the n-th working day before the
deadline's local date; "n after" the start of the n-th working day after it (0: the
deadline itself). Each step is a timeline event, an audit entry and notices, which their
recipients acknowledge (已阅, `acknowledge`). The sweep (job `chasing_sweep`) records,
each time it runs, every step due by then that an item has not taken for its deadline in
force, in ladder order; chase_steps remembers them, and one sweep runs at a time.
"""

import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession

from app.access.roles import Role
from app.access.scope import Principal
from app.audit.service import record, snapshot
from app.calendar.repository import CalendarRepository
from app.calendar.service import local_date, local_zone
from app.chasing.models import Clock, Step
from app.chasing.repository import CLIMBERS, ChaseRepository, Climber
from app.chasing.rules import may_supervise
from app.chasing.schemas import PolicyWrite, SupervisionOrder
from app.core.db import reader
from app.core.errors import Conflict, Forbidden, NotFound, Unprocessable
from app.core.etags import check_if_match
from app.core.models import utcnow
from app.issues.service import KIND as ISSUE
from app.notifications.models import ACKNOWLEDGED_KINDS, NotificationKind
from app.notifications.repository import NotificationRepository
from app.notifications.service import shown
from app.orgs.repository import OrgRepository, Unit
from app.tasks.hooks import acceptance_limit, due_date
from app.tasks.service import KIND as TASK
from app.workitems import service as workitems
from app.workitems.events import Audit, DomainEvent, Notice, publish
from app.workitems.kinds import WorkItemKind
from app.workitems.models import ItemType
from app.workitems.sides import Sides

# Working days per step; the field of each step in a policy.
DEFAULT_POLICY: dict[str, int] = {
    "reminder_days_before": 1,
    "notice_days_after": 1,
    "circular_days_after": 3,
    "supervision_days_after": 5,
}
STEP_FIELDS = dict(zip(Step, DEFAULT_POLICY, strict=True))
STEP_NOTICES = {
    Step.reminder: NotificationKind.chase_reminder,
    Step.notice: NotificationKind.chase_notice,
    Step.circular: NotificationKind.chase_circular,
    Step.supervision: NotificationKind.chase_supervision,
}
NOTICE_STEPS = {kind: step for step, kind in STEP_NOTICES.items()}
DECIDING = (Role.leader.value, Role.officer.value)
KINDS: dict[ItemType, WorkItemKind] = {ItemType.task: TASK, ItemType.issue: ISSUE}


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0), local_zone())


async def _thresholds(
    calendar: CalendarRepository, policy: Mapping[str, int], now: datetime
) -> dict[Step, datetime | None]:
    """Per step: items whose deadline is before this moment have reached it by `now`
    (None: none has, the calendar not reaching back that far).

    A reminder n working days before is due once the deadline's date is at most the
    n-th working day after today; a step n working days after, once the deadline is
    before the n-th working day counting back from today (today included) began.
    """
    today = local_date(now)
    found: dict[Step, datetime | None] = {}
    ahead = policy[STEP_FIELDS[Step.reminder]]
    last = today if ahead == 0 else await calendar.working_day_after(today, ahead)
    if last is None:  # past the calendar: remind only of what falls within it
        last = (await calendar.coverage())[1]
    found[Step.reminder] = None if last is None else _start_of(last + timedelta(days=1))
    for step in (Step.notice, Step.circular, Step.supervision):
        after = policy[STEP_FIELDS[step]]
        if after == 0:
            found[step] = now
            continue
        started = await calendar.working_day_back(today, after)
        found[step] = None if started is None else _start_of(started)
    return found


def _notices(step: Step, row: Mapping[str, Any]) -> tuple[Notice, ...]:
    kind = STEP_NOTICES[step]
    if step == Step.reminder:
        return (Notice(row["acting_org_id"], kind),)
    if step == Step.notice:
        return (Notice(row["acting_org_id"], kind, roles=DECIDING),)
    if step == Step.circular:
        units = dict.fromkeys(u for u in (row["first_org_id"], row["acting_parent_id"]) if u)
        return tuple(Notice(unit, kind) for unit in units)
    return (Notice(row["supervisor_org_id"], kind, roles=(Role.leader.value,)),)


async def sweep(session: AsyncSession, now: datetime) -> None:
    """Record every step due by `now` that an item has not taken (see the module doc)."""
    chase = await ChaseRepository.writing(session)
    await chase.lock_sweep()
    calendar = await CalendarRepository.writing(session)
    orgs = await OrgRepository.writing(session)
    stored = await chase.policies()
    groups: list[tuple[tuple[Sequence[int], bool], Mapping[str, int]]] = [
        (([row["root_key"]], True), row) for row in stored
    ]
    groups.append((([row["root_key"] for row in stored], False), DEFAULT_POLICY))
    thresholds = [await _thresholds(calendar, policy, now) for _, policy in groups]
    for climber in CLIMBERS.values():
        for step in Step:
            for (roots, _), found in zip(groups, thresholds, strict=True):
                before = found[step]
                if before is None:
                    continue
                for clocked in climber.clocks:
                    if step == Step.reminder and clocked.clock == Clock.acceptance:
                        continue
                    rows = await chase.claim(climber, clocked, step, before, roots, now)
                    names = await orgs.names([n.org_id for r in rows for n in _notices(step, r)])
                    for row in rows:
                        await publish(
                            session, _step_event(climber, step, clocked.clock, row, names)
                        )


def _step_event(
    climber: Climber,
    step: Step,
    clock: Clock,
    row: Mapping[str, Any],
    names: Mapping[uuid.UUID, asyncpg.Record],
) -> DomainEvent:
    kind = KINDS[climber.item_type]
    notices = _notices(step, row)
    details = {"step": step.value, "clock": clock.value, "deadline": row["deadline"]}
    paths = (row["first_path"], row["acting_path"])
    return DomainEvent(
        item_type=climber.item_type,
        item_id=row["id"],
        action=f"chase_{step.value}",
        actor_id=None,
        org_id=None,
        title=row["title"],
        data={
            **details,
            "notified": [
                {"org_id": str(n.org_id), "org_name": names[n.org_id]["name"]} for n in notices
            ],
        },
        audit=Audit(org_path=list(paths[kind.audit_party]), before=None, after=details),
        notices=notices,
    )


async def supervise(
    kind: WorkItemKind,
    session: AsyncSession,
    principal: Principal,
    item_id: uuid.UUID,
    order: SupervisionOrder,
    if_match: str | None,
) -> dict[str, Any]:
    """The 督办单: the supervising unit sets a new due date with a note (see module doc)."""
    repo, item = await workitems.locked(kind, session, principal, item_id)
    now = utcnow()
    chase = await ChaseRepository.writing(session)
    waiting = await chase.waiting_supervision(CLIMBERS[kind.item_type], item.id)
    if waiting is None:
        raise Conflict(
            f"The {kind.noun} is not waiting on a 督办单: its ladder has not reached "
            "supervision for the deadline in force."
        )
    if not may_supervise(principal, waiting["supervisor_path"]):
        raise Forbidden(
            "Only the leaders of the supervising unit (the tier above) issue this 督办单.",
            extra={"supervisor_org_id": str(waiting["supervisor_org_id"])},
        )
    check_if_match(if_match, item.version, kind.noun)
    due_at = await due_date(session, order, now)
    if due_at <= now:
        raise Unprocessable("due_at: the new date must be in the future.")
    clock, deadline, supervisor = (
        Clock(waiting["clock"]),
        waiting["deadline"],
        waiting["supervisor_org_id"],
    )
    before = snapshot(item, kind.audit_fields)
    item.due_at = due_at
    if clock == Clock.acceptance:
        signed_by = await acceptance_limit(session, now)
        item.accept_due_at = due_at if signed_by is None else min(signed_by, due_at)
    await chase.mark_supervised(item.id, deadline, principal.user_id, now)
    acting_org = getattr(item, CLIMBERS[kind.item_type].acting[0])
    await workitems.changed(
        kind,
        session,
        principal,
        item,
        "supervise",
        before=before,
        from_status=None,
        org_id=supervisor,
        note=order.note,
        data={"due_at": due_at, "clock": clock.value, "previous_deadline": deadline},
        notices=(Notice(acting_org, NotificationKind.supervision_order),),
    )
    return await workitems.read_back(repo, kind, Sides(principal), item.id)


async def acknowledge(
    session: AsyncSession, principal: Principal, notification_id: uuid.UUID
) -> dict[str, Any]:
    """已阅: the recipient of a step's notice acknowledges it, once; the item's timeline
    and the audit log say who, for which unit, and when."""
    notifications = await NotificationRepository.writing(session)
    row = await notifications.row(principal.user_id, notification_id)
    if row is None:
        raise NotFound("Notification")
    if row["kind"] not in ACKNOWLEDGED_KINDS:
        raise Conflict("Only chasing notices are acknowledged (已阅); mark this one read.")
    if await notifications.acknowledge(principal.user_id, notification_id, utcnow()):
        item_type = ItemType(row["entity_type"])
        kind = KINDS[item_type]
        paths = await (await kind.repository.writing(session)).party_paths(row["entity_id"])
        assert paths is not None  # a party's deletion is restricted, and so the item's
        details = {
            "step": NOTICE_STEPS[NotificationKind(row["kind"])].value,
            "notification_id": notification_id,
        }
        await publish(
            session,
            DomainEvent(
                item_type=item_type,
                item_id=row["entity_id"],
                action="chase_acknowledged",
                actor_id=principal.user_id,
                org_id=row["org_id"],
                data=details,
                audit=Audit(org_path=paths[kind.audit_party], before=None, after=details),
            ),
        )
    found = await notifications.row(principal.user_id, notification_id)
    assert found is not None
    return shown(found)


# ---------------------------------------------------------------- the policy


async def _root(orgs: OrgRepository, principal: Principal, root_org_id: uuid.UUID | None) -> Unit:
    """The root unit named, or the one root of the caller's grants; 404 for a root the
    caller holds no grant under."""
    keys = {g.path[0] for g in principal.grants}
    if root_org_id is None:
        if len(keys) != 1:
            raise Unprocessable(
                "You hold roles under several root units (or none): name root_org_id."
            )
        return await orgs.unit_at([keys.pop()])
    unit = await orgs.unit(root_org_id)
    if unit is None or len(unit.path) != 1 or unit.path[0] not in keys:
        raise NotFound("Root unit")
    return unit


def _policy(root: Unit, row: Mapping[str, Any] | None) -> dict[str, Any]:
    steps = {field: (row or DEFAULT_POLICY)[field] for field in DEFAULT_POLICY}
    return {
        **steps,
        "root_org_id": root.id,
        "root_org_name": root.name,
        "is_default": row is None,
        "updated_at": row and row["updated_at"],
        "updated_by": row and row["updated_by"],
    }


async def get_policy(principal: Principal, root_org_id: uuid.UUID | None) -> dict[str, Any]:
    async with reader() as connection:
        root = await _root(OrgRepository(connection), principal, root_org_id)
        return _policy(root, await ChaseRepository(connection).policy(root.id))


async def put_policy(
    session: AsyncSession, principal: Principal, body: PolicyWrite
) -> dict[str, Any]:
    root = await _root(await OrgRepository.writing(session), principal, body.root_org_id)
    if not any(g.role == Role.admin and list(g.path) == root.path for g in principal.grants):
        raise Forbidden("Only an admin of the root unit sets its chasing ladder.")
    chase = await ChaseRepository.writing(session)
    before = _policy(root, await chase.policy(root.id))
    steps = body.model_dump(include=set(DEFAULT_POLICY))
    await chase.put_policy(root.id, steps, principal.user_id, utcnow())
    after = _policy(root, await chase.policy(root.id))
    await record(
        session,
        action="chasing_policy.update",
        entity_type="chasing_policy",
        entity_id=root.id,
        actor_id=principal.user_id,
        org_path=root.path,
        before={field: before[field] for field in DEFAULT_POLICY},
        after=steps,
    )
    return after

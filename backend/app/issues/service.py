"""Issues (问题/堵点): raised where they are found, escalated up the tiers or delegated
down until a unit resolves them; the reporter confirms (with a rating) or reopens.

What is particular to an issue: where an escalation goes, due dates from severity, the
reopen window, and the hooks of its rule table (state.py). The action template, the
timeline, audit and notices come from app/workitems.
"""

import uuid
from collections.abc import Hashable, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy.ext.asyncio import AsyncSession

from app.access.roles import Perm
from app.access.scope import Principal, is_within
from app.core.errors import Forbidden
from app.core.models import utcnow
from app.feedback.models import FeedbackKind
from app.issues import state
from app.issues.config import get_issue_settings
from app.issues.models import UNRESOLVED_STATUSES, Issue, IssueSeverity, IssueStatus
from app.issues.repository import RESHAPED, IssueRepository
from app.issues.schemas import (
    CloseBody,
    DelegateBody,
    IssueCreate,
    IssuePage,
    IssueQuery,
    IssueRead,
    IssueUpdate,
)
from app.notifications.models import NotificationKind
from app.orgs.models import TIER_KINDS, OrgUnit, Tier
from app.orgs.repository import OrgRepository
from app.workitems import service as workitems
from app.workitems.events import Notice
from app.workitems.kinds import ActionContext, Hook, WorkItemKind
from app.workitems.listing import Condition
from app.workitems.models import ItemType
from app.workitems.repository import ItemRepository
from app.workitems.rules import Capability
from app.workitems.sides import Sides


async def escalation_target(session: AsyncSession, handler_path: Sequence[int]) -> OrgUnit | None:
    """Where an escalation goes: from a tier unit, the tier unit one tier above; from an
    attached unit (department, task force, group, enterprise), the tier unit it hangs
    under, as a county bureau reports up to its county. None at the prefecture itself."""
    tier_units = await (await OrgRepository.writing(session)).tier_units_on(handler_path, limit=2)
    if tier_units[0].key != handler_path[-1]:
        return tier_units[0]  # the handler is an attached unit
    return tier_units[1] if len(tier_units) > 1 else None


def _facts(
    handler_tier: str, handler_kind: str, resolved_at: datetime | None, now: datetime
) -> state.Facts:
    return state.Facts(
        # An attached unit escalates to its own tier unit, so only the prefecture itself
        # has nowhere to go.
        can_escalate=handler_tier != Tier.prefecture or handler_kind not in TIER_KINDS,
        reopen_open=resolved_at is not None
        and now <= resolved_at + get_issue_settings().reopen_window,
    )


def _move_handler(issue: Issue, target: OrgUnit) -> None:
    """The one place the handler changes: the new unit starts from `open`."""
    issue.handler_org_id = target.id
    issue.handler_path = list(target.path)
    issue.acknowledged_at = None


async def _escalate(ctx: ActionContext) -> None:
    issue: Issue = ctx.item
    target = await escalation_target(ctx.session, issue.handler_path)
    assert target is not None  # the rule table refused escalation at the top tier
    await _hand_over(ctx, target, NotificationKind.issue_escalated)


async def _delegate(ctx: ActionContext) -> None:
    assert isinstance(ctx.body, DelegateBody)
    issue: Issue = ctx.item
    target = await workitems.named_unit(ctx.session, ctx.body.target_org_id, "target_org_id")
    if target.id == issue.handler_org_id or not is_within(target.path, tuple(issue.handler_path)):
        raise Forbidden("An issue can be delegated only to a unit inside the handler's scope.")
    await _hand_over(ctx, target, NotificationKind.issue_delegated)


async def _hand_over(ctx: ActionContext, target: OrgUnit, notice: NotificationKind) -> None:
    issue: Issue = ctx.item
    handler = await workitems.named_unit(ctx.session, issue.handler_org_id, "handler_org_id")
    ctx.data.update(
        from_org_id=handler.id,
        from_org_name=handler.name,
        to_org_id=target.id,
        to_org_name=target.name,
        to_tier=target.tier,
    )
    ctx.notices.append(Notice(target.id, notice))
    _move_handler(issue, target)


async def _resolve(ctx: ActionContext) -> None:
    issue: Issue = ctx.item
    handler = await workitems.named_unit(ctx.session, issue.handler_org_id, "handler_org_id")
    issue.resolved_by_org_id = handler.id
    issue.resolved_tier = handler.tier
    issue.resolved_at = ctx.now
    issue.resolution = ctx.note
    ctx.data.update(resolved_by_org_id=handler.id, resolved_tier=handler.tier)


async def _close(ctx: ActionContext) -> None:
    assert isinstance(ctx.body, CloseBody)
    await ctx.give_feedback(FeedbackKind.satisfaction, ctx.note, ctx.body.rating)
    ctx.item.rating = ctx.body.rating
    ctx.data["rating"] = ctx.body.rating


async def _reopen(ctx: ActionContext) -> None:
    issue: Issue = ctx.item
    ctx.data.update(
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


HOOKS: dict[str, Hook] = {
    "escalate": _escalate,
    "delegate": _delegate,
    "resolve": _resolve,
    "close": _close,
    "reopen": _reopen,
}


class IssueKind(WorkItemKind):
    item_type = ItemType.issue
    plural = "issues"
    workflow = state.WORKFLOW
    repository = IssueRepository
    sides = (state.REPORTER, state.HANDLER)
    party_orgs = ("reporter_org_id", "handler_org_id")
    capability_perms = (Perm.issue_create, Perm.issue_work, Perm.issue_decide, Perm.issue_confirm)
    audit_fields = (
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
    audit_party = 0
    create_perm = Perm.issue_create
    create_summary = "Raise an issue; its unit handles it first, due by severity"
    edit_perm = Perm.issue_create
    update_summary = "Edit an unresolved issue (reporter or handler side)"
    read_model = IssueRead
    page_model = IssuePage
    query_model = IssueQuery
    create_model = IssueCreate
    update_model = IssueUpdate
    hooks: ClassVar[Mapping[str, Hook]] = HOOKS

    async def facts(self, repo: ItemRepository, item: Any, now: datetime) -> Hashable:
        handler = await workitems.named_unit(repo.session, item.handler_org_id, "handler_org_id")
        return _facts(handler.tier, handler.kind, item.resolved_at, now)

    async def set_status(self, ctx: ActionContext, status: str) -> None:
        issue: Issue = ctx.item
        issue.status = status
        if status == IssueStatus.acknowledged:
            issue.acknowledged_at = ctx.now
        elif status == IssueStatus.closed:
            issue.closed_at = ctx.now

    def render(self, row: Mapping[str, Any], sides: Sides, now: datetime) -> dict[str, Any]:
        item = dict(row)
        reporter_path, handler_path, handler_kind = (item.pop(column) for column in RESHAPED)
        status = item["status"]
        resolved_at = item["resolved_at"]
        due_at = item["due_at"]
        held = (
            sides.held_at(item["reporter_org_id"], reporter_path),
            sides.held_at(item["handler_org_id"], handler_path),
        )
        caps, can_feedback = sides.view(self.sides, self.capability_perms, held)
        facts = _facts(item["handler_tier"], handler_kind, resolved_at, now)
        # A resolved issue stays with the unit that resolved it (reopen clears both).
        resolved_by_handler = item["resolved_by_org_id"] == item["handler_org_id"]
        item["resolved_by_org_name"] = item["handler_org_name"] if resolved_by_handler else None
        item["overdue"] = state.is_overdue(due_at, status, now)
        item["due_soon"] = state.is_due_soon(due_at, status, now)
        item["reopen_until"] = (
            resolved_at + get_issue_settings().reopen_window if resolved_at is not None else None
        )
        item["allowed_actions"] = self.workflow.allowed_actions(status, facts, caps)
        item["can_edit"] = status in UNRESOLVED_STATUSES and any(c in caps for c in state.EDIT)
        item["can_feedback"] = can_feedback
        return item

    def conditions(self, query: IssueQuery) -> list[Condition]:
        party = "i.{} = (SELECT path FROM org_units WHERE id = {{}})"
        return [
            ("i.status = ANY({}::text[])", query.status),
            (party.format("reporter_path"), query.reporter_org_id),
            (party.format("handler_path"), query.handler_org_id),
            ("i.category = ANY({}::text[])", query.category),
            ("i.severity = ANY({}::text[])", query.severity),
            ("i.resolved_tier = {}", query.resolved_tier),
        ]

    async def create(
        self, session: AsyncSession, principal: Principal, body: IssueCreate
    ) -> dict[str, Any]:
        reporter_id = workitems.own_unit(
            principal, Perm.issue_create, body.reporter_org_id, "reporter_org_id"
        )
        reporter = await workitems.named_unit(session, reporter_id, "reporter_org_id")
        if not Sides(principal).may(Perm.issue_create, reporter.path):
            raise Forbidden("You may not raise issues for that unit.")
        now = utcnow()
        issue = Issue(
            title=body.title,
            description=body.description,
            category=body.category.value,
            severity=body.severity.value,
            status=IssueStatus.open.value,
            reporter_org_id=reporter.id,
            reporter_path=list(reporter.path),
            reporter_user_id=principal.user_id,
            handler_org_id=reporter.id,
            handler_path=list(reporter.path),
            due_at=now + get_issue_settings().due_in(body.severity),
            created_at=now,
            updated_at=now,
        )
        return await workitems.created(
            self,
            session,
            principal,
            issue,
            org_id=reporter.id,
            data={"severity": issue.severity, "category": issue.category, "due_at": issue.due_at},
        )

    async def update(
        self,
        session: AsyncSession,
        principal: Principal,
        item_id: uuid.UUID,
        body: IssueUpdate,
        if_match: str | None,
    ) -> dict[str, Any]:
        return await workitems.edit(
            self,
            session,
            principal,
            item_id,
            body.model_dump(exclude_unset=True),
            if_match,
            refusal=_edit_refusal,
            is_editable=lambda issue: issue.status in UNRESOLVED_STATUSES,
            apply=_apply_edit,
        )


def _edit_refusal(caps: frozenset[Capability], changes: dict[str, Any]) -> str | None:
    if any(c in caps for c in state.EDIT):
        return None
    return "Only the reporter or handler side may edit an issue."


async def _apply_edit(
    repo: ItemRepository, issue: Issue, changes: dict[str, Any]
) -> dict[str, Any]:
    """A new severity resets the due date, from the issue's creation."""
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
    return changed


KIND = IssueKind()

"""Issues (问题/堵点): raised where they are found, escalated up the tiers or delegated
down until a unit resolves them; the reporter confirms (with a rating) or reopens.

The kind plugs the issue into app/workitems: its table (repository.py), rule table
(state.py) and hooks (hooks.py: where an escalation goes, what a resolution keeps); here
are how an issue is shown, raised and edited, with due dates from its severity.
"""

import uuid
from collections.abc import Hashable, Mapping
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy.ext.asyncio import AsyncSession

from app.access.roles import Perm
from app.access.scope import Principal
from app.core.errors import Forbidden
from app.core.models import utcnow
from app.feedback.models import FeedbackKind
from app.issues import state
from app.issues.config import get_issue_settings
from app.issues.hooks import HOOKS
from app.issues.models import UNRESOLVED_STATUSES, Issue, IssueSeverity, IssueStatus
from app.issues.repository import AUDITED, TODO, IssueRepository
from app.issues.schemas import (
    IssueCreate,
    IssuePage,
    IssueQuery,
    IssueRead,
    IssueUpdate,
)
from app.orgs.models import TIER_KINDS, Tier
from app.workitems import service as workitems
from app.workitems.kinds import ActionContext, Hook, WorkItemKind
from app.workitems.models import ItemType
from app.workitems.repository import ItemRepository
from app.workitems.rules import OWN_RESOLUTION, Capability
from app.workitems.sides import Sides


def _reopen_until(resolved_at: datetime | None) -> datetime | None:
    return None if resolved_at is None else resolved_at + get_issue_settings().reopen_window


def _facts(
    handler_tier: str,
    handler_kind: str,
    reopen_until: datetime | None,
    now: datetime,
    own_resolution: bool,
) -> state.Facts:
    return state.Facts(
        # An attached unit escalates to its own tier unit, so only the prefecture itself
        # has nowhere to go.
        can_escalate=handler_tier != Tier.prefecture or handler_kind not in TIER_KINDS,
        reopen_open=reopen_until is not None and now <= reopen_until,
        own_resolution=own_resolution,
    )


class IssueKind(WorkItemKind):
    item_type = ItemType.issue
    plural = "issues"
    workflow = state.WORKFLOW
    repository = IssueRepository
    sides = (state.REPORTER, state.HANDLER)
    party_orgs = ("reporter_org_id", "handler_org_id")
    capability_perms = (Perm.issue_create, Perm.issue_work, Perm.issue_decide, Perm.issue_confirm)
    audit_fields = AUDITED
    audit_party = 0
    create_perm = Perm.issue_create
    create_summary = "Raise an issue; its unit handles it first, due by severity"
    edit_perm = Perm.issue_create
    update_summary = "Edit an unresolved issue (reporter or handler side)"
    read_model, page_model, query_model = IssueRead, IssuePage, IssueQuery
    create_model, update_model = IssueCreate, IssueUpdate
    hooks: ClassVar[Mapping[str, Hook]] = HOOKS
    todo_kinds = TODO

    async def facts(
        self, repo: ItemRepository, item: Any, now: datetime, caller: uuid.UUID
    ) -> Hashable:
        handler = await workitems.named_unit(repo.session, item.handler_org_id, "handler_org_id")
        own = item.resolved_by_user_id == caller
        return _facts(handler.tier, handler.kind, _reopen_until(item.resolved_at), now, own)

    async def set_status(self, ctx: ActionContext, status: str) -> None:
        issue: Issue = ctx.item
        issue.status = status
        if ctx.action.name == "reopen":
            # Yellow until resolved again; set with the status, since the colour trigger
            # clears the flag while an issue is resolved.
            issue.yellow = True
        if status == IssueStatus.acknowledged:
            issue.acknowledged_at = ctx.now
        elif status == IssueStatus.closed:
            issue.closed_at = ctx.now

    def shape(
        self, item: dict[str, Any], caps: frozenset[Capability], now: datetime, caller: uuid.UUID
    ) -> tuple[str, Hashable]:
        status = item["status"]
        own = item["resolved_by_user_id"] == caller
        reopen_until = item["reopen_until"] = _reopen_until(item["resolved_at"])
        facts = _facts(item["handler_tier"], item.pop("handler_kind"), reopen_until, now, own)
        # A resolved issue stays with the unit that resolved it (reopen clears both).
        resolved_by_handler = item["resolved_by_org_id"] == item["handler_org_id"]
        item["resolved_by_org_name"] = item["handler_org_name"] if resolved_by_handler else None
        item["can_edit"] = status in UNRESOLVED_STATUSES and any(c in caps for c in state.EDIT)
        return status, facts

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

    async def feedback_refusal(
        self, repo: ItemRepository, item_id: uuid.UUID, caller: uuid.UUID, body: Any
    ) -> tuple[str, str] | None:
        """A satisfaction rating is the reporter's verdict: never its resolver's."""
        if body.kind != FeedbackKind.satisfaction:
            return None
        if (await repo.row(item_id))["resolved_by_user_id"] != caller:
            return None
        return OWN_RESOLUTION, state.NOT_THE_RESOLVER

    def edit_refusal(self, caps: frozenset[Capability], changes: dict[str, Any]) -> str | None:
        if any(c in caps for c in state.EDIT):
            return None
        return "Only the reporter or handler side may edit an issue."

    def is_editable(self, item: Any) -> bool:
        return item.status in UNRESOLVED_STATUSES

    async def apply_edit(
        self, repo: ItemRepository, item: Any, changes: dict[str, Any]
    ) -> dict[str, Any]:
        """A new severity resets the due date, from the issue's creation."""
        changed = await super().apply_edit(repo, item, changes)
        if "severity" in changed:
            due_at = item.created_at + get_issue_settings().due_in(IssueSeverity(item.severity))
            changed["due_at"] = due_at
            item.due_at = due_at
        return changed


KIND = IssueKind()

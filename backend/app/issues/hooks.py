"""What each row of the issue rule table (state.py) does beyond moving the status."""

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from app.access.scope import is_within
from app.core.errors import Forbidden
from app.feedback.models import FeedbackKind
from app.issues.models import Issue
from app.issues.schemas import CloseBody, DelegateBody
from app.notifications.models import NotificationKind
from app.orgs.repository import OrgRepository, Unit
from app.workitems import service as workitems
from app.workitems.events import Notice
from app.workitems.kinds import ActionContext, Hook


async def escalation_target(session: AsyncSession, handler_path: Sequence[int]) -> Unit | None:
    """Where an escalation goes: from a tier unit, the tier unit one tier above; from an
    attached unit (department, task force, group, enterprise), the tier unit it hangs
    under, as a county bureau reports up to its county. None at the prefecture itself."""
    tier_units = await (await OrgRepository.writing(session)).tier_units_on(handler_path, limit=2)
    if tier_units[0].key != handler_path[-1]:
        return tier_units[0]  # the handler is an attached unit
    return tier_units[1] if len(tier_units) > 1 else None


def _move_handler(issue: Issue, target: Unit) -> None:
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


async def _take_over(ctx: ActionContext) -> None:
    """The handler becomes the unit of the leader's nearest grant above it (ctx.org_id);
    the leader's unit and the unit relieved of the issue are told."""
    issue: Issue = ctx.item
    assert ctx.org_id is not None  # the rule table let only a grant above the handler in
    target = await workitems.named_unit(ctx.session, ctx.org_id, "org_id")
    ctx.notices.append(Notice(issue.handler_org_id, NotificationKind.issue_taken_over))
    await _hand_over(ctx, target, NotificationKind.issue_taken_over)


async def _hand_over(ctx: ActionContext, target: Unit, notice: NotificationKind) -> None:
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
    issue.resolved_by_user_id = ctx.principal.user_id
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
    issue.resolved_by_user_id = None
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
    "take-over": _take_over,
}

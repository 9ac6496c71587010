"""What a kind of work item plugs into the core: a `WorkItemKind` subclass naming its
table, sides, rule table, schemas and hooks. The action template (service.py) and the
router factory (router.py) do the rest. docs/architecture.md walks through one.
"""

import uuid
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, get_args, get_origin

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from app.access.deps import Target
from app.access.roles import Perm
from app.access.scope import Principal
from app.chasing.rules import may_supervise
from app.core.db import reader
from app.core.models import utcnow
from app.feedback.models import FeedbackKind
from app.feedback.repository import FeedbackRepository
from app.orgs.repository import OrgRepository
from app.workitems.colour import colour_at
from app.workitems.events import Notice
from app.workitems.models import COLOUR_COLUMNS, ItemType
from app.workitems.repository import Condition, ItemRepository, TodoSource
from app.workitems.rules import SEPARATION, Action, Capability, Stance, Transition, Workflow
from app.workitems.schemas import ItemQuery
from app.workitems.sides import Party, Sides


@dataclass
class ActionContext:
    """One action on one locked item, as its hooks see it. Hooks change `item`, add to
    `data` (the timeline event's details) and `notices`; the template does the rest."""

    kind: "WorkItemKind"
    session: AsyncSession
    repo: ItemRepository
    principal: Principal
    item: Any
    action: Action
    transition: Transition
    body: BaseModel
    now: datetime
    org_id: uuid.UUID | None  # the unit the caller acts for
    data: dict[str, Any] = field(default_factory=dict)
    notices: list[Notice] = field(default_factory=list)

    @property
    def note(self) -> str:
        note: str = getattr(self.body, "note", "") or ""
        return note

    async def give_feedback(
        self, kind: FeedbackKind, text: str, rating: int | None = None
    ) -> uuid.UUID:
        """Feedback that this action's own timeline event tells (no event of its own)."""
        feedback = await FeedbackRepository.writing(self.session)
        feedback_id = await feedback.add(
            item_type=self.kind.item_type,
            item_id=self.item.id,
            kind=kind,
            body=text,
            rating=rating,
            author_id=self.principal.user_id,
            org_id=self.org_id,
        )
        self.data["feedback_id"] = feedback_id
        return feedback_id


Hook = Callable[[ActionContext], Awaitable[None]]


# A kind's filter `<party>_within_org_id`: that party inside the unit's subtree.
WITHIN = "_within_org_id"
# A kind's filter `todo`: the items in the caller's to-do of that kind (`todo_kinds`).
TODO = "todo"


class WorkItemKind:
    """The plug of one kind of work item. Class attributes describe it; methods marked
    "override" give its particular rules."""

    item_type: ClassVar[ItemType]
    plural: ClassVar[str]  # the collection's path segment: /api/v1/{plural}
    workflow: ClassVar[Workflow]
    repository: ClassVar[type[ItemRepository]]
    sides: ClassVar[tuple[str, str]]  # the sides of the two parties, in the table's order
    party_orgs: ClassVar[tuple[str, str]]  # the parties' unit id columns, in that order
    capability_perms: ClassVar[tuple[Perm, ...]]
    audit_fields: ClassVar[tuple[str, ...]]
    audit_party: ClassVar[int]  # whose unit files the audit entries (0 or 1)
    create_perm: ClassVar[Perm]
    create_summary: ClassVar[str]
    create_conflicts: ClassVar[tuple[int, ...]] = ()  # (409,) when a create can conflict
    edit_perm: ClassVar[Perm]
    update_summary: ClassVar[str]
    # The API's models: an item, a page of them, the list's query, the POST and PATCH bodies.
    read_model: ClassVar[type[BaseModel]]
    page_model: ClassVar[type[BaseModel]]
    query_model: ClassVar[type[ItemQuery]]
    create_model: ClassVar[type[BaseModel]]
    update_model: ClassVar[type[BaseModel]]
    # Hooks per action: `hooks` run before the status changes and the event is written,
    # `after_hooks` once it is (to act on other items).
    hooks: ClassVar[Mapping[str, Hook]] = {}
    after_hooks: ClassVar[Mapping[str, Hook]] = {}
    # The kinds of to-do its items make (app/todo/); each is also its list's `todo=` filter.
    todo_kinds: ClassVar[tuple[TodoSource, ...]] = ()

    @property
    def noun(self) -> str:
        return self.workflow.noun

    @property
    def id_param(self) -> str:
        return f"{self.noun}_id"

    @property
    def target(self) -> Target:
        """Where its routes check their permission: at the item's parties."""
        return Target(self.id_param, self.noun.capitalize(), self._parties, self.read_perm)

    @property
    def read_perm(self) -> Perm:
        return self.repository.table.read_perm

    async def _parties(self, connection: Any, item_id: uuid.UUID) -> list[list[int]] | None:
        return await self.repository(connection).party_paths(item_id)

    def party_paths(self, item: Any) -> tuple[Sequence[int], Sequence[int]]:
        first, second = self.repository.table.parties
        return getattr(item, first), getattr(item, second)

    async def stance(self, sides: Sides, repo: ItemRepository, item: Any) -> Stance:
        """Where the caller stands on a locked `item` (its parties' tiers read first)."""
        orgs = await OrgRepository.writing(repo.session)
        parties = []
        for org_column, path in zip(self.party_orgs, self.party_paths(item), strict=True):
            unit = await orgs.unit(getattr(item, org_column))
            assert unit is not None  # a party's foreign key restricts its deletion
            parties.append(Party(path, unit.tier))
        return sides.stance(self.sides, self.capability_perms, (parties[0], parties[1]))[0]

    def audit_path(self, item: Any) -> list[int]:
        return list(self.party_paths(item)[self.audit_party])

    def state_of(self, item: Any) -> str:
        """Override when the workflow splits a status (a task returned, by whom)."""
        return str(item.status)

    async def facts(
        self, repo: ItemRepository, item: Any, now: datetime, caller: uuid.UUID
    ) -> Hashable:
        """Override: what beside the state the rule table's guards and duties read (what
        `caller` did to the item among them)."""
        return None

    async def set_status(self, ctx: ActionContext, status: str) -> None:
        """Override to stamp the moments a status starts; call super() to set it."""
        ctx.item.status = status

    def render(self, row: Mapping[str, Any], sides: Sides, now: datetime) -> dict[str, Any]:
        """The item as the API shows it to this caller, now: its row by column name (the
        party paths taken out), whether it is overdue or due soon, and what the caller may
        do with it; `shape()` adds the kind's own fields."""
        item = dict(row)
        pop, table = item.pop, self.repository.table
        (first_path, second_path), (first_tier, second_tier) = table.parties, table.party_tiers
        parties = (
            Party(pop(first_path), item[first_tier]),
            Party(pop(second_path), item[second_tier]),
        )
        stance, can_feedback = sides.stance(self.sides, self.capability_perms, parties)
        red_from, yellow, yellow_from, blue_from = map(pop, COLOUR_COLUMNS)
        item["overdue"] = table.is_overdue(item["due_at"], item["status"], now)
        item["due_soon"] = table.is_due_soon(item["due_at"], blue_from, item["status"], now)
        item["colour"] = colour_at(red_from, yellow, yellow_from, blue_from, now)
        supervisor_path = pop("supervisor_path")
        state, facts = self.shape(item, stance.caps, now, sides.principal.user_id)
        allowed, refused = self.workflow.allowed_actions(state, facts, stance)
        item["allowed_actions"] = list(allowed)
        if may_supervise(sides.principal, supervisor_path):
            item["allowed_actions"].append("supervise")
        item["refused_actions"] = [
            {"action": r.action, "rule": SEPARATION, "case": r.case, "detail": r.detail}
            for r in refused
        ]
        item["can_feedback"] = can_feedback
        return item

    def shape(
        self, item: dict[str, Any], caps: frozenset[Capability], now: datetime, caller: uuid.UUID
    ) -> tuple[str, Hashable]:
        """Override: add the kind's own fields to a rendered `item`; return its state and
        the facts its rule table's guards and duties read, as `facts()` does."""
        raise NotImplementedError

    def conditions(self, query: ItemQuery) -> list[Condition]:
        """The kind's own list filters (its query model's fields beyond `ItemQuery`): a
        party's unit id matches that party; any other field its column, a list any of."""
        found: list[Condition] = []
        alias = self.repository.table.alias
        for name, spec in type(query).model_fields.items():
            if name in ItemQuery.model_fields or name == TODO:
                continue
            if name in self.party_orgs:
                condition = self.party_is(self.party_orgs.index(name))
            elif name.endswith(WITHIN) and f"{name.removesuffix(WITHIN)}_org_id" in self.party_orgs:
                party = self.party_orgs.index(f"{name.removesuffix(WITHIN)}_org_id")
                condition = self.party_within(party)
            elif any(get_origin(a) is list for a in get_args(spec.annotation)):
                condition = f"{alias}.{name} = ANY({{}}::text[])"
            else:
                condition = f"{alias}.{name} = {{}}"
            found.append((condition, getattr(query, name)))
        return found

    def party_within(self, party: int) -> str:
        """The condition "party `party` lies in the subtree of the unit whose id is bound":
        from its path to its next sibling's (see app.access.scope)."""
        table = self.repository.table
        column = f"{table.alias}.{table.parties[party]}"
        unit = "(SELECT path FROM org_units WHERE id = {0})"
        return (
            f"({column} >= {unit} AND {column} < (SELECT array_append(trim_array(path, 1),"
            " path[cardinality(path)] + 1) FROM org_units WHERE id = {0}))"
        )

    def party_is(self, party: int) -> str:
        """The condition "party `party` is the unit whose id is bound"."""
        table = self.repository.table
        column = f"{table.alias}.{table.parties[party]}"
        return f"{column} = (SELECT path FROM org_units WHERE id = {{}})"

    async def create(
        self, session: AsyncSession, principal: Principal, body: Any
    ) -> dict[str, Any]:
        """Override: validate, insert and `created()` the item."""
        raise NotImplementedError

    async def feedback_refusal(
        self, repo: ItemRepository, item_id: uuid.UUID, caller: uuid.UUID, body: Any
    ) -> tuple[str, str] | None:
        """Override: the separation-of-duties case and detail that refuse `caller` this
        feedback (a resolver rating their own resolution), or None."""
        return None

    def edit_refusal(self, caps: frozenset[Capability], changes: dict[str, Any]) -> str | None:
        """Override: why a caller holding `caps` may not make `changes`, or None."""
        raise NotImplementedError

    def is_editable(self, item: Any) -> bool:
        """Override: whether the item's state still allows edits."""
        raise NotImplementedError

    async def apply_edit(
        self, repo: ItemRepository, item: Any, changes: dict[str, Any]
    ) -> dict[str, Any]:
        """Make `changes` (checked by then); return those that changed something. Override
        for changes that check or move more than their own column."""
        changed = {}
        for field_name, value in changes.items():
            plain = value.value if isinstance(value, StrEnum) else value
            if getattr(item, field_name) != plain:
                changed[field_name] = plain
                setattr(item, field_name, plain)
        return changed

    # ---------------------------------------------------------------- reads

    async def get(self, principal: Principal, item_id: uuid.UUID) -> dict[str, Any] | None:
        async with reader() as connection:
            row = await self.repository(connection).visible_row(principal, item_id)
        return None if row is None else self.render(row, Sides(principal), utcnow())

    async def page(
        self, principal: Principal, query: ItemQuery
    ) -> tuple[list[dict[str, Any]], str | None]:
        todo = getattr(query, TODO, None)
        todo_kind = next((k for k in self.todo_kinds if k.name == todo), None)
        async with reader() as connection:
            return await self.repository(connection).page(
                principal, query, self.conditions(query), self.render, todo_kind
            )

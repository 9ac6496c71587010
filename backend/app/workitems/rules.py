"""A work item's workflow as data: which side, holding which permission, may take which
action from which state, and where it leads. Pure (no I/O), so the action template,
`allowed_actions` on every rendered item, the router factory and the tests share it.

A kind's `state.py` holds its rule table: one `Action` row per action, each with its
transitions, body schema and OpenAPI summary. The kind's service adds the hooks.
"""

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from app.access.roles import Perm

Capability = tuple[str, Perm]  # (side, permission held on that side's party unit)


@dataclass(frozen=True)
class Transition:
    side: str
    from_states: frozenset[str]
    to_status: str | None  # None: the status stays


@dataclass(frozen=True)
class Action:
    """One rule row. `guard(facts, state_label)` refuses (409, its return value is the
    detail) what the state alone allows but other facts forbid; None lets it go ahead."""

    name: str
    perm: Perm
    transitions: tuple[Transition, ...]
    summary: str
    body: type[BaseModel]
    body_required: bool = False
    guard: Callable[[Any, str], str | None] | None = None

    @property
    def sides(self) -> frozenset[str]:
        return frozenset(t.side for t in self.transitions)


@dataclass(frozen=True)
class Decision:
    action: Action
    transition: Transition | None
    problem: str | None  # "forbidden" or "conflict"
    detail: str = ""


def _as_is(state: str) -> str:
    return state


@dataclass(frozen=True)
class Workflow:
    """A kind's actions; `label(state)` says a state as people say it."""

    noun: str
    actions: tuple[Action, ...]
    label: Callable[[str], str] = _as_is
    _allowed: dict[Hashable, tuple[str, ...]] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.actions)

    def action(self, name: str) -> Action:
        return next(a for a in self.actions if a.name == name)

    def decide(
        self, name: str, state: str, facts: Hashable, caps: Iterable[Capability]
    ) -> Decision:
        """Whether a caller holding `caps` may take action `name` now, and by which
        transition: 403 first (not their side or role), then 409 (not now)."""
        action = self.action(name)
        held = caps if isinstance(caps, frozenset) else frozenset(caps)
        if not any((side, action.perm) in held for side in action.sides):
            sides = " or ".join(sorted(f"the {side} side" for side in action.sides))
            return Decision(
                action, None, "forbidden", f"Only {sides}, with the right role, may {name}."
            )
        label = self.label(state)
        transition = next((t for t in action.transitions if state in t.from_states), None)
        if transition is None:
            return Decision(
                action, None, "conflict", f"The {self.noun} is {label}; it cannot {name} now."
            )
        if (transition.side, action.perm) not in held:
            return Decision(
                action,
                None,
                "forbidden",
                f"While the {self.noun} is {label}, only the {transition.side} side may {name}.",
            )
        refusal = action.guard(facts, label) if action.guard else None
        if refusal is not None:
            return Decision(action, None, "conflict", refusal)
        return Decision(action, transition, None)

    def allowed_actions(
        self, state: str, facts: Hashable, caps: frozenset[Capability]
    ) -> list[str]:
        # Few distinct (state, facts, caps) occur: a list pays for decide() once for each.
        key = (state, facts, caps)
        found = self._allowed.get(key)
        if found is None:
            if len(self._allowed) > 4096:
                self._allowed.clear()
            found = self._allowed[key] = tuple(
                a.name
                for a in self.actions
                if self.decide(a.name, state, facts, caps).transition is not None
            )
        return list(found)

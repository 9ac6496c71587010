"""A work item's workflow as data: which side, holding which permission, may take which
action from which state, and where it leads. Pure (no I/O), so the action template,
`allowed_actions` on every rendered item, the router factory and the tests share it.

A kind's `state.py` holds its rule table: one `Action` row per action, each with its
transitions, body schema and OpenAPI summary. The kind's service adds the hooks.
"""

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from pydantic import BaseModel

from app.access.roles import Perm

Capability = tuple[str, Perm]  # (side, permission held on that side's party unit)

# The pseudo-side of a grant strictly above the second party's unit (the unit that acts:
# an issue's handler), from where a leader takes an issue over.
ABOVE = "above"

# The problem member that names separation of duties, and its cases (docs/api.md).
SEPARATION = "separation_of_duties"
UPPER_PARTY = "upper_party"  # one grant covers both parties: it speaks for the upper one
SAME_UNIT_BELOW = "same_unit_below_grant"  # both parties are one unit below the grant
EQUAL_PARTIES = "equal_parties"  # one grant covers two parties of the same tier
OWN_SUBMISSION = "own_submission"  # the submitter never verifies
OWN_RESOLUTION = "own_resolution"  # the resolver never closes or rates


@dataclass(frozen=True)
class Transition:
    side: str
    from_states: frozenset[str]
    to_status: str | None  # None: the status stays


class Stance(NamedTuple):
    """Where a caller stands on one item: `caps` they may use, and `withheld`, those their
    grants would give but separation of duties takes away (for the reason `case`)."""

    caps: frozenset[Capability]
    withheld: frozenset[Capability] = frozenset()
    case: str | None = None


@dataclass(frozen=True)
class Duty:
    """A separation-of-duties rule on the person: `applies(facts)` when the caller did
    the work this action would judge."""

    case: str
    applies: Callable[[Any], bool]
    detail: str


@dataclass(frozen=True)
class Refusal:
    """An action the caller's grants reach but separation of duties refuses, and why."""

    action: str
    case: str
    detail: str


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
    duty: Duty | None = None
    event: str | None = None  # the timeline's and audit's verb, when not the action's name

    @property
    def sides(self) -> frozenset[str]:
        return frozenset(t.side for t in self.transitions)

    @property
    def event_name(self) -> str:
        return self.event or self.name


@dataclass(frozen=True)
class Decision:
    action: Action
    transition: Transition | None
    problem: str | None  # "forbidden" or "conflict"
    detail: str = ""
    case: str | None = None  # the separation-of-duties case of a "forbidden"


def _as_is(state: str) -> str:
    return state


@dataclass(frozen=True)
class Workflow:
    """A kind's actions; `label(state)` says a state as people say it."""

    noun: str
    actions: tuple[Action, ...]
    label: Callable[[str], str] = _as_is
    _allowed: dict[Hashable, tuple[tuple[str, ...], tuple[Refusal, ...]]] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.actions)

    def action(self, name: str) -> Action:
        return next(a for a in self.actions if a.name == name)

    def decide(
        self, name: str, state: str, facts: Hashable, stance: Stance, *, separate: bool = True
    ) -> Decision:
        """Whether a caller standing at `stance` may take action `name` now, and by which
        transition: 403 first (not their side or role, or separation of duties), then 409
        (not now). With `separate=False`, as if separation of duties did not apply."""
        action = self.action(name)
        held = stance.caps if separate else stance.caps | stance.withheld

        def not_theirs(side: str, refused: str) -> Decision:
            if separate and stance.case is not None and (side, action.perm) in stance.withheld:
                detail = _SEPARATION_DETAILS[stance.case].format(noun=self.noun, action=name)
                return Decision(action, None, "forbidden", detail, stance.case)
            return Decision(action, None, "forbidden", refused)

        if not any((side, action.perm) in held for side in action.sides):
            sides = " or ".join(sorted(_side_phrase(side) for side in action.sides))
            refused = f"Only {sides}, with the right role, may {name}."
            withheld = (s for s in sorted(action.sides) if (s, action.perm) in stance.withheld)
            return not_theirs(next(withheld, ""), refused)
        label = self.label(state)
        transition = next((t for t in action.transitions if state in t.from_states), None)
        if transition is None:
            return Decision(
                action, None, "conflict", f"The {self.noun} is {label}; it cannot {name} now."
            )
        if (transition.side, action.perm) not in held:
            only = f"only the {transition.side} side may {name}"
            refused = f"While the {self.noun} is {label}, {only}."
            return not_theirs(transition.side, refused)
        if separate and action.duty is not None and action.duty.applies(facts):
            return Decision(action, None, "forbidden", action.duty.detail, action.duty.case)
        refusal = action.guard(facts, label) if action.guard else None
        if refusal is not None:
            return Decision(action, None, "conflict", refusal)
        return Decision(action, transition, None)

    def allowed_actions(
        self, state: str, facts: Hashable, stance: Stance
    ) -> tuple[tuple[str, ...], tuple[Refusal, ...]]:
        """What the caller may do now, and what their grants would allow now but
        separation of duties refuses (the SPA says why)."""
        # Few distinct (state, facts, stance) occur: a list pays for decide() once for each.
        key = (state, facts, stance)
        found = self._allowed.get(key)
        if found is None:
            if len(self._allowed) > 4096:
                self._allowed.clear()
            allowed, refused = [], []
            for a in self.actions:
                decision = self.decide(a.name, state, facts, stance)
                if decision.transition is not None:
                    allowed.append(a.name)
                elif (
                    decision.case is not None
                    and self.decide(a.name, state, facts, stance, separate=False).transition
                ):
                    refused.append(Refusal(a.name, decision.case, decision.detail))
            found = self._allowed[key] = (tuple(allowed), tuple(refused))
        return found


def _side_phrase(side: str) -> str:
    return "a grant above the unit that acts on it" if side == ABOVE else f"the {side} side"


_SEPARATION_DETAILS = {
    UPPER_PARTY: "Your grant covers both parties of this {noun}, so you stand on the side "
    "of the party nearer the root; the other side's people must {action}.",
    SAME_UNIT_BELOW: "Both parties of this {noun} are one unit below your grant, so you "
    "stand on neither side: that unit's own people must {action} (a leader may take an "
    "issue over instead).",
    EQUAL_PARTIES: "Your grant covers both parties of this {noun}, at the same tier, so you "
    "stand on neither side: their own people must {action}.",
}

"""The to-do worked out in Python from what the lists show, for the tests to compare
`GET /me/todo` with: DESIGN's definition, read independently of the SQL that serves it.

An item is in my to-do of a kind when it is in the kind's state, the list offers me the
kind's action (so my side and role allow it, and separation of duties does not refuse
it), and the unit that must act is one I serve for the kind's permission: a unit where I
hold it, or a unit with no people below one, with no unit with people in between.

The chasing ladder's kinds: `supervise`, an item the list offers me to supervise whose
supervising unit (the nearest tier unit above a task's issuer, an issue's handler; a root
itself) I serve for chasing.supervise; `chase_ack`, an item in my lists with a chasing
notice to me (my notifications) that I have not acknowledged.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from app.access.roles import PEOPLE_ROLES, ROLE_PERMISSIONS, Perm, Role

Item = dict[str, Any]


def _task_work(task: Item) -> bool:
    return task["status"] in ("accepted", "in_progress") or (
        task["status"] == "returned" and task["returned_by"] == "issuer"
    )


@dataclass(frozen=True)
class Rule:
    item_type: str
    perm: Perm
    acting: str  # the column of the unit that must act
    in_state: Any
    actions: frozenset[str]  # the list offers me one of these


RULES: dict[str, Rule] = {
    "accept": Rule(
        "task",
        Perm.task_work,
        "assignee_org_id",
        lambda t: t["status"] == "issued",
        frozenset({"accept"}),
    ),
    "work": Rule("task", Perm.task_work, "assignee_org_id", _task_work, frozenset({"submit"})),
    "verify": Rule(
        "task",
        Perm.task_decide,
        "issuer_org_id",
        lambda t: t["status"] == "submitted",
        frozenset({"verify"}),
    ),
    "extension": Rule(
        "task",
        Perm.task_decide,
        "issuer_org_id",
        lambda t: t["extension"] is not None,
        frozenset({"approve-extension"}),
    ),
    "reissue": Rule(
        "task",
        Perm.task_create,
        "issuer_org_id",
        lambda t: t["status"] == "returned" and t["returned_by"] == "assignee",
        frozenset({"reissue"}),
    ),
    "handle": Rule(
        "issue",
        Perm.issue_work,
        "handler_org_id",
        lambda i: i["status"] in ("open", "acknowledged"),
        frozenset({"acknowledge", "escalate", "delegate", "resolve"}),
    ),
    "confirm": Rule(
        "issue",
        Perm.issue_confirm,
        "reporter_org_id",
        lambda i: i["status"] == "resolved",
        frozenset({"close"}),
    ),
}


# Both kinds of item climb the ladder; the party the tier above supervises.
CHASE_KINDS = ("supervise", "chase_ack")
SUPERVISED = {"task": "issuer_org_id", "issue": "handler_org_id"}
TIER_KINDS = frozenset({"prefecture", "county", "street", "community"})


@dataclass(frozen=True)
class Tree:
    parent: dict[uuid.UUID, uuid.UUID | None]
    with_people: frozenset[uuid.UUID]
    tiers: frozenset[uuid.UUID]

    @classmethod
    def of(
        cls,
        units: Iterable[tuple[uuid.UUID, uuid.UUID | None, str]],
        grants: Iterable[tuple[uuid.UUID, str, bool]],
    ) -> "Tree":
        """`units`: (id, parent id, kind); `grants`: (unit id, role, whether its user is
        active)."""
        people = frozenset(o for o, role, active in grants if active and Role(role) in PEOPLE_ROLES)
        units = list(units)
        tiers = frozenset(u for u, _, kind in units if kind in TIER_KINDS)
        return cls({u: parent for u, parent, _ in units}, people, tiers)

    def supervisor(self, unit: uuid.UUID) -> uuid.UUID:
        """The nearest tier unit above `unit`; a root itself."""
        current = self.parent[unit]
        while current is not None and current not in self.tiers:
            current = self.parent[current]
        return unit if current is None else current

    def served_by(self, unit: uuid.UUID) -> uuid.UUID | None:
        """Who acts for `unit`: itself when it has people, else its nearest ancestor that
        has (None when none has)."""
        current: uuid.UUID | None = unit
        while current is not None and current not in self.with_people:
            current = self.parent[current]
        return current


def _serves(tree: Tree, mine: set[uuid.UUID], acting: uuid.UUID) -> bool:
    return acting in mine or (acting not in tree.with_people and tree.served_by(acting) in mine)


def reference_todo(
    tree: Tree,
    grants: list[dict[str, Any]],
    items: dict[str, list[Item]],
    notifications: list[Item],
) -> set[tuple[str, str]]:
    """(kind, item id) of every item in the to-do of the caller holding `grants` (/me's),
    from the `items` they list (by type) and their `notifications`."""
    tasks, issues = items["task"], items["issue"]
    found = set()
    for kind, rule in RULES.items():
        mine = {
            uuid.UUID(g["org_id"]) for g in grants if rule.perm in ROLE_PERMISSIONS[Role(g["role"])]
        }
        for item in tasks if rule.item_type == "task" else issues:
            acting = uuid.UUID(item[rule.acting])
            if (
                rule.in_state(item)
                and rule.actions & set(item["allowed_actions"])
                and _serves(tree, mine, acting)
            ):
                found.add((kind, item["id"]))
    supervising = {
        uuid.UUID(g["org_id"])
        for g in grants
        if Perm.chasing_supervise in ROLE_PERMISSIONS[Role(g["role"])]
    }
    unacknowledged = {
        (n["entity_type"], n["entity_id"])
        for n in notifications
        if n["acknowledgeable"] and n["acknowledged_at"] is None
    }
    for item_type, listed in items.items():
        for item in listed:
            supervisor = tree.supervisor(uuid.UUID(item[SUPERVISED[item_type]]))
            if "supervise" in item["allowed_actions"] and _serves(tree, supervising, supervisor):
                found.add(("supervise", item["id"]))
            if (item_type, item["id"]) in unacknowledged:
                found.add(("chase_ack", item["id"]))
    return found

"""Which side of a work item a caller stands on, computed once per request.

A grant covers its whole subtree. A grant that covers one party of an item puts the
caller on that party's side; one that covers both puts them on the side of the party
nearer the root, or on neither side when both parties are one unit below the grant, or
two units of the same tier (separation of duties: a unit never judges its own work).
"""

import uuid
from collections.abc import Hashable, Sequence
from typing import NamedTuple

from sqlalchemy.sql.elements import ColumnElement

from app.access.roles import ROLE_PERMISSIONS, Perm, role_has
from app.access.scope import Path, PathColumn, Principal, is_within
from app.orgs.models import TIER_ORDER
from app.workitems.rules import ABOVE, EQUAL_PARTIES, SAME_UNIT_BELOW, UPPER_PARTY, Stance

_NOTHING: frozenset[Perm] = frozenset()


_TIER_RANK = {tier.value: rank for rank, tier in enumerate(TIER_ORDER)}


class Party(NamedTuple):
    """One party of an item: its unit's path and tier (a tuple: one is made per item
    rendered)."""

    path: Sequence[int]
    tier: str


def upper_party(one: Path, other: Path, one_tier: str, other_tier: str) -> int | None:
    """Which of two parties (their paths and tiers) is nearer the root: an ancestor
    before its descendant, else the higher tier (a county task force above a community).
    None when neither is."""
    if one == other:
        return None
    if other[: len(one)] == one:
        return 0
    if one[: len(other)] == other:
        return 1
    ranks = _TIER_RANK[one_tier], _TIER_RANK[other_tier]
    return None if ranks[0] == ranks[1] else int(ranks[1] < ranks[0])


class Sides:
    def __init__(self, principal: Principal) -> None:
        self.principal = principal
        self._grants = [(len(g.path), g.path, ROLE_PERMISSIONS[g.role]) for g in principal.grants]
        self._stances: dict[Hashable, tuple[Stance, bool]] = {}

    def held(self, path: Sequence[int]) -> frozenset[Perm]:
        """Every permission the caller holds on the unit at `path`."""
        perms = _NOTHING
        at = tuple(path)
        for depth, grant_path, grant_perms in self._grants:
            if at[:depth] == grant_path:
                perms = perms | grant_perms
        return perms

    def may(self, perm: Perm, path: Sequence[int]) -> bool:
        return perm in self.held(path)

    def stance(
        self, sides: tuple[str, str], perms: tuple[Perm, ...], parties: tuple[Party, Party]
    ) -> tuple[Stance, bool]:
        """On an item whose two parties, on `sides`, are `parties`: where the caller
        stands for each of `perms` (separation of duties, docs/architecture.md), and
        whether they may give feedback (a grant covering either party)."""
        first, second = parties
        one, other = tuple(first.path), tuple(second.path)
        same = one == other
        upper = None if same else upper_party(one, other, first.tier, second.tier)
        # The stance depends on the parties only through how each grant lies to them: a
        # page of fifty items has many pairs of party units but few such layouts.
        layout = tuple(
            [
                (one[:depth] == path, other[:depth] == path, depth < len(other), depth == len(one))
                for depth, path, _ in self._grants
            ]
        )
        key = (sides, perms, same, upper, layout)
        found = self._stances.get(key)
        if found is None:
            found = self._stances[key] = self._stance(sides, perms, same, upper, layout)
        return found

    def _stance(
        self,
        sides: tuple[str, str],
        perms: tuple[Perm, ...],
        same: bool,
        upper: int | None,
        layout: tuple[tuple[bool, bool, bool, bool], ...],
    ) -> tuple[Stance, bool]:
        case = SAME_UNIT_BELOW if same else UPPER_PARTY if upper is not None else EQUAL_PARTIES
        held: list[set[Perm]] = [set(), set(), set()]  # first side, second side, above
        withheld: list[set[Perm]] = [set(), set()]
        for (covers_first, covers_second, above_second, at_first), (_, _, grant_perms) in zip(
            layout, self._grants, strict=True
        ):
            if covers_second and above_second:
                held[2] |= grant_perms
            if not (covers_first and covers_second):
                if covers_first:
                    held[0] |= grant_perms
                if covers_second:
                    held[1] |= grant_perms
            elif same and at_first:
                held[0] |= grant_perms  # a grant at the one unit: both of its sides
                held[1] |= grant_perms
            elif upper is not None:
                held[upper] |= grant_perms
                withheld[1 - upper] |= grant_perms
            else:
                withheld[0] |= grant_perms
                withheld[1] |= grant_perms
        named = (*sides, ABOVE)
        caps = frozenset(
            (named[index], perm) for index in (0, 1, 2) for perm in perms if perm in held[index]
        )
        kept = frozenset(
            (sides[index], perm)
            for index in (0, 1)
            for perm in perms
            if perm in withheld[index] and perm not in held[index]
        )
        can_feedback = Perm.feedback_create in held[0] | held[1] | withheld[0] | withheld[1]
        return Stance(caps, kept, case if kept else None), can_feedback


_SCOPES: dict[tuple[Hashable, Perm, tuple[Path, ...]], ColumnElement[bool]] = {}
_SCOPES_MAX = 2048


def scope_predicate(
    principal: Principal, perm: Perm, key: Hashable, *columns: PathColumn
) -> ColumnElement[bool]:
    """`principal.within(*columns, perm=perm)`, memoised per set of grant paths.

    The predicate depends only on the caller's subtree roots for `perm` and the columns
    (named by `key`); SQLAlchemy clauses are immutable, so one built clause serves every
    request of every caller with the same roots instead of being rebuilt each time.
    """
    cache_key = (key, perm, tuple(principal.paths(perm)))
    found = _SCOPES.get(cache_key)
    if found is None:
        if len(_SCOPES) >= _SCOPES_MAX:
            _SCOPES.clear()
        found = _SCOPES[cache_key] = principal.within(*columns, perm=perm)
    return found


def acting_unit(principal: Principal, perm: Perm | None, *paths: Sequence[int]) -> uuid.UUID | None:
    """The unit the caller acts for on an item: their most specific grant that covers one
    of the item's party paths (holding `perm`, when given)."""
    return _most_specific(principal, perm, paths, strictly_above=False)


def unit_above(principal: Principal, perm: Perm, path: Sequence[int]) -> uuid.UUID | None:
    """The unit of the caller's most specific grant holding `perm` strictly above `path`."""
    return _most_specific(principal, perm, (path,), strictly_above=True)


def _most_specific(
    principal: Principal, perm: Perm | None, paths: Sequence[Sequence[int]], *, strictly_above: bool
) -> uuid.UUID | None:
    best: tuple[int, uuid.UUID] | None = None
    for grant in principal.grants:
        if perm is not None and not role_has(grant.role, perm):
            continue
        if strictly_above and any(len(grant.path) >= len(path) for path in paths):
            continue
        if any(is_within(path, grant.path) for path in paths) and (
            best is None or len(grant.path) > best[0]
        ):
            best = (len(grant.path), grant.org_id)
    return best[1] if best else None

"""Which side of a work item a caller stands on, computed once per request.

A caller is on a party's side for a permission when one of their grants holding that
permission covers the party unit (a grant covers its whole subtree).
"""

import uuid
from collections.abc import Hashable, Sequence
from typing import Any, TypeVar

from sqlalchemy.sql.elements import ColumnElement

from app.access.roles import ROLE_PERMISSIONS, Perm, role_has
from app.access.scope import Path, PathColumn, Principal, is_within

SideT = TypeVar("SideT", bound=Hashable)


_NOTHING: frozenset[Perm] = frozenset()


class Sides:
    def __init__(self, principal: Principal) -> None:
        self.principal = principal
        # Paths as lists and tuples: party paths arrive as either, and a slice compares
        # equal only to its own kind.
        self._grants = [
            (len(g.path), list(g.path), g.path, ROLE_PERMISSIONS[g.role]) for g in principal.grants
        ]
        self._held_by_unit: dict[Hashable, frozenset[Perm]] = {}
        # A page of fifty items has many party units but few distinct pairs of `held` sets.
        self._views: dict[Hashable, Any] = {}

    def held(self, path: Sequence[int]) -> frozenset[Perm]:
        """Every permission the caller holds on the unit at `path`."""
        perms = _NOTHING
        for depth, as_list, as_tuple, grant_perms in self._grants:
            prefix = path[:depth]
            if prefix in (as_list, as_tuple):
                perms = perms | grant_perms
        return perms

    def held_at(self, org_id: Hashable, path: Sequence[int]) -> frozenset[Perm]:
        """`held(path)` of the unit `org_id`, memoised by its id for the request."""
        found = self._held_by_unit.get(org_id)
        if found is None:
            found = self._held_by_unit[org_id] = self.held(path)
        return found

    def may(self, perm: Perm, path: Sequence[int]) -> bool:
        return perm in self.held(path)

    def view(
        self,
        sides: tuple[SideT, SideT],
        perms: tuple[Perm, ...],
        held: tuple[frozenset[Perm], frozenset[Perm]],
    ) -> tuple[frozenset[tuple[SideT, Perm]], bool]:
        """On an item whose two parties are `sides`, where the caller holds `held`:
        (capabilities, i.e. (side, perm) for each of `perms` held, may give feedback)."""
        key = (sides, held)
        found: tuple[frozenset[tuple[SideT, Perm]], bool] | None = self._views.get(key)
        if found is None:
            capabilities = frozenset(
                (side, perm)
                for side, side_held in zip(sides, held, strict=True)
                for perm in perms
                if perm in side_held
            )
            found = self._views[key] = (capabilities, Perm.feedback_create in held[0] | held[1])
        return found


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
    best: tuple[int, uuid.UUID] | None = None
    for grant in principal.grants:
        if perm is not None and not role_has(grant.role, perm):
            continue
        if any(is_within(path, grant.path) for path in paths) and (
            best is None or len(grant.path) > best[0]
        ):
            best = (len(grant.path), grant.org_id)
    return best[1] if best else None

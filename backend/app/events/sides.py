"""Which side of a work item a caller stands on, computed once per request.

A caller is on a party's side for a permission when one of their grants holding that
permission covers the party unit (a grant covers its whole subtree).
"""

import uuid
from collections.abc import Hashable, Sequence
from typing import Any

from sqlalchemy.sql.elements import ColumnElement

from app.access.roles import Perm, role_has
from app.access.scope import Path, PathColumn, Principal, is_within


class Sides:
    def __init__(self, principal: Principal) -> None:
        self.principal = principal
        self._paths: dict[Perm, list[Path]] = {}
        # Per-request memo for callers (e.g. capabilities per pair of party paths).
        self.memo: dict[Hashable, Any] = {}

    def paths(self, perm: Perm) -> list[Path]:
        found = self._paths.get(perm)
        if found is None:
            found = self._paths[perm] = self.principal.paths(perm)
        return found

    def may(self, perm: Perm, path: Sequence[int]) -> bool:
        return any(is_within(path, p) for p in self.paths(perm))


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

"""Which side of a work item a caller stands on, computed once per request.

A caller is on a party's side for a permission when one of their grants holding that
permission covers the party unit (a grant covers its whole subtree).
"""

import uuid
from collections.abc import Sequence

from app.access.roles import Perm, role_has
from app.access.scope import Path, Principal, is_within


class Sides:
    def __init__(self, principal: Principal) -> None:
        self.principal = principal
        self._paths: dict[Perm, list[Path]] = {}

    def paths(self, perm: Perm) -> list[Path]:
        found = self._paths.get(perm)
        if found is None:
            found = self._paths[perm] = self.principal.paths(perm)
        return found

    def may(self, perm: Perm, path: Sequence[int]) -> bool:
        return any(is_within(path, p) for p in self.paths(perm))


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

"""Who may issue a 督办单: one rule for the action itself and for `allowed_actions`."""

from collections.abc import Sequence

from app.access.roles import Perm
from app.access.scope import Principal


def may_supervise(principal: Principal, supervisor_path: Sequence[int] | None) -> bool:
    """The item waits on a 督办单 from the unit at `supervisor_path` (None: it waits on
    none), and the caller holds chasing.supervise at or above that unit."""
    return supervisor_path is not None and principal.may(Perm.chasing_supervise, supervisor_path)

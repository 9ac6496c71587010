"""The one scoping helper: a caller's grants as path ranges, in SQL and in Python.

A grant at unit U covers U's subtree: every path that starts with U's path. On integer
arrays that prefix test is the range `path >= P AND path < next_sibling(P)`, which a
B-tree index on the path column answers directly.
"""

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.sql.elements import ColumnElement

from app.access.roles import Perm, Role, role_has
from app.core.models import PathType

Path = tuple[int, ...]
PathColumn = ColumnElement[Any] | Mapped[Any]


def next_sibling(path: Path) -> Path:
    return (*path[:-1], path[-1] + 1)


def is_within(path: Sequence[int], ancestor: Path) -> bool:
    return tuple(path[: len(ancestor)]) == ancestor


def _minimal(paths: list[Path]) -> list[Path]:
    """Drop paths that another path already covers."""
    kept: list[Path] = []
    for path in sorted(set(paths)):
        if not kept or not is_within(path, kept[-1]):
            kept.append(path)
    return kept


def path_range(column: PathColumn, path: Path) -> ColumnElement[bool]:
    low = sa.literal(list(path), PathType)
    high = sa.literal(list(next_sibling(path)), PathType)
    return sa.and_(column >= low, column < high)


def within_sql(param: Callable[[Any], str], roots: Sequence[Path], *columns: str) -> str:
    """`Principal.within()` as plain SQL text for the subtree `roots` (`Principal.paths`);
    `param(value)` binds a value and names it ($n)."""
    ranges = []
    for path in roots:
        low, high = param(list(path)), param(list(next_sibling(path)))
        ranges += [f"({column} >= {low} AND {column} < {high})" for column in columns]
    return f"({' OR '.join(ranges)})" if ranges else "FALSE"


@dataclass(frozen=True)
class GrantScope:
    grant_id: uuid.UUID
    org_id: uuid.UUID
    role: Role
    path: Path


@dataclass(frozen=True)
class Principal:
    user_id: uuid.UUID
    username: str
    display_name: str
    session_id: uuid.UUID
    grants: tuple[GrantScope, ...]

    def paths(self, perm: Perm | None = None) -> list[Path]:
        """Subtree roots where the caller sees (perm=None) or holds `perm`."""
        return _minimal([g.path for g in self.grants if perm is None or role_has(g.role, perm)])

    def sees(self, path: Sequence[int]) -> bool:
        return any(is_within(path, p) for p in self.paths())

    def may(self, perm: Perm, path: Sequence[int]) -> bool:
        return any(is_within(path, p) for p in self.paths(perm))

    def may_anywhere(self, perm: Perm) -> bool:
        return bool(self.paths(perm))

    def within(self, *columns: PathColumn, perm: Perm | None = None) -> ColumnElement[bool]:
        """SQL: any of `columns` lies inside a subtree where the caller sees / holds `perm`."""
        ranges = [path_range(col, p) for p in self.paths(perm) for col in columns]
        return sa.or_(*ranges) if ranges else sa.false()

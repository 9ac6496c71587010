"""Tallies of the to-do (app/todo/): how many items wait in each kind, per pair of units.

An item waits in a kind of to-do on the unit that must act (TODO_STATES in
app/tasks/models.py and app/issues/models.py). Whose to-do that is depends on the caller's
grant and, below it, on where the other party lies (separation of duties, see
`TodoKind.acts` in app/workitems/repository.py), so the items are counted per (kind, acting
unit, other party's unit): a caller's count sums the tallies of the units they serve, read
through the same rule, and costs what those pairs are, not what waits.

The rows are kept by statement-level triggers on `tasks` and `issues` (migration 0021,
sql/0021_todo.sql), in slots like the stats rollups (app/stats/models.py): a writer adds
to slot pg_backend_pid() % 4, readers sum over slots, and `todo_compact()` (the rollup
compaction job) folds them. `todo_rebuild()` recomputes every tally from the rows.
"""

import uuid

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class TodoTally(SQLModel, table=True):
    __tablename__ = "todo_tallies"

    kind: str = Field(primary_key=True, max_length=20)
    acting_org_id: uuid.UUID = Field(primary_key=True)
    other_org_id: uuid.UUID = Field(primary_key=True)
    slot: int = Field(
        primary_key=True, sa_type=sa.SmallInteger, sa_column_kwargs={"autoincrement": False}
    )
    n: int = Field(default=0, sa_type=sa.BigInteger, sa_column_kwargs={"server_default": "0"})

"""Every statement on issues (and on issue_feed, which triggers keep; see the migrations)."""

from typing import ClassVar

from app.access.roles import Perm
from app.chasing.repository import SuperviseTodo, supervisor_path_sql
from app.issues.models import TODO_STATES, UNRESOLVED_STATUSES, Issue, IssueTodo
from app.notifications.repository import ChaseAckTodo
from app.workitems.models import COLOUR_COLUMNS, ItemType
from app.workitems.repository import ItemRepository, ItemTable, TodoKind, TodoSource

SHOWN = (
    "id",
    "title",
    "description",
    "category",
    "severity",
    "status",
    "reporter_org_id",
    "reporter_user_id",
    "handler_org_id",
    "resolved_by_org_id",
    "resolved_tier",
    "resolved_by_user_id",
    "resolution",
    "rating",
    "due_at",
    "created_at",
    "updated_at",
    "acknowledged_at",
    "resolved_at",
    "closed_at",
    "version",
)
# What an audit entry records of an issue: what a change can alter, not who made it when.
AUDITED = tuple(c for c in SHOWN if c == "due_at" or not c.endswith(("_at", "_user_id")))
TABLE = ItemTable(
    name="issues",
    feed="issue_feed",
    alias="i",
    columns=", ".join(f"i.{c}" for c in SHOWN)
    + ", reporter_org.name AS reporter_org_name, handler_org.name AS handler_org_name,"
    " reporter_org.tier AS reporter_tier, handler_org.tier AS handler_tier,"
    " i.reporter_path, i.handler_path,"
    " handler_org.kind AS handler_kind, "
    + ", ".join(f"i.{c}" for c in COLOUR_COLUMNS)
    + f", {supervisor_path_sql(ItemType.issue, 'i')} AS supervisor_path",
    joins="JOIN org_units reporter_org ON reporter_org.id = i.reporter_org_id"
    " JOIN org_units handler_org ON handler_org.id = i.handler_org_id",
    parties=("reporter_path", "handler_path"),
    party_tiers=("reporter_tier", "handler_tier"),
    acting=("handler_org_id", "handler_path"),
    read_perm=Perm.issue_read,
    open_statuses=tuple(s.value for s in UNRESOLVED_STATUSES),
)

_REPORTER, _HANDLER = ("reporter_org_id", "reporter_path"), ("handler_org_id", "handler_path")
# An issue's kinds of to-do: the handler handles it; the reporter confirms a resolution,
# never its resolver; and the chasing ladder's.
TODO: tuple[TodoSource, ...] = (
    TodoKind(
        IssueTodo.handle.value,
        ItemType.issue,
        TABLE,
        _HANDLER,
        _REPORTER,
        Perm.issue_work,
        TODO_STATES[IssueTodo.handle][1],
    ),
    TodoKind(
        IssueTodo.confirm.value,
        ItemType.issue,
        TABLE,
        _REPORTER,
        _HANDLER,
        Perm.issue_confirm,
        TODO_STATES[IssueTodo.confirm][1],
        "resolved_by_user_id",
    ),
    SuperviseTodo(ItemType.issue, TABLE),
    ChaseAckTodo(ItemType.issue, TABLE),
)


class IssueRepository(ItemRepository):
    table: ClassVar[ItemTable] = TABLE
    model = Issue

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from app.issues.models import IssueTodo
from app.tasks.models import TaskTodo
from app.workitems.models import Colour, ItemType


class TodoItem(BaseModel):
    kind: TaskTodo | IssueTodo = Field(description="What waits on me: one of `counts`' kinds")
    item_type: ItemType
    item_id: uuid.UUID
    title: str
    due_at: datetime
    status: str
    colour: Colour | None
    on_behalf_of_org_id: uuid.UUID | None = Field(
        description="The unit that must act, when it has no logins and I act for it "
        "(from its nearest ancestor with logins); null when it is my own unit"
    )
    on_behalf_of_org_name: str | None


class TodoPage(BaseModel):
    counts: dict[str, int] = Field(
        description="Every kind with how many items wait on me; each equals its list "
        "(`GET /tasks?todo=kind`, `GET /issues?todo=kind`)"
    )
    items: list[TodoItem] = Field(description="By due date, most urgent first")
    next_cursor: str | None

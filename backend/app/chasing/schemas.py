import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.chasing.models import MAX_WORKING_DAYS
from app.tasks.schemas import DueDate
from app.workitems.schemas import RequiredText

WorkingDays = Annotated[int, Field(ge=0, le=MAX_WORKING_DAYS)]


class PolicySteps(BaseModel):
    """The ladder in working days: a reminder before the deadline, then the chasing
    notice, the circular and supervision after it, in increasing order."""

    reminder_days_before: WorkingDays = Field(
        description="Working days before the deadline for the reminder (0: on its day)"
    )
    notice_days_after: WorkingDays = Field(
        description="Working days after the deadline for the chasing notice (催办通知); "
        "0: as soon as it passes"
    )
    circular_days_after: WorkingDays = Field(description="... for the circular (通报)")
    supervision_days_after: WorkingDays = Field(description="... for supervision (督办)")

    @model_validator(mode="after")
    def _increasing(self) -> "PolicySteps":
        after = (self.notice_days_after, self.circular_days_after, self.supervision_days_after)
        if not after[0] < after[1] < after[2]:
            raise ValueError(
                "notice, circular and supervision must come in increasing working days"
            )
        return self


class PolicyWrite(PolicySteps):
    model_config = ConfigDict(extra="forbid")

    root_org_id: uuid.UUID | None = Field(
        default=None, description="The root unit; defaults to the root of your grants"
    )


class PolicyRead(PolicySteps):
    root_org_id: uuid.UUID
    root_org_name: str
    is_default: bool = Field(description="No policy stored: the defaults apply")
    updated_at: datetime | None
    updated_by: uuid.UUID | None


class SupervisionOrder(DueDate):
    """督办单: what the tier above requires, and the new date it sets (the ladder starts
    again from it), as a moment or in working days."""

    model_config = ConfigDict(extra="forbid")

    note: RequiredText

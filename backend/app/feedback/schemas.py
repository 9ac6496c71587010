import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from app.feedback.models import FeedbackKind

Body = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]


class FeedbackCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: FeedbackKind
    body: Body = ""
    rating: int | None = Field(default=None, ge=1, le=5, description="1-5, satisfaction only")

    @model_validator(mode="after")
    def _rating_with_satisfaction(self) -> "FeedbackCreate":
        if self.kind == FeedbackKind.satisfaction and self.rating is None:
            raise ValueError("satisfaction feedback needs a rating from 1 to 5")
        if self.kind != FeedbackKind.satisfaction and self.rating is not None:
            raise ValueError("only satisfaction feedback carries a rating")
        if self.kind != FeedbackKind.satisfaction and not self.body:
            raise ValueError(f"{self.kind.value} feedback needs a body")
        return self


class FeedbackRead(BaseModel):
    id: uuid.UUID
    kind: FeedbackKind
    body: str
    rating: int | None
    author_id: uuid.UUID
    author_name: str | None
    org_id: uuid.UUID | None
    org_name: str | None
    created_at: datetime

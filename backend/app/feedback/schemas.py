import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.feedback.models import FeedbackKind

Body = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]
RequiredBody = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)
]


class SatisfactionFeedback(BaseModel):
    """A rating from 1 to 5, with an optional body."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal[FeedbackKind.satisfaction]
    body: Body = ""
    rating: int = Field(ge=1, le=5, description="Satisfaction, 1-5")


class WrittenFeedback(BaseModel):
    """Progress, completion, review or a comment: a body, and no rating (only satisfaction
    feedback carries one)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal[
        FeedbackKind.progress, FeedbackKind.completion, FeedbackKind.review, FeedbackKind.comment
    ]
    body: RequiredBody


# The schema states the rules that link kind, body and rating: one shape per kind.
FeedbackCreate = Annotated[SatisfactionFeedback | WrittenFeedback, Field(discriminator="kind")]


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

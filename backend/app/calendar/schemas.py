from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator

MAX_RANGE_DAYS = 800
MAX_OVERRIDE_DAYS = 400


class Day(BaseModel):
    date: date
    working: bool
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]


class WorkingDays(BaseModel):
    working_days: int = Field(description="How many of the days are working days")
    days: list[Day] = Field(description="Every day from `from` to `to`, inclusive")


class Overrides(BaseModel):
    """A year's (or a local) calendar as the State Council or the government publishes it."""

    days: list[Day] = Field(
        max_length=MAX_OVERRIDE_DAYS,
        description="Holidays and adjusted working days; each replaces what is stored",
    )
    covered_until: date | None = Field(
        default=None,
        description="Extend coverage to this date: days not listed follow the ordinary week "
        "(Monday to Friday working)",
    )

    @model_validator(mode="after")
    def _one_entry_per_day(self) -> "Overrides":
        dates = [d.date for d in self.days]
        if len(set(dates)) != len(dates):
            raise ValueError("each date may be listed once")
        return self


class OverridesResult(BaseModel):
    changed: int = Field(description="Days whose working state or name changed")
    covered_from: date
    covered_until: date


class Readiness(BaseModel):
    status: Literal["ok", "warning"]
    database: Literal["ok"]
    calendar_covered_until: date | None = Field(
        description="The last day the working-day calendar holds"
    )
    warnings: list[str]

"""Issue timing rules, configurable from the environment (ISSUE_DUE_HOURS_CRITICAL=...)."""

from datetime import timedelta
from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict

from app.issues.models import IssueSeverity


class IssueSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ISSUE_", env_file=".env", extra="ignore")

    due_hours_critical: int = 24
    due_hours_high: int = 72
    due_hours_normal: int = 7 * 24
    due_hours_low: int = 15 * 24
    reopen_days: int = 30

    def due_in(self, severity: IssueSeverity) -> timedelta:
        return timedelta(hours=int(getattr(self, f"due_hours_{severity.value}")))

    @property
    def reopen_window(self) -> timedelta:
        return timedelta(days=self.reopen_days)


@lru_cache
def get_issue_settings() -> IssueSettings:
    return IssueSettings()

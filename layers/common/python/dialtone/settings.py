"""Settings from environment variables, validated by one small pydantic model per function.

`load(SettingsModel)` validates on first use (the cold start's first request) and caches the
result; a missing or empty table or bucket name fails loudly instead of defaulting.
"""

from __future__ import annotations

import functools
import os
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field

S = TypeVar("S", bound=BaseModel)

ResourceName = Field(min_length=1)


class EnvSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class AccountsSettings(EnvSettings):
    """Where tenants and API keys live (the authorizer and the admin tools)."""

    accounts_table: str = Field(alias="ACCOUNTS_TABLE", min_length=1)


class CallsReaderSettings(EnvSettings):
    """What every calls reader needs: the calls table and the recordings bucket."""

    calls_table: str = Field(alias="CALLS_TABLE", min_length=1)
    recordings_bucket: str = Field(alias="RECORDINGS_BUCKET", min_length=1)
    recording_url_ttl_seconds: int = Field(
        alias="RECORDING_URL_TTL_SECONDS", default=900, ge=60, le=3600
    )


class CallsListSettings(CallsReaderSettings):
    """Listing also signs pagination cursors with a secret of its own."""

    cursor_secret_arn: str = Field(alias="CURSOR_SECRET_ARN", min_length=1)


@functools.cache
def load(model: type[S]) -> S:
    """Validate `model` against the process environment, once."""
    return model.model_validate(dict(os.environ))


def reset() -> None:
    """Forget validated settings (for tests that change the environment)."""
    load.cache_clear()

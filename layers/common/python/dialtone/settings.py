"""Settings from environment variables, validated by one small pydantic model per function.

`load(SettingsModel)` validates on first use (the cold start's first request) and caches the
result; a missing or empty table or bucket name fails loudly instead of defaulting.

Here: the models' base, and the models several domains share. A domain's own models are
defined in its module (`calls.CallsReaderSettings`, `dialing.dialer.DialerSettings`, ...), so
that a function builds only the few it loads: each costs its cold start about half a
millisecond to define, even with its validator built on first use.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any, cast

from pydantic import BaseModel, ConfigDict, Field

ResourceName = Field(min_length=1)


class EnvSettings(BaseModel):
    # Validators are built on first use: a function validates one of these models, not all.
    model_config = ConfigDict(defer_build=True, frozen=True, extra="ignore")


class AccountsSettings(EnvSettings):
    """Where tenants, API keys, agents and the do-not-call list live (the authorizer, the agent
    and suppression handlers, the admin tools)."""

    accounts_table: str = Field(alias="ACCOUNTS_TABLE", min_length=1)


class DocsSettings(EnvSettings):
    """Where the API docs page (`GET /v1/docs`) loads Swagger UI from: swagger-ui-dist on a
    public CDN by default; a mirror of it for browsers that cannot reach the CDN."""

    swagger_ui_url: str = Field(
        alias="SWAGGER_UI_URL",
        default="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5.17.14",
        min_length=1,
    )


class CursorSettings(EnvSettings):
    """The secret that signs page cursors, for a service whose other routes need none."""

    cursor_secret_arn: str = Field(alias="CURSOR_SECRET_ARN", default="")


# Factories built from settings (stores, readers, providers), forgotten together with them.
_FACTORIES: list[Any] = []


def per_environment[F: Callable[..., Any]](factory: F) -> F:
    """Cache what a handler builds from its settings for the life of the execution
    environment; `reset()` forgets it along with the settings."""
    cached = functools.cache(factory)
    _FACTORIES.append(cached)
    return cast(F, cached)


@per_environment
def secret_string(secret_arn: str) -> str:
    """The value of a Secrets Manager secret, read once per execution environment."""
    from dialtone import aws

    value: str = aws.client("secretsmanager").get_secret_value(SecretId=secret_arn)["SecretString"]
    return value


@functools.cache
def load[S: BaseModel](model: type[S]) -> S:
    """Validate `model` against the process environment, once."""
    return model.model_validate(dict(os.environ))


def reset() -> None:
    """Forget validated settings and everything built from them (for tests and benchmarks
    that move the environment)."""
    load.cache_clear()
    for factory in _FACTORIES:
        factory.cache_clear()

"""Settings from environment variables, validated by one small pydantic model per function.

`load(SettingsModel)` validates on first use (the cold start's first request) and caches the
result; a missing or empty table or bucket name fails loudly instead of defaulting.

Here: the models' base. Each domain's models are defined in its module
(`calls.CallsReaderSettings`, `dialing.dialer.DialerSettings`, `pagination.CursorSettings`,
...), so that a function makes only the few it loads: each costs its cold start about a
quarter of a millisecond to define, even with its validator built on first use.
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

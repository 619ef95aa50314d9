"""Settings from environment variables, validated by one small pydantic model per function.

`load(SettingsModel)` validates on first use (the cold start's first request) and caches the
result; a missing or empty table or bucket name fails loudly instead of defaulting.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, model_validator

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
    # `total` comes from the rollups the stream consumer keeps there.
    analytics_table: str = Field(alias="ANALYTICS_TABLE", min_length=1)


class CallStatsSettings(EnvSettings):
    """Stats read the rollups, and the calls of the partial hours at a range's edges."""

    calls_table: str = Field(alias="CALLS_TABLE", min_length=1)
    analytics_table: str = Field(alias="ANALYTICS_TABLE", min_length=1)


class StreamConsumerSettings(EnvSettings):
    """The calls table's stream consumer: where it keeps rollups and its per-call state."""

    analytics_table: str = Field(alias="ANALYTICS_TABLE", min_length=1)


class WebhookSettings(EnvSettings):
    """Webhook subscriptions and deliveries: the webhooks table, and whether subscriptions may
    target plain-http loopback URLs (the local stack only: the template never sets it)."""

    webhooks_table: str = Field(alias="WEBHOOKS_TABLE", min_length=1)
    allow_local_urls: bool = Field(alias="WEBHOOK_ALLOW_LOCAL_URLS", default=False)


class WebhookQueueSettings(WebhookSettings):
    """What queues deliveries (the fan-out, the test endpoint, a retry) also needs."""

    delivery_queue_url: str = Field(alias="WEBHOOK_DELIVERY_QUEUE_URL", min_length=1)


class WebhookSenderSettings(WebhookQueueSettings):
    """The webhook sender: the base of its retry back-off (60 s in production; the local stack
    shortens it so that a retry comes within seconds)."""

    retry_base_seconds: float = Field(
        alias="WEBHOOK_RETRY_BASE_SECONDS", default=60.0, gt=0, le=3600
    )


class PagedReaderSettings(CallsReaderSettings):
    """A call's transcript and history pages sign their cursors with the listing's secret."""

    cursor_secret_arn: str = Field(alias="CURSOR_SECRET_ARN", min_length=1)


class CursorSettings(EnvSettings):
    """The secret that signs page cursors, for a service whose other routes need none."""

    cursor_secret_arn: str = Field(alias="CURSOR_SECRET_ARN", default="")


class ChangeFeedSettings(EnvSettings):
    """`GET /v1/calls/changes`: the change feed in the analytics table, tenants (for their
    retention, which sets how long the feed keeps deletions) and the cursor secret."""

    analytics_table: str = Field(alias="ANALYTICS_TABLE", min_length=1)
    accounts_table: str = Field(alias="ACCOUNTS_TABLE", min_length=1)
    cursor_secret_arn: str = Field(alias="CURSOR_SECRET_ARN", min_length=1)


class ExportSettings(CallsReaderSettings):
    """`GET /v1/calls/export`: how large an export may be to be answered in the response (its
    size once JSON-encoded in Lambda's response, which API Gateway caps at 6 MB), and how long
    the link to a larger one, stored in the recordings bucket, lives."""

    export_inline_max_bytes: int = Field(
        alias="EXPORT_INLINE_MAX_BYTES", default=5_000_000, ge=1, le=5_500_000
    )
    export_url_ttl_seconds: int = Field(alias="EXPORT_URL_TTL_SECONDS", default=900, ge=60, le=3600)


class IngestSettings(EnvSettings):
    """The voice runtime's writes: calls (and their exchanges and history), and tenants for
    their retention and privacy settings. National-format phone numbers in redacted text are
    read as numbers of REDACTION_REGION."""

    calls_table: str = Field(alias="CALLS_TABLE", min_length=1)
    accounts_table: str = Field(alias="ACCOUNTS_TABLE", min_length=1)
    redaction_region: str = Field(alias="REDACTION_REGION", default="US", pattern=r"^[A-Z]{2}$")


class RecordingsSettings(EnvSettings):
    """Recording uploads, the recording indexer and erasure: calls and the recordings bucket,
    how large a recording may be and how long an upload link lives."""

    calls_table: str = Field(alias="CALLS_TABLE", min_length=1)
    recordings_bucket: str = Field(alias="RECORDINGS_BUCKET", min_length=1)
    max_recording_bytes: int = Field(
        alias="MAX_RECORDING_BYTES", default=200 * 1024 * 1024, ge=1024, le=1024**3
    )
    upload_ttl_seconds: int = Field(
        alias="RECORDING_UPLOAD_TTL_SECONDS", default=900, ge=60, le=3600
    )


class DialingSettings(EnvSettings):
    """Accepting outbound calls: the calls table, the dial queue, and tenants and agents."""

    calls_table: str = Field(alias="CALLS_TABLE", min_length=1)
    accounts_table: str = Field(alias="ACCOUNTS_TABLE", min_length=1)
    dial_queue_url: str = Field(alias="DIAL_QUEUE_URL", min_length=1)


class CreateCallSettings(DialingSettings):
    """`POST /v1/calls` and `POST /v1/calls/batch` also remember Idempotency-Keys."""

    idempotency_table: str = Field(alias="IDEMPOTENCY_TABLE", min_length=1)


class TelephonySettings(EnvSettings):
    """Who places outbound calls, and the secret their status callbacks are signed with.

    `simulator` (the default) places no real call and signs its callbacks with the token held
    by the Secrets Manager secret SIMULATOR_SECRET_ARN (generated for each stack); `twilio`
    reads {"account_sid", "auth_token"} from TWILIO_SECRET_ARN (a Secrets Manager secret, or an
    SSM SecureString parameter ARN). Either secret is read on first use, not here.
    """

    telephony: Literal["simulator", "twilio"] = Field(
        alias="DIALTONE_TELEPHONY", default="simulator"
    )
    twilio_secret_arn: str = Field(alias="TWILIO_SECRET_ARN", default="")
    simulator_secret_arn: str = Field(alias="SIMULATOR_SECRET_ARN", default="")
    simulator_account: str = Field(alias="SIMULATOR_ACCOUNT", default="local", min_length=1)
    simulator_dir: str = Field(alias="DIALTONE_SIMULATOR_DIR", default="")
    simulator_ring_seconds: float = Field(alias="SIMULATOR_RING_SECONDS", default=1.0, ge=0, le=600)
    simulator_talk_seconds: float = Field(
        alias="SIMULATOR_TALK_SECONDS", default=2.0, ge=0, le=3600
    )
    simulator_outcomes: str = Field(alias="SIMULATOR_OUTCOMES", default="")

    @model_validator(mode="after")
    def _credentials_named(self) -> TelephonySettings:
        if self.telephony == "twilio" and not self.twilio_secret_arn:
            raise ValueError("DIALTONE_TELEPHONY=twilio needs TWILIO_SECRET_ARN")
        if self.telephony == "simulator" and not self.simulator_secret_arn:
            raise ValueError("DIALTONE_TELEPHONY=simulator needs SIMULATOR_SECRET_ARN")
        return self


class TwilioStatusSettings(TelephonySettings):
    """`POST /v1/telephony/twilio/status`: the calls it moves, and the public URL Twilio called
    when it is not the request's own (a custom domain; empty: rebuilt from the request)."""

    calls_table: str = Field(alias="CALLS_TABLE", min_length=1)
    public_base_url: str = Field(alias="PUBLIC_BASE_URL", default="")


class DialQueueSettings(EnvSettings):
    """Reading the dial queue as a tenant sees it (`GET /v1/dialer/status`, a queued call's
    position): calls, tenants' dial rates and the limiter's next slots."""

    calls_table: str = Field(alias="CALLS_TABLE", min_length=1)
    accounts_table: str = Field(alias="ACCOUNTS_TABLE", min_length=1)
    rate_limit_table: str = Field(alias="RATE_LIMIT_TABLE", min_length=1)
    account_dial_rate: int = Field(alias="DIAL_RATE_PER_SECOND", default=1, ge=1, le=100)


class SweeperSettings(TelephonySettings):
    """The sweeper: calls, tenants, the dial queue (to hand a call back) and the provider."""

    calls_table: str = Field(alias="CALLS_TABLE", min_length=1)
    accounts_table: str = Field(alias="ACCOUNTS_TABLE", min_length=1)
    dial_queue_url: str = Field(alias="DIAL_QUEUE_URL", min_length=1)
    public_base_url: str = Field(alias="PUBLIC_BASE_URL", min_length=1)


class DialerSettings(SweeperSettings):
    """The dialer: the sweeper's needs, the limiter's table, and how long a call that could not
    be placed waits before its next attempt (doubling with each attempt)."""

    rate_limit_table: str = Field(alias="RATE_LIMIT_TABLE", min_length=1)
    # Calls per second of the deployment's telephony account (DESIGN's default: 1).
    account_dial_rate: int = Field(alias="DIAL_RATE_PER_SECOND", default=1, ge=1, le=100)
    dial_retry_seconds: float = Field(alias="DIAL_RETRY_SECONDS", default=30.0, ge=0, le=900)


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

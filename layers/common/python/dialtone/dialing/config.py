"""Accepting outbound calls: the settings of the API's dialing routes and the dialer's rules."""

from __future__ import annotations

from pydantic import Field

from dialtone.settings import EnvSettings


class DialingSettings(EnvSettings):
    """Accepting outbound calls: the calls table, the dial queue, and tenants and agents."""

    calls_table: str = Field(alias="CALLS_TABLE", min_length=1)
    accounts_table: str = Field(alias="ACCOUNTS_TABLE", min_length=1)
    dial_queue_url: str = Field(alias="DIAL_QUEUE_URL", min_length=1)


class CreateCallSettings(DialingSettings):
    """`POST /v1/calls` and `POST /v1/calls/batch` also remember Idempotency-Keys."""

    idempotency_table: str = Field(alias="IDEMPOTENCY_TABLE", min_length=1)

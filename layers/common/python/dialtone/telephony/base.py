"""The telephony provider interface: who actually places a call.

`dialtone.telephony.twilio` places real calls through the Twilio SDK;
`dialtone.telephony.simulator` places none and drives the same status-callback path Twilio
would. The dialer talks only to `TelephonyProvider`. The backends import this module, and this
module imports none of them (`dialtone.telephony.providers` builds the configured one).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from dialtone.endings import reason_from_provider
from dialtone.model_types import FINAL_STATUSES, CallStatus

# Twilio's call statuses, and ours.
PROVIDER_STATUS = {
    "queued": CallStatus.INITIATED,
    "initiated": CallStatus.INITIATED,
    "ringing": CallStatus.RINGING,
    "in-progress": CallStatus.IN_PROGRESS,
    "completed": CallStatus.COMPLETED,
    "busy": CallStatus.BUSY,
    "no-answer": CallStatus.NO_ANSWER,
    "failed": CallStatus.FAILED,
    "canceled": CallStatus.CANCELED,
}


@dataclass(frozen=True)
class Connection:
    """How a placed call reaches the agent: a TwiML URL, a Media Streams wss:// URL or a SIP URI."""

    type: str
    url: str


@dataclass(frozen=True)
class DialOrder:
    """Everything a provider needs to place one call."""

    tenant_id: str
    call_id: str
    to_number: str
    from_number: str
    status_callback_url: str
    connection: Connection | None = None


@dataclass(frozen=True)
class ProviderCall:
    """What a provider knows of a call it placed."""

    sid: str
    status: CallStatus
    start_time: datetime | None = None
    end_time: datetime | None = None
    duration_seconds: float | None = None
    extra: dict[str, str] = field(default_factory=dict)


class ProviderError(Exception):
    """A provider refused or failed; `retryable` for throttling, 5xx and timeouts.

    `ambiguous` means the request may have reached the provider (a read timeout, a dropped
    connection): the call may exist, so it must be looked up, never simply placed again.
    """

    def __init__(
        self, message: str, retryable: bool, code: str | None = None, ambiguous: bool = False
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.code = code
        self.ambiguous = ambiguous


class TelephonyProvider(Protocol):
    """One telephony account."""

    @property
    def account_id(self) -> str:
        """The account whose calls-per-second limit applies."""
        ...

    def prepare(self, order: DialOrder) -> None:
        """Make `place_call(order)` quick to leave: open the connection to the provider and
        load what its request needs, before the caller waits for its turn. Never raises: a
        problem shows when the call is placed."""
        ...

    def place_call(self, order: DialOrder) -> ProviderCall:
        """Place the call; raises ProviderError."""
        ...

    def find_call(self, order: DialOrder, placed_after: datetime) -> ProviderCall | None:
        """The call placed for `order` since `placed_after`, if the provider has one (used to
        reconcile a claim whose SID was never saved, instead of dialing again)."""
        ...

    def get_call(self, sid: str) -> ProviderCall | None:
        """The provider's view of a call by SID, or None if it has none."""
        ...


def provider_fields(remote: ProviderCall) -> dict[str, Any]:
    """What the provider's view of a call says about it, as call fields (a final status
    with its end time, duration and end reason, as a status callback would set them)."""
    fields: dict[str, Any] = {}
    if remote.status in FINAL_STATUSES:
        fields["end_reason"] = reason_from_provider(remote.status)
        if remote.end_time is not None:
            fields["end_time"] = remote.end_time
        if remote.duration_seconds is not None:
            fields["duration_seconds"] = remote.duration_seconds
        if remote.status is CallStatus.FAILED:
            fields["error_reason"] = "provider_failed"
    return fields

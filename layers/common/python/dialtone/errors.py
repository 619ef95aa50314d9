"""Domain errors. The store and the services raise these; `dialtone.http` maps them to HTTP once."""

from __future__ import annotations


class DialtoneError(Exception):
    """Base class of every error the API reports to a client."""

    detail = "Request failed"

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail or self.detail)
        self.detail = detail or self.detail


class CallNotFound(DialtoneError):
    detail = "Call not found"


class CallExpired(CallNotFound):
    """The call is past its retention; DynamoDB's TTL has not removed its items yet. It is
    not found like any other, but its id may be used again once the leftovers are purged."""


class CallErasing(CallNotFound):
    """`DELETE /v1/calls/{id}` has begun erasing the call: nothing of it is readable or
    writable any more, and what is left goes next."""


class CallNotGraded(DialtoneError):
    """A call that has no grade yet (404): `POST /v1/calls/{call_id}/grade` starts one."""

    detail = "Call not graded"


class RecordingNotAvailable(DialtoneError):
    detail = "Recording not available"


class ServiceBusy(DialtoneError):
    """AWS still refused a request for throughput (DynamoDB throttling, S3's SlowDown) after the
    client's retries (503, with `Retry-After`): nothing the caller sent is wrong; retry shortly.
    Raised by no code: the API's handler of unexpected errors answers it for such a refusal."""

    detail = "The service is busy; retry shortly"


class ReadThrottled(DialtoneError):
    """DynamoDB kept some of a batch read unprocessed after every retry (503): retry later."""

    detail = "The calls could not all be read now; retry shortly"


class InvalidCursor(DialtoneError):
    detail = "Invalid cursor"


class ResponseTooLarge(DialtoneError):
    """An answer that cannot be paged is larger than one response can carry, even compressed."""

    detail = (
        "The answer is larger than one response can carry; send Accept-Encoding: gzip, "
        "or read it in pages"
    )


class MissingScope(DialtoneError):
    def __init__(self, scope: str) -> None:
        super().__init__(f"Missing scope {scope}")
        self.scope = scope


class Unauthenticated(DialtoneError):
    detail = "Not authenticated"


class InvalidParameter(DialtoneError):
    """A request value that passed type validation but breaks a rule (reported as 422)."""

    def __init__(self, location: tuple[str, ...], message: str, kind: str = "value_error") -> None:
        super().__init__(message)
        self.location = location
        self.kind = kind


class TenantNotFound(DialtoneError):
    detail = "Tenant not found"


class ApiKeyNotFound(DialtoneError):
    detail = "API key not found"


class BatchNotFound(DialtoneError):
    detail = "Batch not found"


class CallNotCancelable(DialtoneError):
    """The call left `queued` (or a dialer claimed it): reported as 409."""

    detail = "Call can no longer be canceled"


class GradeQueueUnavailable(DialtoneError):
    """The grade could not be handed to the grade queue; it was marked failed (503)."""

    detail = "The grade queue is unavailable; the call was not graded, try again"


class DialQueueUnavailable(DialtoneError):
    """The call could not be handed to the dial queue; it was marked failed (503)."""

    detail = "The dial queue is unavailable; the call was not placed, try again"


class BatchNotStored(DialtoneError):
    """The batch or its calls could not be stored; nothing of it was kept or queued (503)."""

    detail = "The batch could not be stored; no call was queued, try again"


class AgentNotFound(DialtoneError):
    detail = "Agent not found"


class AgentExists(DialtoneError):
    detail = "Agent already exists"


class SuppressionNotFound(DialtoneError):
    detail = "Suppression not found"


class IdempotencyKeyReused(DialtoneError):
    """The same Idempotency-Key came with a different body (422)."""

    detail = "Idempotency-Key was already used with a different request body"


class IdempotentRequestInProgress(DialtoneError):
    """The first request with this Idempotency-Key is still running (409)."""

    detail = "A request with this Idempotency-Key is still in progress; retry shortly"


class InvalidTwilioSignature(DialtoneError):
    """A status callback whose X-Twilio-Signature does not match its URL and body (403)."""

    detail = "Invalid Twilio signature"


class MalformedRequestBody(DialtoneError):
    """A body that cannot be decoded as the form it should be (400)."""

    detail = "Malformed form body"


class WriteContention(DialtoneError):
    """Other writers kept changing the call between our read and our write (409): retry."""

    detail = "The call is being changed by other requests; retry"


class ChildConflict(DialtoneError):
    """Exchanges or history events that already exist with different content (409)."""

    def __init__(self, kind: str, keys: list[str]) -> None:
        super().__init__(
            f"{kind} already stored with different content: {', '.join(keys)}; "
            "the others in the request were stored"
        )
        self.keys = keys


class FieldNotWritable(DialtoneError):
    """A change the API does not allow on an existing call (409)."""


class RecordingsNotKept(DialtoneError):
    """The call opted out of sensitive data storage, so it keeps no recording (409)."""

    detail = "Recordings are not kept for this call (opt_out_sensitive_data_storage)"


class ChangesExpired(DialtoneError):
    """A change feed cursor (or `since`) older than the feed keeps deletions (410): the changes
    after it may no longer all be there, so the sync starts over from the feed's beginning."""

    detail = (
        "The cursor (or since) is older than the change feed keeps deletions: start over "
        "without cursor or since, which replays every call from the beginning of the feed"
    )


class CallSidTaken(DialtoneError):
    """A provider call SID already belongs to another call (409): a SID names one call."""

    detail = "twilio_call_sid already belongs to another call"


class WebhookNotFound(DialtoneError):
    """A webhook subscription the tenant does not have (404), another tenant's included."""

    detail = "Webhook not found"


class InvalidWebhookUrl(InvalidParameter):
    """A webhook URL that may not receive deliveries (422 on `url`), with the reason: not
    https, credentials in it, or a host that is (or resolves to) a non-public address."""

    detail = "The webhook URL is not allowed"

    def __init__(self, reason: str) -> None:
        super().__init__(("body", "url"), reason, "webhook_url")
        self.reason = reason


class WebhookLimitReached(DialtoneError):
    """The tenant already has as many webhook subscriptions as one may (409)."""

    detail = "This tenant has the most webhooks it may have; delete one first"


class WebhookChanged(DialtoneError):
    """Another request changed the subscription's secrets between our read and our write
    (409): retry."""

    detail = "The webhook's secret is being rotated by another request; retry"


class DeliveryNotFound(DialtoneError):
    """A delivery the webhook's log does not have (404), another tenant's included."""

    detail = "Delivery not found"


class WebhookQueueUnavailable(DialtoneError):
    """The delivery could not be handed to the delivery queue (503): nothing was sent."""

    detail = "The webhook delivery queue is unavailable; nothing was sent, try again"

"""The real telephony provider: calls placed through Twilio's REST API with the `twilio` SDK.

This is the only module that imports the SDK's REST client, and only when a call is placed or
looked up (never at import): the dialer pays for it, API handlers never do. Its credentials are
loaded by `dialtone.telephony.credentials`.
"""

from __future__ import annotations

import contextlib
import math
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from dialtone.telephony.base import (
    PROVIDER_STATUS,
    Connection,
    DialOrder,
    ProviderCall,
    ProviderError,
)
from dialtone.telephony.credentials import load_twilio_credentials

if TYPE_CHECKING:
    from twilio.rest import Client

DEFAULT_TIMEOUT_SECONDS = 10.0
# How many of the newest calls between the order's two numbers `find_call` looks through.
FIND_CALL_LIMIT = 20
# The progress events the dialer asks Twilio for (`answered` arrives as CallStatus=in-progress).
STATUS_CALLBACK_EVENTS = ("initiated", "ringing", "answered", "completed")
# A connection to Twilio used less than this long ago is trusted to be open still (kept alive);
# an older one is opened again by `prepare`.
IDLE_CONNECTION_SECONDS = 15.0


def call_instructions(connection: Connection | None) -> dict[str, str]:
    """How Twilio connects the answered call to the agent: `url` (a TwiML URL), or inline
    `twiml` (`<Connect><Stream>` for a Media Streams wss:// URL, `<Dial><Sip>` for a SIP URI)."""
    if connection is None:
        raise ProviderError(
            "The call has no connection to an agent (a TwiML URL, Media Streams URL or SIP URI)",
            retryable=False,
            code="no_connection",
        )
    if connection.type == "twiml_url":
        return {"url": connection.url}
    from twilio.twiml.voice_response import VoiceResponse

    response = VoiceResponse()
    if connection.type == "media_stream":
        response.connect().stream(url=connection.url)
    elif connection.type == "sip":
        response.dial().sip(connection.url)
    else:
        raise ProviderError(
            f"Unknown connection type {connection.type!r}", retryable=False, code="bad_connection"
        )
    return {"twiml": str(response.to_xml(xml_declaration=False))}


def provider_error(error: Exception) -> ProviderError:
    """A Twilio SDK or transport error as a ProviderError: throttling (429), Twilio's own
    failures (5xx) and network trouble are retryable; any other refusal (4xx) is final and
    keeps Twilio's error code and message."""
    import requests
    from twilio.base.exceptions import TwilioException

    status = getattr(error, "status", None)
    if status is None and isinstance(error, TwilioException) and len(error.args) > 1:
        # A list page that is not 200 comes as TwilioException(message, response).
        status = getattr(error.args[1], "status_code", None)
    if isinstance(status, int):
        code = getattr(error, "code", None)
        message = getattr(error, "msg", None) or getattr(error, "detail", None) or str(error)
        text = f"Twilio answered {status}" + (f" (error {code})" if code else "") + f": {message}"
        retryable = status == 429 or status >= 500
        return ProviderError(text, retryable=retryable, code=str(code or f"http_{status}"))
    if isinstance(error, requests.ConnectTimeout):
        # No connection, so no request: Twilio cannot have placed the call.
        return ProviderError(f"Twilio unreachable: {error}", retryable=True, code="connection")
    if isinstance(error, requests.Timeout):
        # The request may have reached Twilio: look the call up before dialing again.
        return ProviderError(
            f"Twilio timed out: {error}", retryable=True, code="timeout", ambiguous=True
        )
    if isinstance(error, requests.ConnectionError):
        # A connection that dropped mid-request may still have placed the call.
        return ProviderError(
            f"Twilio unreachable: {error}", retryable=True, code="connection", ambiguous=True
        )
    return ProviderError(
        f"Twilio request failed: {error}", retryable=True, code="unknown", ambiguous=True
    )


def _provider_call(instance: Any) -> ProviderCall:
    duration = getattr(instance, "duration", None)
    return ProviderCall(
        sid=str(instance.sid),
        status=PROVIDER_STATUS.get(str(instance.status), PROVIDER_STATUS["queued"]),
        start_time=instance.start_time,
        end_time=instance.end_time,
        duration_seconds=float(duration) if duration not in (None, "") else None,
        extra={
            k: str(v)
            for k, v in {
                "account_sid": instance.account_sid,
                "provider_status": instance.status,
                "date_created": instance.date_created.isoformat()
                if instance.date_created
                else None,
                "price": instance.price,
                "price_unit": instance.price_unit,
            }.items()
            if v is not None
        },
    )


class TwilioProvider:
    """One Twilio account. `base_url` replaces https://api.twilio.com (a test double of the
    REST API); `timeout_seconds` bounds each request."""

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        *,
        base_url: str | None = None,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        self.account_sid = account_sid
        self._auth_token = auth_token
        self.base_url = base_url
        self.timeout_seconds = timeout_seconds
        self._client: Client | None = None
        self._last_request = -math.inf  # time.monotonic() of the last answered request

    @classmethod
    def from_secret(cls, secret_arn: str, **options: Any) -> TwilioProvider:
        """The provider of the account whose credentials `secret_arn` holds."""
        credentials = load_twilio_credentials(secret_arn)
        return cls(credentials.account_sid, credentials.auth_token, **options)

    @property
    def account_id(self) -> str:
        """`twilio-<account SID>`: the account whose calls-per-second limit applies."""
        return f"twilio-{self.account_sid}"

    @property
    def client(self) -> Client:
        """The SDK's client, created (and the SDK imported) on first use."""
        if self._client is None:
            from twilio.http.http_client import TwilioHttpClient
            from twilio.rest import Client

            client = Client(
                self.account_sid,
                self._auth_token,
                http_client=TwilioHttpClient(timeout=self.timeout_seconds),
            )
            if self.base_url:
                # The REST API's domain is the only one used; every resource URL is built on it.
                client.api.base_url = self.base_url.rstrip("/")
            self._client = client
        return self._client

    def prepare(self, order: DialOrder) -> None:
        """Make `place_call(order)` quick to leave: the SDK and what building the order's
        instructions imports loaded, and a connection to Twilio open (kept alive by the SDK's
        session), opened with a light request (the account's own resource) unless one was
        answered lately. Never raises: a problem shows when the call is placed."""
        with contextlib.suppress(ProviderError):
            call_instructions(order.connection)
        if time.monotonic() - self._last_request < IDLE_CONNECTION_SECONDS:
            return
        try:
            self.client.calls  # noqa: B018 (loads the call resource's module)
            self.client.api.v2010.accounts(self.account_sid).fetch()
        except Exception as error:  # the call's own request reports it
            from dialtone.observability import logger

            logger.info("Could not open a connection to Twilio", extra={"error": str(error)})
            return
        self._last_request = time.monotonic()

    def place_call(self, order: DialOrder) -> ProviderCall:
        """Create the call with status callbacks for every progress event; ProviderError."""
        instructions = call_instructions(order.connection)
        try:
            instance = self.client.calls.create(
                to=order.to_number,
                from_=order.from_number,
                status_callback=order.status_callback_url,
                status_callback_event=list(STATUS_CALLBACK_EVENTS),
                status_callback_method="POST",
                **instructions,
            )
        except Exception as error:
            raise provider_error(error) from error
        self._last_request = time.monotonic()
        return _provider_call(instance)

    def find_call(self, order: DialOrder, placed_after: datetime) -> ProviderCall | None:
        """The first call from the order's number to its number created since `placed_after`.

        Twilio's call resource does not show its status callback URL, so the match is on the
        numbers and the creation time (Twilio's `StartTime` filter would miss a call that is
        still queued at Twilio: its start time is empty until it is dialed).
        """
        if placed_after.tzinfo is None:
            placed_after = placed_after.replace(tzinfo=UTC)
        since = placed_after.replace(microsecond=0)  # Twilio's times are whole seconds
        try:
            instances = self.client.calls.list(
                to=order.to_number, from_=order.from_number, limit=FIND_CALL_LIMIT
            )
        except Exception as error:
            raise provider_error(error) from error
        matches = [i for i in instances if i.date_created is not None and i.date_created >= since]
        if not matches:
            return None
        return _provider_call(min(matches, key=lambda i: i.date_created))

    def get_call(self, sid: str) -> ProviderCall | None:
        """Twilio's view of a call; None when Twilio has no such call (404)."""
        try:
            instance = self.client.calls(sid).fetch()
        except Exception as error:
            if getattr(error, "status", None) == 404:
                return None
            raise provider_error(error) from error
        return _provider_call(instance)

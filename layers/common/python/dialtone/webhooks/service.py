"""The rules of the webhook subscription endpoints (`/v1/webhooks...`, scope
`webhooks:manage`): what a subscription request may hold, the URL guard on every URL given,
secrets shown once, and the test ping."""

from __future__ import annotations

import secrets as random_secrets
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from dialtone import settings
from dialtone.auth import Principal, Scope
from dialtone.errors import WebhookQueueUnavailable
from dialtone.model_types import TRIMMED, ApiModel, OptionalFlag, Timestamp
from dialtone.pagination import CursorCodec, KeyCursors, ListPage, codec_factory
from dialtone.webhooks.config import WebhookQueueSettings, WebhookSettings
from dialtone.webhooks.models import (
    DELIVERY_ID_PREFIX,
    SUBSCRIBABLE_EVENTS,
    DeliveryMessage,
    EventType,
    Subscription,
    WebhookEvent,
)
from dialtone.webhooks.queue import DeliveryQueue, DeliveryQueueError
from dialtone.webhooks.signing import new_secret
from dialtone.webhooks.subscriptions import SubscriptionStore
from dialtone.webhooks.urls import MAX_URL_LENGTH, check_url

MAX_DESCRIPTION_LENGTH = 500
_EVENT_NAMES = tuple(event.value for event in SUBSCRIBABLE_EVENTS)


def _subscribable(events: list[str]) -> list[str]:
    """The event types named, each one subscribable and named once."""
    unknown = [name for name in events if name not in _EVENT_NAMES]
    if unknown:
        raise PydanticCustomError(
            "webhook_event",
            "Unknown event type {unknown}: choose from {choices}",
            {"unknown": ", ".join(unknown), "choices": ", ".join(_EVENT_NAMES)},
        )
    repeated = sorted({name for name in events if events.count(name) > 1})
    if repeated:
        raise PydanticCustomError(
            "webhook_event",
            "Event types named twice: {repeated}",
            {"repeated": ", ".join(repeated)},
        )
    return events


EventNames = Annotated[
    list[str],
    Field(
        min_length=1,
        max_length=len(_EVENT_NAMES),
        description="The event types to send, each once.",
        json_schema_extra={"items": {"type": "string", "enum": list(_EVENT_NAMES)}},
    ),
    AfterValidator(_subscribable),
]
WebhookUrl = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_URL_LENGTH,
        description="An https:// URL whose host resolves to public addresses only.",
        json_schema_extra={"format": "uri"},
    ),
]
Description = Annotated[str, Field(max_length=MAX_DESCRIPTION_LENGTH), TRIMMED]


def _not_null(value: Any) -> Any:
    if value is None:
        raise PydanticCustomError("null_not_allowed", "may be left out, but not null")
    return value


class WebhookCreate(BaseModel):
    """`POST /v1/webhooks`."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    url: WebhookUrl
    events: EventNames
    description: Description | None = None


class WebhookUpdate(BaseModel):
    """`PATCH /v1/webhooks/{webhook_id}`: the fields given replace the stored ones; a null
    description removes it."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    url: WebhookUrl | None = None
    events: EventNames | None = None
    enabled: OptionalFlag = Field(
        default=None, description="true resumes deliveries (and forgets past failures)."
    )
    description: Description | None = None

    # Validators do not run on defaults, so this refuses only an explicit null.
    _present = field_validator("url", "events", "enabled", mode="before")(_not_null)


class WebhookCreated(Subscription):
    """A new subscription, with its signing secret: shown here only."""

    secret: str = Field(
        description="The signing secret (`whsec_...`) to verify deliveries with; it is not "
        "shown again (rotate it to get a new one)."
    )


class WebhookSecret(ApiModel):
    """A rotated secret: shown here only."""

    secret: str = Field(description="The new signing secret (`whsec_...`), shown only here.")
    previous_secret_expires_at: Timestamp = Field(
        description="Until then deliveries are signed with the previous secret too."
    )


class WebhookList(ApiModel):
    """A page of the tenant's webhook subscriptions, oldest first."""

    webhooks: list[Subscription]
    # Where the next page starts (`?cursor=`), or null on the last page.
    next_cursor: str | None = None


class PingQueued(ApiModel):
    """A `ping` queued for delivery to the subscription."""

    delivery_id: str = Field(description="The delivery's id, its `webhook-id` header.")


def new_delivery_id(now: datetime) -> str:
    """`msg_` and 28 hex digits: the time in milliseconds, then 64 random bits (ids sort by
    time)."""
    return f"{DELIVERY_ID_PREFIX}{int(now.timestamp() * 1000):012x}{random_secrets.token_hex(8)}"


class Webhooks:
    """The rules of the webhook endpoints: who may do what, over the store."""

    def __init__(
        self,
        store: SubscriptionStore,
        allow_local_urls: bool = False,
        codec: Callable[[], CursorCodec] | None = None,
        queue: Callable[[], DeliveryQueue] | None = None,
    ) -> None:
        self.store = store
        self.allow_local_urls = allow_local_urls
        self._codec = codec
        self._queue = queue

    def _check_url(self, url: str) -> None:
        check_url(url, self.allow_local_urls)

    def create(self, principal: Principal, request: WebhookCreate) -> WebhookCreated:
        """A new subscription and its secret; InvalidWebhookUrl (422) for a URL deliveries
        may not go to, WebhookLimitReached (409) past the tenant's cap."""
        principal.require(Scope.WEBHOOKS_MANAGE)
        self._check_url(request.url)
        secret = new_secret()
        created = self.store.create(
            principal.tenant_id,
            request.url,
            [EventType(name) for name in request.events],
            secret,
            request.description,
        )
        return WebhookCreated(**created.model_dump(), secret=secret)

    def list(self, principal: Principal, page: ListPage | None = None) -> WebhookList:
        """A page of the tenant's subscriptions, oldest first."""
        principal.require(Scope.WEBHOOKS_MANAGE)
        page = page or ListPage()
        cursors = KeyCursors(self._codec_of, principal.tenant_id, "webhooks")
        webhooks, last = self.store.list_subscriptions(
            principal.tenant_id, page.limit, cursors.after(page.cursor)
        )
        return WebhookList(webhooks=webhooks, next_cursor=cursors.next(last))

    def _codec_of(self) -> CursorCodec:
        if self._codec is None:  # pragma: no cover - wiring error
            raise RuntimeError("the list needs CURSOR_SECRET_ARN")
        return self._codec()

    def get(self, principal: Principal, webhook_id: str) -> Subscription:
        """One of the tenant's subscriptions (WebhookNotFound, 404, for any other)."""
        principal.require(Scope.WEBHOOKS_MANAGE)
        return self.store.get(principal.tenant_id, webhook_id)

    def update(self, principal: Principal, webhook_id: str, request: WebhookUpdate) -> Subscription:
        """Change the fields given; a new URL passes the guard first."""
        principal.require(Scope.WEBHOOKS_MANAGE)
        if request.url is not None:
            self._check_url(request.url)
        changes = request.model_dump(include=request.model_fields_set)
        return self.store.update(principal.tenant_id, webhook_id, changes)

    def delete(self, principal: Principal, webhook_id: str) -> None:
        """Remove one of the tenant's subscriptions."""
        principal.require(Scope.WEBHOOKS_MANAGE)
        self.store.delete(principal.tenant_id, webhook_id)

    def rotate_secret(self, principal: Principal, webhook_id: str) -> WebhookSecret:
        """A new current secret; the old one keeps signing for a day."""
        principal.require(Scope.WEBHOOKS_MANAGE)
        secret = new_secret()
        overlap_ends = self.store.rotate_secret(principal.tenant_id, webhook_id, secret)
        return WebhookSecret(secret=secret, previous_secret_expires_at=overlap_ends)

    def send_test(self, principal: Principal, webhook_id: str) -> PingQueued:
        """Queue a `ping` event (`{"webhook_id"}`) for this subscription alone;
        WebhookQueueUnavailable (503) when the queue refuses it."""
        principal.require(Scope.WEBHOOKS_MANAGE)
        subscription = self.store.get(principal.tenant_id, webhook_id)
        now = datetime.now(UTC)
        event = WebhookEvent(
            id=f"ping_{uuid.uuid4().hex}",
            tenant_id=principal.tenant_id,
            type=EventType.PING,
            timestamp=now,
            data={"webhook_id": subscription.id},
        )
        message = DeliveryMessage(
            tenant_id=principal.tenant_id,
            subscription_id=subscription.id,
            delivery_id=new_delivery_id(now),
            event=event,
        )
        if self._queue is None:  # pragma: no cover - wiring error
            raise RuntimeError("the test delivery needs WEBHOOK_DELIVERY_QUEUE_URL")
        try:
            self._queue().send([message])
        except (DeliveryQueueError, BotoCoreError, ClientError) as error:
            raise WebhookQueueUnavailable() from error
        return PingQueued(delivery_id=message.delivery_id)


def _delivery_queue() -> DeliveryQueue:
    return DeliveryQueue(settings.load(WebhookQueueSettings).delivery_queue_url)


@settings.per_environment
def service() -> Webhooks:
    """The webhook service of the subscription handlers (the webhooks table, and whether
    loopback URLs are allowed, from the environment; the delivery queue when one is used)."""
    config = settings.load(WebhookSettings)
    return Webhooks(
        SubscriptionStore(config.webhooks_table),
        allow_local_urls=config.allow_local_urls,
        codec=codec_factory(),
        queue=_delivery_queue,
    )

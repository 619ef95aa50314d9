"""Sending a delivery: one attempt per receipt of its queue message, and what comes next.

Each attempt checks the subscription's URL again (`urls.check_url`) and POSTs the event, signed
the Standard Webhooks way, to an address that check approved. Then:

- 2xx: delivered.
- 410 Gone: the receiver wants no more; the subscription is disabled, the delivery failed.
- 429 or 503: tried again when `Retry-After` says (seconds or an HTTP date, at most
  MAX_RETRY_AFTER_SECONDS), else as any other failure.
- anything else (another status, a redirect, a timeout, a refused connection or URL): tried
  again after an exponential back-off with full jitter: a random wait of up to
  base x 1, 2, 4 ... 256 (then 256 each time), with the production base of 60 s, and never
  less than a tenth of the base (a wait drawn near zero would spend one of the delivery's
  attempts at once, on a receiver that has just failed). MAX_ATTEMPTS
  attempts take about a day; after the last one the delivery is `failed` and its message goes
  to the dead-letter queue (the queue's `maxReceiveCount` is MAX_ATTEMPTS).

Nothing here sleeps: the wait is the queue message's visibility, which the sender function sets.
"""

from __future__ import annotations

import email.utils
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from pydantic import Field

from dialtone import settings
from dialtone.errors import InvalidWebhookUrl, WebhookNotFound
from dialtone.observability import logger
from dialtone.webhooks import signing, transport, urls
from dialtone.webhooks.config import WebhookQueueSettings
from dialtone.webhooks.deliveries import DeliveryAttempt, DeliveryLog, DeliveryStatus
from dialtone.webhooks.models import DeliveryMessage, Subscription
from dialtone.webhooks.queue import DeliveryQueue

if TYPE_CHECKING:
    from dialtone.webhooks.subscriptions import SubscriptionStore


class WebhookSenderSettings(WebhookQueueSettings):
    """The webhook sender: the base of its retry back-off (60 s in production; the local stack
    shortens it so that a retry comes within seconds)."""

    retry_base_seconds: float = Field(
        alias="WEBHOOK_RETRY_BASE_SECONDS", default=60.0, gt=0, le=3600
    )


MAX_ATTEMPTS = 20
BACKOFF_CAP_FACTOR = 256
# The shortest wait, as a share of the base: 6 s in production.
BACKOFF_FLOOR_FACTOR = 0.1
# SQS hides a received message for at most 12 hours; a receiver asking for longer is tried
# again sooner (and counts an attempt).
MAX_RETRY_AFTER_SECONDS = 6 * 3600
GONE_REASON = "The endpoint answered 410 Gone"


def backoff_ceiling(attempt: int, base_seconds: float) -> float:
    """The longest wait after the `attempt`-th failed attempt (1 for the first)."""
    return float(base_seconds * min(BACKOFF_CAP_FACTOR, 2 ** max(0, attempt - 1)))


def backoff_seconds(attempt: int, base_seconds: float, rng: random.Random) -> float:
    """The wait after the `attempt`-th failed attempt: full jitter, anywhere from the floor (a
    tenth of the base) to the ceiling, so receivers coming back from an outage are not all
    tried at once."""
    return rng.uniform(base_seconds * BACKOFF_FLOOR_FACTOR, backoff_ceiling(attempt, base_seconds))


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """The seconds a `Retry-After` header asks to wait (delta-seconds, or an HTTP date), bounded
    to 0..MAX_RETRY_AFTER_SECONDS; None when absent or unreadable."""
    text = (value or "").strip()
    if not text:
        return None
    if text.isdigit():
        seconds = float(text)
    else:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - now).total_seconds()
    return min(max(seconds, 0.0), float(MAX_RETRY_AFTER_SECONDS))


class Verdict(StrEnum):
    """What an answer means for the delivery."""

    DELIVERED = "delivered"
    GONE = "gone"  # 410: disable the subscription, stop
    THROTTLED = "throttled"  # 429 / 503: come back when Retry-After says
    FAILED = "failed"  # anything else: back off and try again


def classify(answer: transport.Answer) -> Verdict:
    """The verdict of one attempt's answer (a redirect is a failure: it is not followed)."""
    code = answer.status_code
    if code is None:
        return Verdict.FAILED
    if 200 <= code < 300:
        return Verdict.DELIVERED
    if code == 410:
        return Verdict.GONE
    if code in (429, 503):
        return Verdict.THROTTLED
    return Verdict.FAILED


def failure_reason(answer: transport.Answer) -> str | None:
    """Why an attempt failed, as the delivery log says it (None when it succeeded)."""
    code = answer.status_code
    if code is None:
        return answer.error or "No answer"
    if 200 <= code < 300:
        return None
    if 300 <= code < 400:
        where = f" to {answer.location}" if answer.location else ""
        return f"Redirect{where} not followed: answer 2xx at the subscribed URL"
    return f"The endpoint answered {code}"


class Step(StrEnum):
    """What happens to the queue message after an attempt."""

    DONE = "done"  # deleted: delivered, or nothing more to try
    RETRY = "retry"  # hidden for `delay_seconds`, then received (and tried) again
    DEAD = "dead"  # the last attempt failed: visible now, so the redrive moves it to the DLQ


@dataclass(frozen=True)
class Next:
    step: Step
    delay_seconds: float = 0.0


DONE = Next(Step.DONE)


@dataclass(frozen=True)
class RetrySchedule:
    """The back-off's base (WEBHOOK_RETRY_BASE_SECONDS) and its randomness."""

    base_seconds: float = 60.0
    rng: random.Random = field(default_factory=random.SystemRandom)

    def after(
        self, verdict: Verdict, answer: transport.Answer, attempt: int, now: datetime
    ) -> Next:
        """What follows the `attempt`-th attempt (counted by receipts of the message)."""
        if verdict is Verdict.DELIVERED or verdict is Verdict.GONE:
            return DONE
        if attempt >= MAX_ATTEMPTS:
            return Next(Step.DEAD)
        delay = None
        if verdict is Verdict.THROTTLED:
            delay = parse_retry_after(answer.retry_after, now)
        if delay is None:
            delay = backoff_seconds(attempt, self.base_seconds, self.rng)
        return Next(Step.RETRY, delay)


def _status_after(verdict: Verdict, following: Next) -> DeliveryStatus:
    if verdict is Verdict.DELIVERED:
        return DeliveryStatus.DELIVERED
    if following.step is Step.RETRY:
        return DeliveryStatus.PENDING
    return DeliveryStatus.FAILED


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Sender:
    """Tries deliveries, logs each attempt, and tells the subscription how it went."""

    def __init__(
        self,
        subscriptions: SubscriptionStore,
        log: DeliveryLog,
        schedule: RetrySchedule,
        allow_local_urls: bool = False,
        post: Callable[..., transport.Answer] = transport.post,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.subscriptions = subscriptions
        self.log = log
        self.schedule = schedule
        self.allow_local_urls = allow_local_urls
        self.post = post
        self.clock = clock

    def deliver(self, message: DeliveryMessage, attempt: int) -> Next:
        """Make the `attempt`-th attempt of a delivery (the receipt count of its message) and
        say what happens to the message next."""
        now = self.clock()
        try:
            subscription = self.subscriptions.get(message.tenant_id, message.subscription_id)
        except WebhookNotFound:
            logger.info("Webhook deleted: delivery dropped", extra=_ids(message))
            return DONE
        if self.log.open(message, now) is not DeliveryStatus.PENDING:
            logger.info("Delivery already settled: not sent again", extra=_ids(message))
            return DONE
        if not subscription.enabled:
            self._record(message, now, transport.Answer(None, 0, "Not sent: webhook disabled"))
            return DONE
        answer = self._send(subscription, message, now)
        verdict = classify(answer)
        following = self.schedule.after(verdict, answer, attempt, now)
        self._record(message, now, answer, _status_after(verdict, following), following)
        self._report(message, verdict, now)
        return following

    def _send(
        self, subscription: Subscription, message: DeliveryMessage, now: datetime
    ) -> transport.Answer:
        try:
            addresses = urls.check_url(subscription.url, self.allow_local_urls)
        except InvalidWebhookUrl as refused:
            return transport.Answer(None, 0, f"URL refused: {refused.detail}")
        secrets = self.subscriptions.signing_secrets(
            message.tenant_id, message.subscription_id, now
        )
        body = json.dumps(message.event.payload(), separators=(",", ":")).encode("utf-8")
        headers = signing.sign(secrets, message.delivery_id, now, body)
        return self.post(subscription.url, addresses, body, headers)

    def _record(
        self,
        message: DeliveryMessage,
        now: datetime,
        answer: transport.Answer,
        status: DeliveryStatus = DeliveryStatus.FAILED,
        following: Next = DONE,
    ) -> None:
        retry_at = None
        if following.step is Step.RETRY:
            retry_at = now + timedelta(seconds=following.delay_seconds)
        attempt = DeliveryAttempt(
            number=0,
            at=now,
            status_code=answer.status_code,
            latency_ms=answer.latency_ms if answer.status_code is not None else None,
            error=failure_reason(answer),
            next_retry_at=retry_at,
        )
        number = self.log.record_attempt(message, attempt, status)
        logger.info(
            "Delivery attempt",
            extra={
                **_ids(message),
                "attempt": number,
                "status_code": answer.status_code,
                "latency_ms": answer.latency_ms,
                "delivery_status": status.value,
            },
        )

    def _report(self, message: DeliveryMessage, verdict: Verdict, now: datetime) -> None:
        tenant_id, subscription_id = message.tenant_id, message.subscription_id
        ok = verdict is Verdict.DELIVERED
        if self.subscriptions.record_result(tenant_id, subscription_id, ok, now):
            logger.warning("Webhook disabled: 3 days of failures", extra=_ids(message))
        if verdict is Verdict.GONE:
            self.subscriptions.disable(tenant_id, subscription_id, GONE_REASON)
            logger.warning("Webhook disabled: 410 Gone", extra=_ids(message))


def _ids(message: DeliveryMessage) -> dict[str, str]:
    return {
        "tenant_id": message.tenant_id,
        "webhook_id": message.subscription_id,
        "delivery_id": message.delivery_id,
        "event_type": message.event.type.value,
    }


class DeliveryNotYetDone(Exception):
    """Raised for a queue message to report it as a batch item failure: the delivery waits
    (its message hidden until the next attempt is due) or, after its last attempt, goes to
    the dead-letter queue."""


class SenderWork:
    """The sender function's work: a delivery per message, and the message's fate."""

    def __init__(self, sender: Sender, queue: DeliveryQueue) -> None:
        self.sender = sender
        self.queue = queue

    def handle(self, message: DeliveryMessage, receipts: int, receipt_handle: str) -> str:
        """Make the attempt of a message received `receipts` times; its step when the message
        is done with, DeliveryNotYetDone (after hiding it for the wait) when it is not."""
        following = self.sender.deliver(message, receipts)
        if following.step is Step.DONE:
            return following.step.value
        self.queue.postpone(receipt_handle, following.delay_seconds)
        raise DeliveryNotYetDone(
            f"delivery {message.delivery_id}: {following.step.value} "
            f"(next attempt in {following.delay_seconds:.1f} s)"
        )


@settings.per_environment
def sender_work() -> SenderWork:
    """The sender function's work, configured from its environment."""
    from dialtone.webhooks.subscriptions import SubscriptionStore

    config = settings.load(WebhookSenderSettings)
    sender = Sender(
        SubscriptionStore(config.webhooks_table),
        DeliveryLog(config.webhooks_table),
        RetrySchedule(base_seconds=config.retry_base_seconds),
        allow_local_urls=config.allow_local_urls,
    )
    return SenderWork(sender, DeliveryQueue(config.delivery_queue_url))

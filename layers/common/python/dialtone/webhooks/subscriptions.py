"""A tenant's webhook subscriptions and their signing secrets, in the webhooks table.

A subscription is the item (`T#<tenant>`, `W#<subscription id>`) with `id`, `tenant_id`, `url`,
`events`, `description`, `enabled`, `disabled_reason`, `created_at`, `updated_at`,
`failing_since` (absent while the latest delivery succeeded) and `secrets`: a list of
`{"secret", "expires_at"}`, the current one first with no expiry, then those a rotation
replaced, each signing until its `expires_at`.

The secrets are stored as they are (the table is encrypted at rest, SSE): signing a delivery
needs them, unlike API keys, of which only a hash is kept.

The tenant's count of subscriptions lives beside them at (`T#<tenant>`, `N#webhooks`), written
in the same transaction as each creation and deletion, so the cap holds under concurrent
requests.
"""

from __future__ import annotations

import secrets as random_secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError
from pydantic import BaseModel, ConfigDict

from dialtone.dynamo import TableStore, condition_failed, from_item, string_key, to_item
from dialtone.errors import WebhookChanged, WebhookLimitReached, WebhookNotFound
from dialtone.model_types import format_timestamp
from dialtone.webhooks.models import (
    SUBSCRIPTION_ID_PREFIX,
    EventType,
    Subscription,
    subscription_pk,
    subscription_sk,
)

MAX_SUBSCRIPTIONS = 20
"""How many webhook subscriptions one tenant may have."""

SECRET_OVERLAP = timedelta(hours=24)
"""How long a secret replaced by a rotation keeps signing beside the new one."""

MAX_SECRETS = 5
"""Signing secrets kept at once: the current one and the latest replaced ones (rotating more
often than this within a day ends the oldest overlap early)."""

DISABLE_AFTER = timedelta(days=3)
"""A subscription whose every delivery failed for this long is disabled."""

COUNT_SK = "N#webhooks"
"""The sort key of the tenant's count of subscriptions, beside them."""

FAILING_REASON = "Every delivery failed for 3 days (since {since})"


class SigningSecret(BaseModel):
    """One of a subscription's signing secrets; `expires_at` is None for the current one."""

    model_config = ConfigDict(defer_build=True)

    secret: str
    expires_at: datetime | None = None

    def valid_at(self, now: datetime) -> bool:
        """Whether it still signs at `now`."""
        return self.expires_at is None or self.expires_at > now


class _Secrets(BaseModel):
    model_config = ConfigDict(defer_build=True)

    secrets: list[SigningSecret] = []


def new_subscription_id(now: datetime) -> str:
    """`wh_` and 24 hex digits: the creation time in milliseconds, then 48 random bits, so the
    list (by id) shows subscriptions oldest first."""
    return (
        f"{SUBSCRIPTION_ID_PREFIX}{int(now.timestamp() * 1000):012x}{random_secrets.token_hex(6)}"
    )


def _key(tenant_id: str, subscription_id: str) -> dict[str, dict[str, str]]:
    return string_key(pk=subscription_pk(tenant_id), sk=subscription_sk(subscription_id))


def _count_key(tenant_id: str) -> dict[str, dict[str, str]]:
    return string_key(pk=subscription_pk(tenant_id), sk=COUNT_SK)


def _subscription(item: dict[str, Any]) -> Subscription:
    return Subscription.model_validate(from_item(item))


def _secrets(item: dict[str, Any]) -> list[SigningSecret]:
    return _Secrets.model_validate(from_item({"secrets": item.get("secrets", {"L": []})})).secrets


def _attribute(value: Any) -> dict[str, Any]:
    item: dict[str, Any] = to_item({"v": value})["v"]
    return item


def _cancelled_by_condition(error: ClientError, index: int) -> bool:
    """Whether a transaction was cancelled because its `index`th write's condition failed."""
    reasons = error.response.get("CancellationReasons") or []
    return len(reasons) > index and reasons[index].get("Code") == "ConditionalCheckFailed"


def _now() -> datetime:
    return datetime.now(UTC)


class SubscriptionStore(TableStore):
    """Reads and writes a tenant's webhook subscriptions; WebhookNotFound for one the tenant
    does not have."""

    def _item(self, tenant_id: str, subscription_id: str) -> dict[str, Any]:
        response = self.dynamodb.get_item(
            TableName=self.table_name, Key=_key(tenant_id, subscription_id), ConsistentRead=True
        )
        if "Item" not in response:
            raise WebhookNotFound()
        item: dict[str, Any] = response["Item"]
        return item

    def get(self, tenant_id: str, subscription_id: str) -> Subscription:
        """One subscription (a strongly consistent read)."""
        return _subscription(self._item(tenant_id, subscription_id))

    def list_subscriptions(
        self, tenant_id: str, limit: int, after: str | None = None
    ) -> tuple[list[Subscription], str | None]:
        """A page of the tenant's subscriptions, oldest first, after the sort key `after`; and
        the sort key the next page starts after (None on the last page)."""
        items, last = self.query_prefix_page(
            subscription_pk(tenant_id), subscription_sk(""), limit, after
        )
        return [_subscription(item) for item in items], last

    def _all(self, tenant_id: str) -> Iterator[dict[str, Any]]:
        after: str | None = None
        while True:
            items, after = self.query_prefix_page(
                subscription_pk(tenant_id), subscription_sk(""), 100, after
            )
            yield from items
            if after is None:
                return

    def for_event(self, tenant_id: str, event_type: EventType | str) -> list[Subscription]:
        """The tenant's enabled subscriptions that chose `event_type`."""
        chosen = (_subscription(item) for item in self._all(tenant_id))
        return [s for s in chosen if s.enabled and event_type in s.events]

    def create(
        self,
        tenant_id: str,
        url: str,
        events: list[EventType],
        secret: str,
        description: str | None = None,
        limit: int = MAX_SUBSCRIPTIONS,
        subscription_id: str | None = None,
    ) -> Subscription:
        """Store a new, enabled subscription signing with `secret` (under `subscription_id`
        when given, else a new id); WebhookLimitReached when the tenant already has `limit`
        of them."""
        now = _now()
        subscription = Subscription(
            id=subscription_id or new_subscription_id(now),
            url=url,
            events=events,
            description=description,
            enabled=True,
            created_at=now,
            updated_at=now,
        )
        values = subscription.model_dump(mode="json")
        values.update(tenant_id=tenant_id, secrets=[{"secret": secret}])
        put = {
            "TableName": self.table_name,
            "Item": {**_key(tenant_id, subscription.id), **to_item(values)},
            "ConditionExpression": "attribute_not_exists(pk)",
        }
        self._transact(put=put, count_key=_count_key(tenant_id), change=1, limit=limit)
        return subscription

    def delete(self, tenant_id: str, subscription_id: str) -> None:
        """Remove a subscription (its delivery log expires on its own)."""
        delete = {
            "TableName": self.table_name,
            "Key": _key(tenant_id, subscription_id),
            "ConditionExpression": "attribute_exists(pk)",
        }
        self._transact(delete=delete, count_key=_count_key(tenant_id), change=-1)

    def _transact(
        self, count_key: dict[str, Any], change: int, limit: int | None = None, **write: Any
    ) -> None:
        """One write of a subscription with the change to the tenant's count, together; a
        creation beyond `limit` is refused (WebhookLimitReached)."""
        counted: dict[str, Any] = {
            "TableName": self.table_name,
            "Key": count_key,
            "UpdateExpression": "ADD #n :change",
            "ExpressionAttributeNames": {"#n": "subscriptions"},
            "ExpressionAttributeValues": {":change": {"N": str(change)}},
        }
        if limit is not None:
            counted["ConditionExpression"] = "attribute_not_exists(#n) OR #n < :limit"
            counted["ExpressionAttributeValues"][":limit"] = {"N": str(limit)}
        ((operation, request),) = write.items()
        try:
            self.dynamodb.transact_write_items(
                TransactItems=[{operation.capitalize(): request}, {"Update": counted}]
            )
        except ClientError as error:
            if operation == "delete" and _cancelled_by_condition(error, 0):
                raise WebhookNotFound() from None
            if _cancelled_by_condition(error, 1):
                raise WebhookLimitReached() from None
            raise

    def update(self, tenant_id: str, subscription_id: str, changes: dict[str, Any]) -> Subscription:
        """Replace the fields given (`url`, `events`, `description`, `enabled`); a None
        `description` removes it. Enabling clears `disabled_reason` and `failing_since` (the
        failure count starts over); disabling by hand clears `disabled_reason` (the reason
        tells why Dialtone disabled it). The subscription as it now is."""
        if not changes:
            return self.get(tenant_id, subscription_id)
        values = {k: v for k, v in changes.items() if v is not None}
        values["updated_at"] = format_timestamp(_now())
        removed = [k for k, v in changes.items() if v is None]
        if "enabled" in changes:
            removed.append("disabled_reason")
        if changes.get("enabled") is True:
            removed.append("failing_since")
        expression = "SET " + ", ".join(f"#{name} = :{name}" for name in values)
        if removed:
            expression += " REMOVE " + ", ".join(f"#{name}" for name in removed)
        return _subscription(
            self._update(
                tenant_id,
                subscription_id,
                expression,
                names={f"#{name}": name for name in (*values, *removed)},
                values={f":{name}": _attribute(value) for name, value in values.items()},
            )
        )

    def _update(
        self,
        tenant_id: str,
        subscription_id: str,
        expression: str,
        names: dict[str, str],
        values: dict[str, Any] | None = None,
        condition: str = "attribute_exists(pk)",
    ) -> dict[str, Any]:
        """An UpdateItem of an existing subscription (never creating one); the item after it.
        WebhookNotFound when it is gone, ConditionalCheckFailed (a ClientError) when another
        part of `condition` failed."""
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "Key": _key(tenant_id, subscription_id),
            "UpdateExpression": expression,
            "ConditionExpression": condition,
            "ReturnValues": "ALL_NEW",
        }
        if names:
            request["ExpressionAttributeNames"] = names
        if values:
            request["ExpressionAttributeValues"] = values
        try:
            response = self.dynamodb.update_item(**request)
        except ClientError as error:
            if condition_failed(error) and condition == "attribute_exists(pk)":
                raise WebhookNotFound() from None
            raise
        item: dict[str, Any] = response["Attributes"]
        return item

    def rotate_secret(self, tenant_id: str, subscription_id: str, secret: str) -> datetime:
        """Make `secret` the current signing secret; the one it replaces keeps signing for
        SECRET_OVERLAP. When that overlap ends. WebhookChanged when another rotation won."""
        now = _now()
        current = [s for s in _secrets(self._item(tenant_id, subscription_id)) if s.valid_at(now)]
        overlap_ends = now + SECRET_OVERLAP
        kept = [
            SigningSecret(
                secret=s.secret, expires_at=min(s.expires_at or overlap_ends, overlap_ends)
            )
            for s in current
        ]
        rotated = [SigningSecret(secret=secret), *kept][:MAX_SECRETS]
        values = {
            ":secrets": _attribute([s.model_dump(mode="json") for s in rotated]),
            ":updated_at": {"S": format_timestamp(now)},
        }
        condition = "attribute_exists(pk)"
        if current:
            # Written only over the secrets read: a rotation in between would be lost.
            condition += " AND #secrets[0].#secret = :current"
            values[":current"] = {"S": current[0].secret}
        try:
            self._update(
                tenant_id,
                subscription_id,
                "SET #secrets = :secrets, #updated_at = :updated_at",
                names={"#secrets": "secrets", "#updated_at": "updated_at"}
                | ({"#secret": "secret"} if current else {}),
                values=values,
                condition=condition,
            )
        except ClientError as error:
            if not condition_failed(error):
                raise
            self._item(tenant_id, subscription_id)  # WebhookNotFound if it is gone
            raise WebhookChanged() from None
        return overlap_ends

    def signing_secrets(self, tenant_id: str, subscription_id: str, now: datetime) -> list[str]:
        """The secrets a delivery is signed with at `now`: the unexpired ones, current first."""
        item = self._item(tenant_id, subscription_id)
        return [s.secret for s in _secrets(item) if s.valid_at(now)]

    def disable(
        self,
        tenant_id: str,
        subscription_id: str,
        reason: str,
        unless_changed_since: str | None = None,
    ) -> None:
        """Stop deliveries to a subscription, saying why (shown as `disabled_reason`). With
        `unless_changed_since`, only an enabled one still failing since then (else a
        ConditionalCheckFailed ClientError)."""
        names = {"#enabled": "enabled", "#reason": "disabled_reason", "#updated_at": "updated_at"}
        values = {
            ":false": {"BOOL": False},
            ":reason": {"S": reason},
            ":now": {"S": format_timestamp(_now())},
        }
        condition = "attribute_exists(pk)"
        if unless_changed_since is not None:
            names["#since"] = "failing_since"
            values |= {":true": {"BOOL": True}, ":since": {"S": unless_changed_since}}
            condition = "#enabled = :true AND #since = :since"
        self._update(
            tenant_id,
            subscription_id,
            "SET #enabled = :false, #reason = :reason, #updated_at = :now",
            names=names,
            values=values,
            condition=condition,
        )

    def record_result(self, tenant_id: str, subscription_id: str, ok: bool, at: datetime) -> bool:
        """Note how a delivery attempt at `at` ended: a success clears `failing_since`, a
        failure sets it unless set. True when this call disabled the subscription, because
        every delivery failed for DISABLE_AFTER."""
        if ok:
            self._clear_failing(tenant_id, subscription_id)
            return False
        item = self._update(
            tenant_id,
            subscription_id,
            "SET #since = if_not_exists(#since, :at)",
            names={"#since": "failing_since"},
            values={":at": {"S": format_timestamp(at)}},
        )
        subscription = _subscription(item)
        since = subscription.failing_since
        if since is None or not subscription.enabled or at - since < DISABLE_AFTER:
            return False
        return self._disable_failing(tenant_id, subscription_id, format_timestamp(since))

    def _clear_failing(self, tenant_id: str, subscription_id: str) -> None:
        # Written only when set: most successes follow successes and need no write.
        try:
            self._update(
                tenant_id,
                subscription_id,
                "REMOVE #since",
                names={"#since": "failing_since"},
                condition="attribute_exists(#since)",
            )
        except ClientError as error:
            if not condition_failed(error):
                raise

    def _disable_failing(self, tenant_id: str, subscription_id: str, since: str) -> bool:
        """Disable a subscription failing since `since`, unless something changed it first
        (re-enabled, a success, another attempt that disabled it): whether this call did."""
        try:
            self.disable(
                tenant_id,
                subscription_id,
                FAILING_REASON.format(since=since),
                unless_changed_since=since,
            )
        except ClientError as error:
            if not condition_failed(error):
                raise
            return False
        return True

"""The webhook subscription endpoints, /v1/webhooks..., through their seven handlers against the
webhooks table and the delivery queue of the embedded endpoint. Host names are resolved by a
fake resolver (the embedded endpoint's own 127.0.0.1 still by the real one)."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook

from dialtone.auth import Scope
from dialtone.errors import WebhookQueueUnavailable
from dialtone.webhooks import service as webhooks_service
from dialtone.webhooks.models import DeliveryMessage, EventType
from dialtone.webhooks.queue import DeliveryQueue, DeliveryQueueError
from dialtone.webhooks.signing import sign
from dialtone.webhooks.subscriptions import MAX_SUBSCRIPTIONS, SubscriptionStore
from local.endpoint import EmbeddedAws
from local.invoke import api_event, invoke, sample_event
from tests.integration.conftest import SAMPLE_TENANT_ID
from tests.tenants import TenantFixture

URL = "https://hooks.example.com/dialtone"
SAMPLE_WEBHOOK_ID: str = sample_event("get_webhook")["pathParameters"]["webhook_id"]
UNKNOWN_ID = "wh_00000000000000000000dead"
NAMES = {
    "hooks.example.com": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
    "other.example.com": ["151.101.1.69"],
    "internal.example.com": ["151.101.1.69", "10.20.30.40"],
    "rebind.example.com": ["169.254.169.254"],
}


@pytest.fixture(autouse=True)
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Names of these tests resolve to fixed addresses; any other name (the endpoint's own,
    127.0.0.1) as it really does."""
    real = socket.getaddrinfo

    def resolve(host: Any, port: Any, *args: Any, **kwargs: Any) -> list[tuple[Any, ...]]:
        if host in NAMES:
            return [
                (
                    socket.AF_INET6 if ":" in a else socket.AF_INET,
                    socket.SOCK_STREAM,
                    6,
                    "",
                    (a, port),
                )
                for a in NAMES[host]
            ]
        if isinstance(host, str) and host.endswith(".invalid"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)


@pytest.fixture
def store(handler_environment: dict[str, str]) -> SubscriptionStore:
    return SubscriptionStore(handler_environment["WEBHOOKS_TABLE"])


def _erase(store: SubscriptionStore, tenant_id: str) -> None:
    for page in store.dynamodb.get_paginator("query").paginate(
        TableName=store.table_name,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"T#{tenant_id}"}},
        ConsistentRead=True,
    ):
        for item in page["Items"]:
            key = {"pk": item["pk"], "sk": item["sk"]}
            store.dynamodb.delete_item(TableName=store.table_name, Key=key)


@pytest.fixture
def tenants(make_tenant: Any, store: SubscriptionStore) -> Iterator[Callable[[], TenantFixture]]:
    """Tenants whose webhooks (and the sample tenant's) are erased when the test ends."""
    made: list[TenantFixture] = []

    def factory() -> TenantFixture:
        made.append(make_tenant())
        return made[-1]

    yield factory
    for tenant in [*made, SAMPLE_TENANT_ID]:
        _erase(store, tenant if isinstance(tenant, str) else tenant.tenant_id)


@pytest.fixture
def owner(tenants: Callable[[], TenantFixture]) -> TenantFixture:
    return tenants()


@pytest.fixture
def queue(embedded_aws: EmbeddedAws, handler_environment: dict[str, str]) -> Iterator[Any]:
    """The delivery queue, emptied before and after the test (PurgeQueue may run only once a
    minute)."""
    sqs = embedded_aws.session().client("sqs")
    url = handler_environment["WEBHOOK_DELIVERY_QUEUE_URL"]
    drain(sqs, url)
    yield sqs
    drain(sqs, url)


def drain(sqs: Any, queue_url: str) -> None:
    while True:
        batch = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages")
        if not batch:
            return
        sqs.delete_message_batch(
            QueueUrl=queue_url,
            Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)
            ],
        )


def manager(tenant: TenantFixture) -> dict[str, str]:
    return tenant.authorizer(Scope.WEBHOOKS_MANAGE)


ROUTES = {
    "create_webhook": ("POST /v1/webhooks", ""),
    "list_webhooks": ("GET /v1/webhooks", ""),
    "get_webhook": ("GET /v1/webhooks/{webhook_id}", ""),
    "update_webhook": ("PATCH /v1/webhooks/{webhook_id}", ""),
    "delete_webhook": ("DELETE /v1/webhooks/{webhook_id}", ""),
    "rotate_webhook_secret": ("POST /v1/webhooks/{webhook_id}/rotate-secret", "/rotate-secret"),
    "test_webhook": ("POST /v1/webhooks/{webhook_id}/test", "/test"),
}


def call(
    function: str,
    authorizer: dict[str, str],
    webhook_id: str | None = None,
    body: Any = None,
    query: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The Lambda result of one request to a webhook handler."""
    route, suffix = ROUTES[function]
    path = "/v1/webhooks" + (f"/{webhook_id}{suffix}" if webhook_id is not None else "")
    event = api_event(
        function,
        route,
        path,
        query=query,
        path_parameters={"webhook_id": webhook_id} if webhook_id is not None else None,
        authorizer=authorizer,
        body=None if body is None else json.dumps(body),
    )
    return invoke(function, event)


def body(result: dict[str, Any]) -> Any:
    return json.loads(result["body"]) if result.get("body") else None


def create(authorizer: dict[str, str], **fields: Any) -> dict[str, Any]:
    request = {"url": URL, "events": ["call.completed"], **fields}
    return call("create_webhook", authorizer, body=request)


def created_id(authorizer: dict[str, str], **fields: Any) -> str:
    result = create(authorizer, **fields)
    assert result["statusCode"] == 201, result["body"]
    webhook_id: str = body(result)["id"]
    return webhook_id


def queued(sqs: Any, queue_url: str) -> list[DeliveryMessage]:
    """Every message on the delivery queue now (read until it is empty)."""
    messages: list[DeliveryMessage] = []
    while True:
        response = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=60, WaitTimeSeconds=0
        )
        batch = response.get("Messages", [])
        if not batch:
            return messages
        messages.extend(DeliveryMessage.model_validate_json(m["Body"]) for m in batch)


def test_a_webhook_is_created_with_its_secret_shown_once(
    owner: TenantFixture, store: SubscriptionStore
) -> None:
    # When a webhook is created
    result = create(manager(owner), events=["call.completed", "call.failed"], description="CRM")

    # Then the answer holds the subscription and its secret
    assert result["statusCode"] == 201
    created = body(result)
    assert created["id"].startswith("wh_")
    assert created["url"] == URL
    assert created["events"] == ["call.completed", "call.failed"]
    assert created["description"] == "CRM"
    assert created["enabled"] is True
    assert created["disabled_reason"] is None
    assert created["secret"].startswith("whsec_")

    # And the secret is the one deliveries are signed with
    now = datetime.now(UTC)
    signing = store.signing_secrets(owner.tenant_id, created["id"], now)
    assert signing == [created["secret"]]
    headers = sign(signing, "msg_1", now, "{}")
    Webhook(created["secret"]).verify("{}", headers)

    # And reading it back never shows the secret again
    got = body(call("get_webhook", manager(owner), created["id"]))
    assert "secret" not in got
    assert got == {k: v for k, v in created.items() if k != "secret"}
    listed = body(call("list_webhooks", manager(owner)))
    assert listed == {"webhooks": [got], "next_cursor": None}
    assert created["secret"] not in json.dumps(listed)


def test_the_list_is_paged_by_cursor_oldest_first(owner: TenantFixture) -> None:
    ids = [created_id(manager(owner), url=f"{URL}/{n}") for n in range(5)]

    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        query = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = body(call("list_webhooks", manager(owner), query=query))
        seen.extend(w["id"] for w in page["webhooks"])
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert seen == ids
    assert pages == 3


def test_a_cursor_is_bound_to_its_tenant(tenants: Callable[[], TenantFixture]) -> None:
    owner, other = tenants(), tenants()
    for _ in range(3):
        created_id(manager(owner))
    cursor = body(call("list_webhooks", manager(owner), query={"limit": "1"}))["next_cursor"]

    replayed = call("list_webhooks", manager(other), query={"limit": "1", "cursor": cursor})

    assert replayed["statusCode"] == 400
    assert body(replayed) == {"detail": "Invalid cursor"}
    bad_limit = call("list_webhooks", manager(owner), query={"limit": "101"})
    assert bad_limit["statusCode"] == 422


def test_another_tenants_webhook_is_not_found(tenants: Callable[[], TenantFixture]) -> None:
    owner, other = tenants(), tenants()
    webhook_id = created_id(manager(owner))

    answers = {
        "get_webhook": call("get_webhook", manager(other), webhook_id),
        "update_webhook": call("update_webhook", manager(other), webhook_id, {"enabled": False}),
        "delete_webhook": call("delete_webhook", manager(other), webhook_id),
        "rotate_webhook_secret": call("rotate_webhook_secret", manager(other), webhook_id),
        "test_webhook": call("test_webhook", manager(other), webhook_id),
    }

    for function, answer in answers.items():
        assert answer["statusCode"] == 404, function
        assert body(answer) == {"detail": "Webhook not found"}, function
    assert body(call("list_webhooks", manager(other))) == {"webhooks": [], "next_cursor": None}
    # And the owner's webhook is untouched
    assert body(call("get_webhook", manager(owner), webhook_id))["enabled"] is True


@pytest.mark.parametrize("function", sorted(ROUTES))
def test_a_key_without_webhooks_manage_is_refused(owner: TenantFixture, function: str) -> None:
    webhook_id = created_id(manager(owner))
    others = owner.authorizer(Scope.CALLS_READ, Scope.CALLS_WRITE, Scope.CALLS_INGEST)
    with_id = None if function in ("create_webhook", "list_webhooks") else webhook_id
    requests = {
        "create_webhook": {"url": URL, "events": ["call.completed"]},
        "update_webhook": {"enabled": False},
    }

    answer = call(function, others, with_id, requests.get(function))

    assert answer["statusCode"] == 403
    assert body(answer) == {"detail": "Missing scope webhooks:manage"}
    assert body(call("get_webhook", manager(owner), webhook_id))["enabled"] is True
    assert len(body(call("list_webhooks", manager(owner)))["webhooks"]) == 1


BAD_URLS = [
    ("http://hooks.example.com/dialtone", "The URL must start with https://"),
    ("ftp://hooks.example.com/", "The URL must start with https://"),
    ("https://user:secret@hooks.example.com/", "The URL must not contain credentials"),
    ("https://127.0.0.1/hook", "The host 127.0.0.1 is a loopback address"),
    ("https://[::1]/hook", "The host ::1 is a loopback address"),
    ("https://10.0.0.8/hook", "The host 10.0.0.8 is a private address"),
    ("https://192.168.0.2/hook", "The host 192.168.0.2 is a private address"),
    ("https://169.254.169.254/latest", "The host 169.254.169.254 is the cloud metadata address"),
    ("https://[fd00:ec2::254]/", "The host fd00:ec2::254 is the cloud metadata address"),
    ("https://169.254.1.1/", "The host 169.254.1.1 is a link-local address"),
    ("https://[fe80::1]/", "The host fe80::1 is a link-local address"),
    ("https://100.64.0.9/", "The host 100.64.0.9 is a shared (carrier-grade NAT) address"),
    ("https://0.0.0.0/", "The host 0.0.0.0 is the unspecified address"),
    ("https://239.1.1.1/", "The host 239.1.1.1 is a multicast address"),
    ("https://[::ffff:127.0.0.1]/", "is a loopback address (IPv4-mapped form of 127.0.0.1)"),
    ("https://[2002:c0a8:1::]/", "is a private address (6to4 form of 192.168.0.1)"),
    ("https://[64:ff9b::a00:1]/", "is a private address (NAT64 form of 10.0.0.1)"),
    ("https://2130706433/", "is an IPv4 address in a non-standard form"),
    ("https://0177.0.0.1/", "is an IPv4 address in a non-standard form"),
    (
        "https://internal.example.com/",
        "The host internal.example.com resolves to 10.20.30.40, which is a private address",
    ),
    (
        "https://rebind.example.com/",
        "resolves to 169.254.169.254, which is the cloud metadata address",
    ),
    ("https://nowhere.invalid/", "The host nowhere.invalid does not resolve"),
]


@pytest.mark.parametrize(("url", "reason"), BAD_URLS)
def test_a_url_deliveries_may_not_go_to_is_refused_with_its_reason(
    owner: TenantFixture, url: str, reason: str
) -> None:
    webhook_id = created_id(manager(owner))

    created = create(manager(owner), url=url)
    changed = call("update_webhook", manager(owner), webhook_id, {"url": url})

    for answer in (created, changed):
        assert answer["statusCode"] == 422
        (issue,) = body(answer)["detail"]
        assert issue["loc"] == ["body", "url"]
        assert issue["type"] == "webhook_url"
        assert reason in issue["msg"]
    # Nothing was stored or changed
    listed = body(call("list_webhooks", manager(owner)))["webhooks"]
    assert [(w["id"], w["url"]) for w in listed] == [(webhook_id, URL)]


@pytest.mark.parametrize(
    ("events", "message"),
    [
        ([], "List should have at least 1 item"),
        (["call.exploded"], "Unknown event type call.exploded: choose from call.started, "),
        (["call.started", "Call.Completed"], "Unknown event type Call.Completed"),
        (["ping"], "Unknown event type ping"),
        (["call.started", "call.started"], "Event types named twice: call.started"),
        ("call.started", "Input should be a valid list"),
    ],
)
def test_events_must_be_known_subscribable_and_each_named_once(
    owner: TenantFixture, events: Any, message: str
) -> None:
    webhook_id = created_id(manager(owner))

    for answer in (
        create(manager(owner), events=events),
        call("update_webhook", manager(owner), webhook_id, {"events": events}),
    ):
        assert answer["statusCode"] == 422
        (issue,) = body(answer)["detail"]
        assert issue["loc"] == ["body", "events"]
        assert message in issue["msg"]


@pytest.mark.parametrize(
    "request_body",
    [
        {"events": ["call.completed"]},
        {"url": URL},
        {"url": URL, "events": ["call.completed"], "secret": "whsec_mine"},
        {"url": URL, "events": ["call.completed"], "description": "x" * 501},
        {"url": "", "events": ["call.completed"]},
    ],
)
def test_a_malformed_creation_is_refused(owner: TenantFixture, request_body: Any) -> None:
    answer = call("create_webhook", manager(owner), body=request_body)

    assert answer["statusCode"] == 422
    assert body(call("list_webhooks", manager(owner)))["webhooks"] == []


@pytest.mark.parametrize("function", sorted(set(ROUTES) - {"create_webhook", "list_webhooks"}))
def test_a_malformed_id_is_a_422_and_an_unknown_one_a_404(
    owner: TenantFixture, function: str
) -> None:
    request = {"enabled": True} if function == "update_webhook" else None

    malformed = call(function, manager(owner), "not-a-webhook", request)
    unknown = call(function, manager(owner), UNKNOWN_ID, request)

    assert malformed["statusCode"] == 422
    assert body(malformed)["detail"][0]["loc"] == ["path", "webhook_id"]
    assert unknown["statusCode"] == 404
    assert body(unknown) == {"detail": "Webhook not found"}


def test_a_tenant_may_have_twenty_webhooks(owner: TenantFixture) -> None:
    ids = [created_id(manager(owner)) for _ in range(MAX_SUBSCRIPTIONS)]

    refused = create(manager(owner))
    assert refused["statusCode"] == 409
    assert body(refused) == {
        "detail": "This tenant has the most webhooks it may have; delete one first"
    }

    assert call("delete_webhook", manager(owner), ids[0])["statusCode"] == 204
    assert create(manager(owner))["statusCode"] == 201


def test_update_changes_the_fields_given(owner: TenantFixture) -> None:
    webhook_id = created_id(manager(owner), description="first")
    before = body(call("get_webhook", manager(owner), webhook_id))

    changed = call(
        "update_webhook",
        manager(owner),
        webhook_id,
        {"url": "https://other.example.com/in", "events": ["call.started", "batch.completed"]},
    )

    assert changed["statusCode"] == 200
    after = body(changed)
    assert after["url"] == "https://other.example.com/in"
    assert after["events"] == ["call.started", "batch.completed"]
    assert after["description"] == "first"
    assert after["created_at"] == before["created_at"]
    assert after["updated_at"] >= before["updated_at"]
    assert body(call("get_webhook", manager(owner), webhook_id)) == after
    # A null description removes it; a null url or events is refused
    cleared = call("update_webhook", manager(owner), webhook_id, {"description": None})
    assert body(cleared)["description"] is None
    for field in ("url", "events", "enabled"):
        refused = call("update_webhook", manager(owner), webhook_id, {field: None})
        assert refused["statusCode"] == 422, field
    unknown_field = call("update_webhook", manager(owner), webhook_id, {"secret": "x"})
    assert unknown_field["statusCode"] == 422


def test_enabling_again_clears_the_reason_and_the_failures(
    owner: TenantFixture, store: SubscriptionStore
) -> None:
    # Given a webhook Dialtone disabled after failing deliveries
    webhook_id = created_id(manager(owner))
    store.record_result(owner.tenant_id, webhook_id, False, datetime.now(UTC))
    store.disable(owner.tenant_id, webhook_id, "The endpoint answered 410 Gone")
    disabled = body(call("get_webhook", manager(owner), webhook_id))
    assert disabled["enabled"] is False
    assert disabled["disabled_reason"] == "The endpoint answered 410 Gone"
    assert disabled["failing_since"] is not None

    # When it is enabled again
    enabled = body(call("update_webhook", manager(owner), webhook_id, {"enabled": True}))

    # Then it receives events again, with a clean slate
    assert enabled["enabled"] is True
    assert enabled["disabled_reason"] is None
    assert enabled["failing_since"] is None
    assert [s.id for s in store.for_event(owner.tenant_id, EventType.CALL_COMPLETED)] == [
        webhook_id
    ]
    # And disabling it by hand stops that, with no reason of Dialtone's
    paused = body(call("update_webhook", manager(owner), webhook_id, {"enabled": False}))
    assert paused["enabled"] is False
    assert paused["disabled_reason"] is None
    assert store.for_event(owner.tenant_id, EventType.CALL_COMPLETED) == []


def test_a_deleted_webhook_is_gone(owner: TenantFixture, store: SubscriptionStore) -> None:
    webhook_id = created_id(manager(owner))

    deleted = call("delete_webhook", manager(owner), webhook_id)

    assert deleted["statusCode"] == 204
    assert deleted["body"] == ""
    assert call("get_webhook", manager(owner), webhook_id)["statusCode"] == 404
    assert call("delete_webhook", manager(owner), webhook_id)["statusCode"] == 404
    assert store.for_event(owner.tenant_id, EventType.CALL_COMPLETED) == []


def test_rotation_shows_the_new_secret_once_and_both_sign_for_a_day(
    owner: TenantFixture, store: SubscriptionStore
) -> None:
    # Given a webhook and its first secret
    first = body(create(manager(owner)))
    webhook_id = first["id"]

    # When its secret is rotated
    answer = call("rotate_webhook_secret", manager(owner), webhook_id)

    # Then the new secret is shown, with when the old one stops signing
    assert answer["statusCode"] == 200
    rotated = body(answer)
    assert rotated["secret"].startswith("whsec_")
    assert rotated["secret"] != first["secret"]
    ends = datetime.fromisoformat(rotated["previous_secret_expires_at"])
    assert timedelta(hours=23, minutes=59) < ends - datetime.now(UTC) <= timedelta(hours=24)
    # And both sign until then, the new one first; after, only the new one
    now = datetime.now(UTC)
    assert store.signing_secrets(owner.tenant_id, webhook_id, now) == [
        rotated["secret"],
        first["secret"],
    ]
    after = ends + timedelta(seconds=1)
    assert store.signing_secrets(owner.tenant_id, webhook_id, after) == [rotated["secret"]]
    # And neither is readable from the API
    got = call("get_webhook", manager(owner), webhook_id)["body"]
    assert first["secret"] not in got
    assert rotated["secret"] not in got


def test_the_test_endpoint_queues_exactly_one_ping_for_that_webhook(
    owner: TenantFixture, queue: Any, handler_environment: dict[str, str]
) -> None:
    # Given two webhooks of the tenant
    webhook_id = created_id(manager(owner))
    created_id(manager(owner), url="https://other.example.com/in")

    # When the first one is tested
    answer = call("test_webhook", manager(owner), webhook_id)

    # Then a ping for it alone is on the delivery queue, under the delivery id answered
    assert answer["statusCode"] == 202
    delivery_id = body(answer)["delivery_id"]
    assert delivery_id.startswith("msg_")
    (message,) = queued(queue, handler_environment["WEBHOOK_DELIVERY_QUEUE_URL"])
    assert message.delivery_id == delivery_id
    assert message.tenant_id == owner.tenant_id
    assert message.subscription_id == webhook_id
    assert message.attempt == 1
    assert message.event.type is EventType.PING
    assert message.event.tenant_id == owner.tenant_id
    assert message.event.payload()["data"] == {"webhook_id": webhook_id}
    assert set(message.event.payload()) == {"type", "timestamp", "data"}


def test_a_test_ping_the_queue_refuses_is_a_503(
    owner: TenantFixture, queue: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    webhook_id = created_id(manager(owner))

    def refuse(self: DeliveryQueue, messages: Any, delay_seconds: int = 0) -> None:
        raise DeliveryQueueError("SQS refused 1 deliveries")

    monkeypatch.setattr(DeliveryQueue, "send", refuse)
    answer = call("test_webhook", manager(owner), webhook_id)

    assert answer["statusCode"] == 503
    assert body(answer) == {"detail": WebhookQueueUnavailable.detail}


def test_local_mode_accepts_a_loopback_receiver(
    owner: TenantFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without the local setting (as deployed), a loopback URL is refused
    assert create(manager(owner), url="http://127.0.0.1:8123/hook")["statusCode"] == 422

    # With it (the local stack), it is accepted
    monkeypatch.setenv("WEBHOOK_ALLOW_LOCAL_URLS", "true")
    from dialtone import settings

    settings.reset()
    try:
        answer = create(manager(owner), url="http://127.0.0.1:8123/hook")
        refused = create(manager(owner), url="http://10.0.0.1/hook")
    finally:
        monkeypatch.delenv("WEBHOOK_ALLOW_LOCAL_URLS")
        settings.reset()
    assert answer["statusCode"] == 201
    assert body(answer)["url"] == "http://127.0.0.1:8123/hook"
    assert refused["statusCode"] == 422
    assert webhooks_service.service().allow_local_urls is False


def test_the_sample_events_create_read_change_list_test_rotate_and_delete(
    tenants: Any, store: SubscriptionStore, queue: Any
) -> None:
    # Given the sample webhook (its id is the one the samples name)
    request = json.loads(sample_event("create_webhook")["body"])
    store.create(
        SAMPLE_TENANT_ID,
        request["url"],
        request["events"],
        "whsec_c2FtcGxlIHNlY3JldCBvZiAyNCBieXRlcyE=",
        subscription_id=SAMPLE_WEBHOOK_ID,
    )

    # When each sample event is handled as it is
    created = invoke("create_webhook", sample_event("create_webhook"))
    got = invoke("get_webhook", sample_event("get_webhook"))
    changed = invoke("update_webhook", sample_event("update_webhook"))
    listed = invoke("list_webhooks", sample_event("list_webhooks"))
    tested = invoke("test_webhook", sample_event("test_webhook"))
    rotated = invoke("rotate_webhook_secret", sample_event("rotate_webhook_secret"))
    deleted = invoke("delete_webhook", sample_event("delete_webhook"))

    # Then each does what its route says
    assert created["statusCode"] == 201
    assert body(created)["description"] == "CRM sync"
    assert body(got)["id"] == SAMPLE_WEBHOOK_ID
    assert body(changed)["events"] == ["call.completed"]
    assert [w["id"] for w in body(listed)["webhooks"]] == sorted(
        [SAMPLE_WEBHOOK_ID, body(created)["id"]]
    )
    assert tested["statusCode"] == 202
    assert body(rotated)["secret"].startswith("whsec_")
    assert deleted["statusCode"] == 204
    assert invoke("get_webhook", sample_event("get_webhook"))["statusCode"] == 404


def test_an_empty_update_changes_nothing(owner: TenantFixture) -> None:
    webhook_id = created_id(manager(owner))
    before = body(call("get_webhook", manager(owner), webhook_id))

    answer = call("update_webhook", manager(owner), webhook_id, {})

    assert answer["statusCode"] == 200
    assert body(answer) == before

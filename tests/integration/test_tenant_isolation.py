"""Tenant isolation (broken object-level authorization), generated from template.yaml's routes.

Tenant A stores one of each kind of resource, through the API where one creates it. Tenant B,
whose key holds every scope, calls each route whose path takes an id with A's ids, the body and
query of the route's sample event, and is answered 404: never a 2xx, never A's data (but PUT,
which stores a call of B's own under the id B chose). Afterwards A's resource reads back as it
was (through A's own GET), every item A has in the tables is as it was, and nothing about A was
queued. ROUTES says, for each such route, which of A's resources it is called with; a route of
the template that takes an id and that ROUTES does not cover fails the module, so coverage is
counted from the template. A key of B's lacking the route's scope is answered 403.

Then what is not in a path: A's cursors replayed by B (400, on every route that pages by
cursor), the change feed, the list, search and export of calls, suppressions; and the presigned
links A gets to its recording, which are checked as S3 checks a signature (the embedded endpoint
checks none): none of them can be turned into a link to another object."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
import re
import socket
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import pytest

from dialtone import settings
from dialtone.accounts import AccountStore, TenantSettingsUpdate
from dialtone.analytics.stream import apply_change
from dialtone.auth import Scope
from dialtone.model_types import CallStatus
from dialtone.models import Call
from dialtone.recordings import recording_key
from dialtone.retention import call_prefix
from dialtone.store import CallStore, batch_pk, call_pk, stored_call
from dialtone.webhooks.models import (
    deliveries_pk,
    subscription_pk,
)
from local.endpoint import LOCAL_ENVIRONMENT, EmbeddedAws, environment
from local.invoke import api_event, invoke, sample_event
from local.provision import Stack, load_template, provision, resources_of
from local.seed import make_call
from tests.deliveries import log_delivery
from tests.streams import CallsStream
from tests.tenants import TenantFixture, erase_account_items
from tools import openapi

PARAMETER = re.compile(r"\{(\w+)\}")
FROM_NUMBER = "+14155550100"
HOOKS_HOST = "hooks.example.com"  # the host of the webhook samples
IDEMPOTENCY_KEY = f"order-{uuid.uuid4().hex}"  # A's, on its queued call and its batch
SUPPRESSED = ("+14155550150", "+14155550151")
# The queues the routes write to: this module's own copies, so what is queued can be read.
QUEUES = {
    "DIAL_QUEUE_URL": "DialQueue",
    "GRADE_QUEUE_URL": "GradeQueue",
    "WEBHOOK_DELIVERY_QUEUE_URL": "WebhookDeliveryQueue",
}


def template_routes() -> dict[str, str]:
    """routeKey ("GET /v1/calls/{call_id}") → the directory of the function that serves it,
    for every HttpApi route of template.yaml."""
    routes: dict[str, str] = {}
    for properties in resources_of(load_template(), "AWS::Serverless::Function").values():
        for event in (properties.get("Events") or {}).values():
            if event["Type"] == "HttpApi":
                route = event["Properties"]
                routes[f"{route['Method'].upper()} {route['Path']}"] = Path(
                    properties["CodeUri"]
                ).name
    return routes


TEMPLATE_ROUTES = template_routes()
ID_ROUTES = sorted(route for route in TEMPLATE_ROUTES if PARAMETER.search(route))


@dataclass
class Owned:
    """Tenant A and one of each kind of its resources."""

    tenant: TenantFixture
    call_id: str  # ingested (PUT), with exchanges, events, a grade and issue reports
    recorded_call_id: str  # completed, with a recording in the bucket
    queued_call_id: str  # an outbound call still queued (POST /v1/calls)
    batch_id: str
    agent_id: str
    webhook_id: str
    delivery_id: str  # in the webhook's delivery log
    call_ids: list[str] = field(default_factory=list)  # every call A has (batch calls too)

    @property
    def tenant_id(self) -> str:
        return self.tenant.tenant_id


@dataclass(frozen=True)
class Case:
    """How a route is called with A's resource, and how A reads that resource back."""

    resource: str
    ids: Callable[[Owned], dict[str, str]]
    readback: str
    # PUT takes the id its caller chooses: B's PUT stores B's own call under that id, as it
    # does for any id B never used (201), and A's call of that id stays A's alone.
    creates_own: bool = False


def _call(a: Owned) -> dict[str, str]:
    return {"call_id": a.call_id}


def _recorded(a: Owned) -> dict[str, str]:
    return {"call_id": a.recorded_call_id}


def _queued(a: Owned) -> dict[str, str]:
    return {"call_id": a.queued_call_id}


def _batch(a: Owned) -> dict[str, str]:
    return {"batch_id": a.batch_id}


def _agent(a: Owned) -> dict[str, str]:
    return {"agent_id": a.agent_id}


def _webhook(a: Owned) -> dict[str, str]:
    return {"webhook_id": a.webhook_id}


def _delivery(a: Owned) -> dict[str, str]:
    return {"webhook_id": a.webhook_id, "delivery_id": a.delivery_id}


GET_CALL = "GET /v1/calls/{call_id}"
TRANSCRIPT = "GET /v1/calls/{call_id}/transcript"
HISTORY = "GET /v1/calls/{call_id}/history"
GRADE = "GET /v1/calls/{call_id}/grade"
CALL_REPORTS = "GET /v1/calls/{call_id}/issue-reports"
BATCH = "GET /v1/calls/batch/{batch_id}"
AGENT = "GET /v1/agents/{agent_id}"
WEBHOOK = "GET /v1/webhooks/{webhook_id}"
DELIVERIES = "GET /v1/webhooks/{webhook_id}/deliveries"

# Every route of the template whose path takes an id → which of A's resources B calls it with.
ROUTES: dict[str, Case] = {
    GET_CALL: Case("an ingested call", _call, GET_CALL),
    "PUT /v1/calls/{call_id}": Case("an ingested call", _call, GET_CALL, creates_own=True),
    "DELETE /v1/calls/{call_id}": Case("an ingested call", _call, GET_CALL),
    TRANSCRIPT: Case("a call's transcript", _call, TRANSCRIPT),
    "POST /v1/calls/{call_id}/exchanges": Case("a call's transcript", _call, TRANSCRIPT),
    HISTORY: Case("a call's events", _call, HISTORY),
    "POST /v1/calls/{call_id}/events": Case("a call's events", _call, HISTORY),
    "GET /v1/calls/{call_id}/recording": Case("a recorded call", _recorded, GET_CALL),
    "POST /v1/calls/{call_id}/recording/upload": Case("a recorded call", _recorded, GET_CALL),
    "POST /v1/calls/{call_id}/cancel": Case("a queued outbound call", _queued, GET_CALL),
    GRADE: Case("a grade", _call, GRADE),
    "POST /v1/calls/{call_id}/grade": Case("a grade", _call, GRADE),
    CALL_REPORTS: Case("an issue report", _call, CALL_REPORTS),
    "POST /v1/calls/{call_id}/issue-reports": Case("an issue report", _call, CALL_REPORTS),
    BATCH: Case("a batch", _batch, BATCH),
    AGENT: Case("an agent", _agent, AGENT),
    "PATCH /v1/agents/{agent_id}": Case("an agent", _agent, AGENT),
    "DELETE /v1/agents/{agent_id}": Case("an agent", _agent, AGENT),
    WEBHOOK: Case("a webhook subscription", _webhook, WEBHOOK),
    "PATCH /v1/webhooks/{webhook_id}": Case("a webhook subscription", _webhook, WEBHOOK),
    "DELETE /v1/webhooks/{webhook_id}": Case("a webhook subscription", _webhook, WEBHOOK),
    "POST /v1/webhooks/{webhook_id}/rotate-secret": Case(
        "a webhook subscription", _webhook, WEBHOOK
    ),
    "POST /v1/webhooks/{webhook_id}/test": Case("a webhook subscription", _webhook, DELIVERIES),
    DELIVERIES: Case("a webhook delivery", _webhook, DELIVERIES),
    "POST /v1/webhooks/{webhook_id}/deliveries/{delivery_id}/retry": Case(
        "a webhook delivery", _delivery, DELIVERIES
    ),
}


def request(
    route: str,
    authorizer: dict[str, str],
    ids: dict[str, str] | None = None,
    *,
    query: dict[str, str] | None = None,
    payload: Any = None,
    sample: bool = True,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The Lambda result of `route` for this caller, through the function the template routes
    it to; with the body and query of the route's sample event unless given (`sample=False`:
    none), and the path's parameters taken from `ids`."""
    function = TEMPLATE_ROUTES[route]
    event = sample_event(function)
    ids = ids or {}
    _, template = route.split(" ", 1)
    text = payload if payload is None or isinstance(payload, str) else json.dumps(payload)
    if sample:
        text = text if payload is not None else event.get("body") or None
        query = query if query is not None else event.get("queryStringParameters")
    return invoke(
        function,
        api_event(
            function,
            route,
            template.format(**ids),
            query=query,
            path_parameters={name: ids[name] for name in PARAMETER.findall(template)} or None,
            authorizer=authorizer,
            headers=headers,
            body=text,
        ),
    )


def answer(result: dict[str, Any]) -> tuple[int, Any]:
    """The status and the JSON body (None when empty) of a Lambda result."""
    return result["statusCode"], json.loads(result.get("body") or "null")


def ok(result: dict[str, Any]) -> Any:
    status, body = answer(result)
    assert 200 <= status < 300, (status, body)
    return body


@dataclass
class World:
    """What the module set up: A's resources, B, and how to read what A has stored."""

    a: Owned
    b: TenantFixture
    b_call_id: str
    b_webhook_id: str
    queues: dict[str, str]  # logical id → URL of this module's copy
    sqs: Any
    dynamodb: Any
    tables: dict[str, str]
    accounts: AccountStore
    tenants: list[str]  # every tenant the module created: erased at its end
    readbacks: dict[tuple[str, str], tuple[int, Any]] = field(default_factory=dict)
    items: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def readback(self, route: str, ids: dict[str, str]) -> tuple[int, Any]:
        """A's own answer of a GET of its resource, without what changes with the clock alone:
        a presigned link's signature and date, a queued call's estimated dial time."""
        status, body = answer(request(route, self.a.tenant.authorizer(), ids))
        if isinstance(body, dict):
            body.pop("dial_at_estimate", None)
            if body.get("recording_url"):
                body["recording_url"] = body["recording_url"].split("?", 1)[0]
        return status, body

    def new_tenant(self) -> TenantFixture:
        """Another tenant, erased with the module's."""
        tenant = _tenant(self.accounts, self.a.tenant.store, f"Tenant {len(self.tenants) + 1}")
        self.tenants.append(tenant.tenant_id)
        return tenant

    def partitions(self) -> list[tuple[str, str]]:
        """Every partition that holds something of A: (table, pk)."""
        a = self.a
        calls, accounts, hooks = (
            self.tables["CALLS_TABLE"],
            self.tables["ACCOUNTS_TABLE"],
            self.tables["WEBHOOKS_TABLE"],
        )
        return [
            *((calls, call_pk(a.tenant_id, call_id)) for call_id in a.call_ids),
            (calls, batch_pk(a.tenant_id, a.batch_id)),
            (accounts, f"TENANT#{a.tenant_id}"),
            (hooks, subscription_pk(a.tenant_id)),
            (hooks, deliveries_pk(a.tenant_id, a.webhook_id)),
        ]

    def stored(self) -> dict[str, list[dict[str, Any]]]:
        """Every item A has in those partitions, as the tables hold them."""
        found: dict[str, list[dict[str, Any]]] = {}
        for table, pk in self.partitions():
            found[f"{table} {pk}"] = self.dynamodb.query(
                TableName=table,
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": {"S": pk}},
                ConsistentRead=True,
            )["Items"]
        return found

    def queued(self) -> list[str]:
        """The bodies of the messages queued since the last look (each taken off its queue)."""
        bodies: list[str] = []
        for url in self.queues.values():
            while messages := self.sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0
            ).get("Messages", []):
                for message in messages:
                    bodies.append(message["Body"])
                    self.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        return bodies


def _tenant(accounts: AccountStore, calls: CallStore, name: str) -> TenantFixture:
    created = accounts.create_tenant(name=name)
    accounts.update_settings(
        created.tenant_id,
        TenantSettingsUpdate(
            default_from_number=FROM_NUMBER,
            dial_rate_per_second=50,
            telephony_account_id=f"acct-{created.tenant_id}",
        ),
    )
    return TenantFixture(tenant_id=created.tenant_id, store=calls, rng=random.Random())


def _ingested_call(tenant: TenantFixture) -> str:
    """A call the runtime stored (PUT), then its exchanges and events (the samples')."""
    call_id = str(uuid.uuid4())
    owner = tenant.authorizer()
    ok(request("PUT /v1/calls/{call_id}", owner, {"call_id": call_id}))
    ok(request("POST /v1/calls/{call_id}/exchanges", owner, {"call_id": call_id}))
    ok(request("POST /v1/calls/{call_id}/events", owner, {"call_id": call_id}))
    return call_id


def _owned(a: TenantFixture, env: dict[str, str], s3: Any, wav: bytes) -> Owned:
    """One of each kind of A's resources, created as the API creates them where it does."""
    owner = a.authorizer()
    call_id = _ingested_call(a)
    ok(request("POST /v1/calls/{call_id}/grade", owner, {"call_id": call_id}))
    for title in ("Caller heard silence", "Agent talked over the caller"):
        report = {"title": title, "severity": "critical"}
        ok(
            request(
                "POST /v1/calls/{call_id}/issue-reports",
                owner,
                {"call_id": call_id},
                payload=report,
            )
        )
    # A recording is put on a call by the indexer once uploaded: stored here as it leaves it.
    recorded = make_call(a.rng, status=CallStatus.COMPLETED, start_time=datetime.now(UTC))
    key = recording_key(a.tenant_id, recorded.id, "wav")
    s3.put_object(Bucket=env["RECORDINGS_BUCKET"], Key=key, Body=wav, ContentType="audio/wav")
    a.store.put_call(a.tenant_id, recorded, key)
    keyed = {"Idempotency-Key": IDEMPOTENCY_KEY}
    queued = ok(request("POST /v1/calls", owner, headers=keyed))["call_id"]
    batch = ok(request("POST /v1/calls/batch", owner, headers=keyed))["batch_id"]
    agent = ok(request("POST /v1/agents", owner))["agent_id"]
    second_agent = {**json.loads(sample_event("create_agent")["body"]), "agent_id": "sales-bot"}
    second_agent["phone_numbers"] = ["+14155550109"]
    ok(request("POST /v1/agents", owner, payload=second_agent))
    for number in SUPPRESSED:
        ok(request("POST /v1/suppressions", owner, payload={"phone_number": number}))
    webhook = ok(request("POST /v1/webhooks", owner))["id"]
    ok(request("POST /v1/webhooks", owner))
    start = datetime.now(UTC) - timedelta(hours=2)
    deliveries = [
        log_delivery(
            env["WEBHOOKS_TABLE"], a.tenant_id, webhook, start + timedelta(minutes=n)
        ).delivery_id
        for n in range(2)
    ]
    return Owned(
        tenant=a,
        call_id=call_id,
        recorded_call_id=recorded.id,
        queued_call_id=queued,
        batch_id=batch,
        agent_id=agent,
        webhook_id=webhook,
        delivery_id=deliveries[0],
    )


def tenant_calls(calls: CallStore, tenant_id: str) -> list[Call]:
    """Every call the tenant has (the ByTenantTime index)."""
    found: list[Call] = []
    for page in calls.dynamodb.get_paginator("query").paginate(
        TableName=calls.table_name,
        IndexName="ByTenantTime",
        KeyConditionExpression="tenant_id = :t",
        ExpressionAttributeValues={":t": {"S": tenant_id}},
    ):
        found += [stored_call(item).call for item in page["Items"]]
    return found


def _feed(dynamodb: Any, table: str, streams: list[CallsStream]) -> None:
    """What the stream consumer does with the tenants' records, stamped an hour ago so that
    every change is past the change feed's read lag."""
    clock = datetime.now(UTC) - timedelta(hours=1)
    for stream in streams:
        for record in stream.take():
            clock += timedelta(milliseconds=1)
            apply_change(dynamodb, table, record, clock)


def _delete_partition(dynamodb: Any, table: str, pk: str) -> list[dict[str, Any]]:
    """Delete every item of a partition; the items deleted."""
    items: list[dict[str, Any]] = dynamodb.query(
        TableName=table,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": pk}},
    )["Items"]
    for item in items:
        dynamodb.delete_item(TableName=table, Key={"pk": item["pk"], "sk": item["sk"]})
    return items


def _erase(tenant_ids: list[str], env: dict[str, str], session: Any) -> None:
    """Everything the tenants stored, in every table and the bucket."""
    calls, accounts = CallStore(env["CALLS_TABLE"]), AccountStore(env["ACCOUNTS_TABLE"])
    dynamodb, s3 = calls.dynamodb, session.client("s3")
    for tenant_id in tenant_ids:
        batches = {call.batch_id for call in tenant_calls(calls, tenant_id) if call.batch_id}
        for call in tenant_calls(calls, tenant_id):
            calls.delete_call_items(tenant_id, call.id)
        for batch_id in batches:
            _delete_partition(dynamodb, env["CALLS_TABLE"], batch_pk(tenant_id, batch_id))
        hooks = _delete_partition(dynamodb, env["WEBHOOKS_TABLE"], subscription_pk(tenant_id))
        for hook in hooks:
            pk = deliveries_pk(tenant_id, hook["sk"]["S"].rsplit("#", 1)[-1])
            _delete_partition(dynamodb, env["WEBHOOKS_TABLE"], pk)
        erase_account_items(accounts, tenant_id)
        for page in dynamodb.get_paginator("query").paginate(
            TableName=env["ANALYTICS_TABLE"],
            IndexName="ByChange",
            KeyConditionExpression="change_tenant = :t",
            ExpressionAttributeValues={":t": {"S": tenant_id}},
        ):
            for item in page["Items"]:
                key = {"pk": item["pk"], "sk": item["sk"]}
                dynamodb.delete_item(TableName=env["ANALYTICS_TABLE"], Key=key)
        bucket = env["RECORDINGS_BUCKET"]
        for version in s3.list_object_versions(Bucket=bucket, Prefix=tenant_id).get("Versions", []):
            s3.delete_object(Bucket=bucket, Key=version["Key"], VersionId=version["VersionId"])


def _world(
    session: Any,
    queues: Stack,
    calls: CallStore,
    accounts: AccountStore,
    env: dict[str, str],
    wav: bytes,
    tenants: list[str],
) -> World:
    """A's resources, B's own call and webhook, the change feed of both, and what A reads
    back of each of its resources before B calls anything (`tenants`: who was created)."""
    a = _tenant(accounts, calls, "Tenant A")
    b = _tenant(accounts, calls, "Tenant B")
    tenants += [a.tenant_id, b.tenant_id]
    streams = [CallsStream(env["CALLS_TABLE"], t.tenant_id, "LATEST") for t in (a, b)]
    owned = _owned(a, env, session.client("s3"), wav)
    world = World(
        a=owned,
        b=b,
        b_call_id=_ingested_call(b),
        b_webhook_id=ok(request("POST /v1/webhooks", b.authorizer()))["id"],
        queues={name: queues.urls[name] for name in QUEUES.values()},
        sqs=session.client("sqs"),
        dynamodb=calls.dynamodb,
        tables=env,
        accounts=accounts,
        tenants=tenants,
    )
    _feed(calls.dynamodb, env["ANALYTICS_TABLE"], streams)
    owned.call_ids = [call.id for call in tenant_calls(calls, a.tenant_id)]
    world.queued()  # what A's own requests queued
    for case in ROUTES.values():
        ids = case.ids(owned)
        status, body = world.readback(case.readback, ids)
        assert status == 200, (case.readback, ids, body)  # A's resource is real
        world.readbacks[case.readback, json.dumps(ids, sort_keys=True)] = (status, body)
    world.items = world.stored()
    return world


@pytest.fixture(scope="module")
def public_hooks_host() -> Iterator[None]:
    """The samples' webhook host resolves to a public address (any other name as it does)."""
    real = socket.getaddrinfo

    def resolve(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == HOOKS_HOST:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port))]
        return real(host, port, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket, "getaddrinfo", resolve)
        yield


@pytest.fixture(scope="module")
def world(
    embedded_aws: EmbeddedAws,
    handler_environment: dict[str, str],
    wav_bytes: bytes,
    public_hooks_host: None,
) -> Iterator[World]:
    """The module's two tenants and A's resources, created once, on queues of the module's
    own (so that what a route queues can be read); all of it removed at the end."""
    session = embedded_aws.session()
    resources = load_template()["Resources"]
    logical = set(QUEUES.values())
    queue_template = {
        "Resources": {
            name: resources[name]
            for name in resources
            if resources[name]["Type"] == "AWS::SQS::Queue"
            # each queue with its dead-letter queue, which its redrive policy names
            and (name in logical or name.replace("DeadLetter", "") in logical)
        }
    }
    queues = provision(session, f"iso-{uuid.uuid4().hex[:8]}", queue_template)
    env = handler_environment
    calls, accounts = CallStore(env["CALLS_TABLE"]), AccountStore(env["ACCOUNTS_TABLE"])
    tenants: list[str] = []
    try:
        with environment({variable: queues.urls[name] for variable, name in QUEUES.items()}):
            settings.reset()
            yield _world(session, queues, calls, accounts, env, wav_bytes, tenants)
    finally:
        _erase(tenants, env, session)
        for url in queues.urls.values():
            session.client("sqs").delete_queue(QueueUrl=url)
    settings.reset()


def contains(result: dict[str, Any], *values: str) -> list[str]:
    """Which of the values appear anywhere in the answer: its body or its headers."""
    text = (result.get("body") or "") + json.dumps(result.get("headers") or {})
    return [value for value in values if value in text]


def secrets_of(world: World) -> list[str]:
    """What of A's must never appear in an answer to B."""
    a = world.a
    return [
        a.tenant_id,
        a.call_id,
        a.recorded_call_id,
        a.queued_call_id,
        a.batch_id,
        a.webhook_id,
        a.delivery_id,
        *a.call_ids,
    ]


def test_every_route_that_takes_an_id_is_covered() -> None:
    # Given the routes of template.yaml whose path takes an id
    # Then each one has its case in the table, and the table names no route the template lacks
    assert ID_ROUTES, "template.yaml has no route that takes an id: the template was not read"
    assert sorted(set(ID_ROUTES) - set(ROUTES)) == [], "routes taking an id with no case"
    assert sorted(set(ROUTES) - set(ID_ROUTES)) == [], "cases of routes the template lacks"
    for route, case in ROUTES.items():
        assert case.readback in TEMPLATE_ROUTES, (route, case.readback)


@pytest.mark.parametrize("route", ID_ROUTES)
def test_another_tenant_is_told_not_found_and_changes_nothing(world: World, route: str) -> None:
    # Given A's resource of the kind the route takes, and B holding every scope
    case = ROUTES[route]
    ids = case.ids(world.a)

    # When B calls the route with A's ids (and the sample's body and query)
    result = request(route, world.b.authorizer(), ids)

    status, body = answer(result)
    if case.creates_own:
        # Then B stored a call of its own, nothing of A's in it (A's has a grade and reports)
        assert status == 201, f"{route} with the id of A's {case.resource}: {status} {body}"
        assert (body["grade_status"], body["issue_count"]) == ("not_graded", 0)
        assert contains(result, *set(secrets_of(world)) - set(ids.values())) == []
        # (and B's erasing its own call of that id erases nothing of A's, checked below)
        ok(request("DELETE /v1/calls/{call_id}", world.b.authorizer(), ids))
    else:
        # Then B is told it does not exist, and learns nothing of A's
        assert status == 404, f"{route} with A's {case.resource} answered B {status}: {body}"
        assert contains(result, *secrets_of(world)) == []
    # And A's resource reads back as it was, nothing of A's changed, nothing was queued for A
    before = world.readbacks[case.readback, json.dumps(ids, sort_keys=True)]
    assert world.readback(case.readback, ids) == before
    assert world.stored() == world.items
    assert [m for m in world.queued() if world.a.tenant_id in m] == []


# Every route that pages by cursor (openapi.json) → the kind of the tenant's own resource its
# path takes, if any: A pages its own, and B replays A's cursor on its own.
CURSOR_ROUTES: dict[str, str | None] = {
    "GET /v1/agents": None,
    "GET /v1/calls": None,
    "GET /v1/calls/changes": None,
    "GET /v1/calls/{call_id}/history": "call",
    "GET /v1/calls/{call_id}/transcript": "call",
    "GET /v1/issue-reports": None,
    "GET /v1/suppressions": None,
    "GET /v1/webhooks": None,
    "GET /v1/webhooks/{webhook_id}/deliveries": "webhook",
}


def own_ids(world: World, kind: str | None, of_a: bool) -> dict[str, str]:
    """The path ids of A's (or B's) own resource of a kind."""
    if kind == "call":
        return {"call_id": world.a.call_id if of_a else world.b_call_id}
    if kind == "webhook":
        return {"webhook_id": world.a.webhook_id if of_a else world.b_webhook_id}
    return {}


def test_every_route_paged_by_cursor_is_covered() -> None:
    document = json.loads(openapi.DOCUMENT.read_text())
    paged = {
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if any(p["name"] == "cursor" for p in operation.get("parameters", []))
    }
    assert paged, "openapi.json has no route paged by cursor: the document was not read"
    assert sorted(paged ^ set(CURSOR_ROUTES)) == []


@pytest.mark.parametrize("route", CURSOR_ROUTES)
def test_another_tenants_cursor_is_refused(world: World, route: str) -> None:
    # Given the cursor to the second page of one of A's lists
    kind = CURSOR_ROUTES[route]
    first = request(
        route,
        world.a.tenant.authorizer(),
        own_ids(world, kind, True),
        query={"limit": "1"},
        sample=False,
    )
    cursor = ok(first)["next_cursor"]
    assert cursor, f"A's list {route} has a single page: no cursor to replay"

    # When B replays it on the same list of its own
    result = request(
        route,
        world.b.authorizer(),
        own_ids(world, kind, False),
        query={"limit": "1", "cursor": cursor},
        sample=False,
    )

    # Then the cursor is refused, and B reads nothing of A's
    assert answer(result) == (400, {"detail": "Invalid cursor"})


# Lists without an id in their path → the query B and A send, and what of A's A sees there.
LISTINGS: dict[str, tuple[Callable[[Owned], dict[str, str]], Callable[[Owned], list[str]]]] = {
    "GET /v1/calls": (
        lambda a: {"limit": "100"},
        lambda a: [a.call_id, a.recorded_call_id, a.queued_call_id],
    ),
    "GET /v1/calls?batch_id": (lambda a: {"batch_id": a.batch_id}, lambda a: [a.batch_id]),
    "GET /v1/calls/changes": (
        lambda a: {"limit": "100"},
        lambda a: [a.call_id, a.recorded_call_id, a.queued_call_id],
    ),
    "GET /v1/calls/export": (lambda a: {"export_format": "json"}, lambda a: [a.recorded_call_id]),
    "GET /v1/issue-reports": (lambda a: {}, lambda a: [a.call_id]),
    "GET /v1/agents": (lambda a: {}, lambda a: [a.agent_id, "sales-bot"]),
    "GET /v1/webhooks": (lambda a: {}, lambda a: [a.webhook_id]),
    "GET /v1/suppressions": (lambda a: {}, lambda a: list(SUPPRESSED)),
}


@pytest.mark.parametrize("listing", LISTINGS)
def test_a_tenants_lists_hold_nothing_of_another(world: World, listing: str) -> None:
    route = listing.split("?", 1)[0]
    query, marks = LISTINGS[listing]
    # Given what of A's A finds in one of its lists (the change feed, exports too)
    mine = request(route, world.a.tenant.authorizer(), query=query(world.a), sample=False)
    assert 200 <= mine["statusCode"] < 300, mine
    assert contains(mine, *marks(world.a)) == marks(world.a)

    # When B reads the same list, with the same query
    theirs = request(route, world.b.authorizer(), query=query(world.a), sample=False)

    # Then B's answer (or the link it is sent to) holds nothing of A's
    assert 200 <= theirs["statusCode"] < 400, theirs
    assert contains(theirs, *marks(world.a), *secrets_of(world)) == []


def test_a_search_for_another_tenants_calls_finds_none(world: World) -> None:
    asked = [world.a.call_id, world.a.recorded_call_id, world.a.queued_call_id]
    result = request(
        "POST /v1/calls/search", world.b.authorizer(), payload={"call_ids": asked}, sample=False
    )
    assert answer(result) == (200, {"calls": [], "not_found": asked})
    mine = request(
        "POST /v1/calls/search", world.a.tenant.authorizer(), payload={"call_ids": asked}
    )
    assert [c["id"] for c in ok(mine)["calls"]] == asked


def test_no_recording_link_is_minted_for_another_tenants_call(world: World) -> None:
    # Given A's recorded call, which A gets a link to
    ids = {"call_id": world.a.recorded_call_id}
    route = "GET /v1/calls/{call_id}/recording"
    mine = request(route, world.a.tenant.authorizer(), ids, query={"download": "true"})
    assert mine["statusCode"] == 302
    key = recording_key(world.a.tenant_id, world.a.recorded_call_id, "wav")
    assert f"/{key}?" in mine["headers"]["Location"]

    # When B asks for a download of it, or an upload over it
    download = request(route, world.b.authorizer(), ids, query={"download": "true"})
    upload = request("POST /v1/calls/{call_id}/recording/upload", world.b.authorizer(), ids)

    # Then neither is answered with a link
    for result in (download, upload):
        assert answer(result) == (404, {"detail": "Call not found"})
        assert "Location" not in (result.get("headers") or {})


def test_another_tenant_cannot_lift_a_suppression(world: World) -> None:
    # When B takes one of A's numbers off the do-not-call list
    result = request(
        "DELETE /v1/suppressions", world.b.authorizer(), query={"phone_number": SUPPRESSED[0]}
    )

    # Then B has no such entry, and A's list is as it was
    assert answer(result) == (404, {"detail": "Suppression not found"})
    listed = ok(request("GET /v1/suppressions", world.a.tenant.authorizer(), sample=False))
    assert sorted(s["phone_number"] for s in listed["suppressions"]) == list(SUPPRESSED)
    assert world.stored() == world.items


def route_scope(route: str) -> Scope:
    """The scope openapi.json says the route requires."""
    method, path = route.split(" ", 1)
    operation = json.loads(openapi.DOCUMENT.read_text())["paths"][path][method.lower()]
    [scope] = {s for requirement in operation["security"] for s in next(iter(requirement.values()))}
    return Scope(scope)


@pytest.mark.parametrize("route", ID_ROUTES)
def test_another_tenant_without_the_routes_scope_is_refused(world: World, route: str) -> None:
    # Given B's key holding every scope but the one the route requires
    case = ROUTES[route]
    ids = case.ids(world.a)
    needed = route_scope(route)
    others = [scope for scope in Scope if scope is not needed]

    # When B calls the route with A's ids
    result = request(route, world.b.authorizer(*others), ids)

    # Then it is refused for the scope, learns nothing of A's, and A's resource is as it was
    assert answer(result) == (403, {"detail": f"Missing scope {needed.value}"})
    before = world.readbacks[case.readback, json.dumps(ids, sort_keys=True)]
    assert world.readback(case.readback, ids) == before
    assert world.stored() == world.items


def _encode(text: str) -> str:
    return quote(text, safe="-_.~")


def s3_signature(method: str, url: str, headers: dict[str, str] | None = None) -> str:
    """The signature S3 requires of a presigned URL (SigV4 query authentication, the bucket's
    credentials: the embedded endpoint's): computed from the URL's method, path, query and
    signed headers, as S3 checks it. The embedded endpoint checks none, hence this."""
    parts = urlsplit(url)
    params = parse_qsl(parts.query, keep_blank_values=True)
    given = dict(params)
    signed = given["X-Amz-SignedHeaders"].split(";")
    values = {"host": parts.netloc, **{k.lower(): v for k, v in (headers or {}).items()}}
    canonical = "\n".join(
        [
            method,
            parts.path,
            "&".join(
                f"{_encode(k)}={_encode(v)}" for k, v in sorted(params) if k != "X-Amz-Signature"
            ),
            "".join(f"{name}:{values[name].strip()}\n" for name in signed),
            ";".join(signed),
            "UNSIGNED-PAYLOAD",
        ]
    )
    scope = given["X-Amz-Credential"].split("/", 1)[1]
    to_sign = "\n".join(
        [
            "AWS4-HMAC-SHA256",
            given["X-Amz-Date"],
            scope,
            hashlib.sha256(canonical.encode()).hexdigest(),
        ]
    )
    key = f"AWS4{LOCAL_ENVIRONMENT['AWS_SECRET_ACCESS_KEY']}".encode()
    for part in scope.split("/"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


def signature_in(url: str) -> str:
    return dict(parse_qsl(urlsplit(url).query))["X-Amz-Signature"]


def elsewhere(url: str, key: str, other: str) -> str:
    """The URL with its object key replaced by another."""
    assert f"/{key}?" in url
    return url.replace(f"/{key}?", f"/{other}?", 1)


def test_a_presigned_link_of_a_tenants_recording_cannot_be_turned_into_another_object(
    world: World,
) -> None:
    # Given the links A gets to download its recording and to upload it again (PUT)
    a, b = world.a, world.b
    ids = {"call_id": a.recorded_call_id}
    key = recording_key(a.tenant_id, a.recorded_call_id, "wav")
    route = "GET /v1/calls/{call_id}/recording"
    download = ok(request(route, a.tenant.authorizer(), ids, query={}))["recording_url"]
    upload = ok(request("POST /v1/calls/{call_id}/recording/upload", a.tenant.authorizer(), ids))
    links = [("GET", download, {}), ("PUT", upload["upload_url"], upload["headers"])]

    for method, url, headers in links:
        # Then S3 would serve each as it is (the check recomputes what S3 computes)
        assert s3_signature(method, url, headers) == signature_in(url), method
        # And not once its key names another object: the same call under B's prefix, B's
        # call, A's other call, or A's whole prefix
        for other in (
            recording_key(b.tenant_id, a.recorded_call_id, "wav"),
            recording_key(b.tenant_id, world.b_call_id, "wav"),
            recording_key(a.tenant_id, a.call_id, "wav"),
            call_prefix(a.tenant_id, a.recorded_call_id),
        ):
            forged = elsewhere(url, key, other)
            assert s3_signature(method, forged, headers) != signature_in(forged), (method, other)


def test_a_presigned_upload_form_is_for_its_one_key(world: World) -> None:
    # Given the form A gets to upload its recording with a POST
    a = world.a
    ids = {"call_id": a.recorded_call_id}
    form = ok(
        request(
            "POST /v1/calls/{call_id}/recording/upload",
            a.tenant.authorizer(),
            ids,
            payload={"format": "wav", "method": "POST"},
        )
    )["fields"]

    # Then its signed policy allows that one key, and no prefix of keys
    policy = json.loads(base64.b64decode(form["policy"]))
    key = recording_key(a.tenant_id, a.recorded_call_id, "wav")
    assert {"key": key} in policy["conditions"]
    assert form["key"] == key
    assert not [c for c in policy["conditions"] if isinstance(c, list) and "$key" in c]


@pytest.mark.parametrize("body", ["A's body", "another body"])
@pytest.mark.parametrize("route", ["POST /v1/calls", "POST /v1/calls/batch"])
def test_another_tenants_idempotency_key_is_a_new_key(world: World, route: str, body: str) -> None:
    # Given a tenant that never used the Idempotency-Key A used
    c = world.new_tenant()
    other = (
        {"to_numbers": ["+14155550177"]}
        if route.endswith("batch")
        else {"to_number": "+14155550177"}
    )

    # When it sends that key, with A's body or another
    result = request(
        route,
        c.authorizer(),
        headers={"Idempotency-Key": IDEMPOTENCY_KEY},
        payload=None if body == "A's body" else other,
    )

    # Then the request is its own: accepted as new, not A's stored answer replayed, and not
    # refused as a key used with another body
    assert result["statusCode"] == 202, result
    assert result["headers"]["Idempotent-Replayed"] == "false"
    assert contains(result, *secrets_of(world)) == []
    assert world.stored() == world.items
    world.queued()  # its own dial messages


def test_a_delivery_of_another_tenant_is_not_found_under_a_webhook_of_ones_own(
    world: World,
) -> None:
    # When B retries A's delivery under B's own webhook
    ids = {"webhook_id": world.b_webhook_id, "delivery_id": world.a.delivery_id}
    route = "POST /v1/webhooks/{webhook_id}/deliveries/{delivery_id}/retry"
    result = request(route, world.b.authorizer(), ids)

    # Then there is no such delivery, and nothing was sent again
    assert answer(result) == (404, {"detail": "Delivery not found"})
    assert [m for m in world.queued() if contains({"body": m}, *secrets_of(world))] == []
    assert world.stored() == world.items


def test_a_tenants_figures_count_nothing_of_another(world: World) -> None:
    # Given the range of every call of A's and B's
    since = datetime.now(UTC) - timedelta(days=60)
    span = {
        "start_date": since.isoformat(),
        "end_date": (datetime.now(UTC) + timedelta(days=1)).isoformat(),
    }

    def figures(tenant: TenantFixture) -> tuple[int, int]:
        stats = ok(request("GET /v1/calls/stats", tenant.authorizer(), query=span, sample=False))
        status = ok(request("GET /v1/dialer/status", tenant.authorizer(), sample=False))
        return stats["summary"]["calls"], status["backlog"]

    # Then A's stats count its calls and its dial backlog its queued ones (its call, its
    # batch's two valid numbers), and B's count none of those
    a_calls, a_backlog = figures(world.a.tenant)
    b_calls, b_backlog = figures(world.b)
    assert (a_calls, a_backlog) == (len(world.a.call_ids), 3)
    own = tenant_calls(world.a.tenant.store, world.b.tenant_id)
    assert (b_calls, b_backlog) == (len(own), 0)

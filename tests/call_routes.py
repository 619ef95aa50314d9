"""The routes of one call, invoked through their handlers as API Gateway would: the one way the
ingestion, recording and retention tests send a request for a call."""

from __future__ import annotations

import json
import uuid
from typing import Any

from dialtone.auth import Scope
from dialtone.store import call_pk
from local.invoke import api_event, invoke
from tests.tenants import TenantFixture

CUSTOMER = "+14155550123"


def call_event(
    function: str,
    route: str,
    call_id: str,
    authorizer: dict[str, str] | None,
    payload: Any = None,
    query: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The API Gateway event of `route` (e.g. "POST /v1/calls/{call_id}/events") for the call,
    handled by functions/<function>; `payload` is sent as JSON (a str as it is, None: no body)."""
    _, template = route.split(" ", 1)
    text = payload if payload is None or isinstance(payload, str) else json.dumps(payload)
    return api_event(
        function,
        route,
        template.replace("{call_id}", call_id),
        query=query,
        path_parameters={"call_id": call_id},
        authorizer=authorizer,
        body=text,
    )


def call_route(
    function: str,
    route: str,
    call_id: str,
    authorizer: dict[str, str] | None,
    payload: Any = None,
    query: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The Lambda result of `route` for the call (see `call_event`)."""
    return invoke(function, call_event(function, route, call_id, authorizer, payload, query))


def body(result: dict[str, Any]) -> Any:
    """The JSON body of a Lambda result."""
    return json.loads(result["body"])


def create_call(tenant: TenantFixture, **fields: Any) -> str:
    """A call the runtime created with PUT /v1/calls/<id> (inbound from CUSTOMER unless `fields`
    say otherwise); its id, removed with the tenant's calls when the test ends."""
    call_id = str(uuid.uuid4())
    tenant.call_ids.append(call_id)
    payload = {"direction": "inbound", "from_number": CUSTOMER, **fields}
    authorizer = tenant.authorizer(Scope.CALLS_INGEST)
    result = call_route("upsert_call", "PUT /v1/calls/{call_id}", call_id, authorizer, payload)
    assert result["statusCode"] == 201, result["body"]
    return call_id


def call_items(dynamodb: Any, table: str, tenant_id: str, call_id: str) -> list[dict[str, Any]]:
    """Every item of a call, as the table holds it (strongly consistent)."""
    items: list[dict[str, Any]] = dynamodb.query(
        TableName=table,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": call_pk(tenant_id, call_id)}},
        ConsistentRead=True,
    )["Items"]
    return items

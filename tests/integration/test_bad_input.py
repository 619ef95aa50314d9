"""Whatever a client sends is answered 4xx with a reason, never 5xx: bodies of the wrong type,
too deep or not text, path ids of any characters, and paths no route serves, through the
handlers as API Gateway (HTTP API) hands the requests over."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import pytest

from dialtone.auth import Scope
from dialtone.http import MAX_BODY_DEPTH
from local.invoke import api_event, invoke
from tests.call_routes import body, call_event, call_route
from tests.tenants import TenantFixture

DIAL = {"to_number": "+14155550123"}
TOO_DEEP = {
    "loc": ["body"],
    "msg": f"The body nests more than {MAX_BODY_DEPTH} levels deep",
    "type": "json_too_deep",
}


def everyone(tenant: TenantFixture) -> dict[str, str]:
    return tenant.authorizer(Scope.CALLS_READ, Scope.CALLS_WRITE, Scope.CALLS_INGEST, Scope.ADMIN)


def create_call(tenant: TenantFixture, text: str, headers: dict[str, str]) -> dict[str, Any]:
    """POST /v1/calls with a raw body."""
    event = api_event(
        "create_call",
        "POST /v1/calls",
        "/v1/calls",
        authorizer=everyone(tenant),
        body=text,
        headers=headers,
    )
    return invoke("create_call", event)


def upsert_call(
    tenant: TenantFixture, call_id: str, text: str, headers: dict[str, str]
) -> dict[str, Any]:
    """PUT /v1/calls/{call_id} with a raw body."""
    event = call_event("upsert_call", "PUT /v1/calls/{call_id}", call_id, everyone(tenant), text)
    event["headers"].update(headers)
    return invoke("upsert_call", event)


def send_body(tenant: TenantFixture, route: str, text: str, **headers: str) -> dict[str, Any]:
    """`text` as the body of a JSON route: "create" (POST /v1/calls) or "upsert"
    (PUT /v1/calls/{call_id}, for a call id never stored)."""
    if route == "create":
        return create_call(tenant, text, headers)
    return upsert_call(tenant, str(uuid.uuid4()), text, headers)


def nested_array(levels: int) -> str:
    return "[" * levels + "]" * levels


def nested_object(levels: int) -> str:
    return '{"a": ' * levels + "1" + "}" * levels


def get(tenant: TenantFixture, function: str, route: str, value: str) -> dict[str, Any]:
    """GET `route` with its one path parameter `value`, as API Gateway hands it over: the
    parameter decoded, and rawPath decoded too (an HTTP API does not keep the encoding)."""
    template = route.split(" ", 1)[1]
    name = template[template.index("{") + 1 : template.index("}")]
    event = api_event(
        function,
        route,
        template.replace("{" + name + "}", value),
        path_parameters={name: value},
        authorizer=everyone(tenant),
    )
    return invoke(function, event)


# --- Bodies of the wrong type ---------------------------------------------------------------


@pytest.mark.parametrize("route", ["create", "upsert"])
@pytest.mark.parametrize(
    "content_type",
    [
        "multipart/form-data",
        "multipart/form-data; boundary=",
        "multipart/form-data; boundary=xyz",
        "Multipart/Mixed",
    ],
)
def test_a_multipart_body_on_a_json_route_is_a_415(
    tenant: TenantFixture, route: str, content_type: str
) -> None:
    # Given a JSON route and a body sent as multipart, with or without its boundary
    parts = ["--xyz", 'Content-Disposition: form-data; name="to_number"', "", "+14155550123"]
    text = "\r\n".join([*parts, "--xyz--"])

    # When it is handled
    result = send_body(tenant, route, text, **{"content-type": content_type})

    # Then 415, naming what was sent and what to send
    assert result["statusCode"] == 415, result["body"]
    assert body(result) == {
        "detail": f"Unsupported Content-Type {content_type!r}: send application/json"
    }


@pytest.mark.parametrize("route", ["create", "upsert"])
@pytest.mark.parametrize("content_type", ["garbage;;;=", "application/", ";", "text/plain"])
def test_a_content_type_that_is_not_json_is_a_415(
    tenant: TenantFixture, route: str, content_type: str
) -> None:
    result = send_body(tenant, route, json.dumps(DIAL), **{"content-type": content_type})

    assert result["statusCode"] == 415, result["body"]
    assert "send application/json" in body(result)["detail"]


def test_a_multipart_upsert_stores_nothing(tenant: TenantFixture) -> None:
    # Given a call id never stored, and a multipart body without a boundary
    call_id = str(uuid.uuid4())
    tenant.call_ids.append(call_id)

    # When it is sent to PUT /v1/calls/{call_id}
    refused = upsert_call(
        tenant, call_id, '{"direction": "inbound"}', {"content-type": "multipart/form-data"}
    )

    # Then it is refused and the call does not exist
    assert refused["statusCode"] == 415
    read = call_route("get_call", "GET /v1/calls/{call_id}", call_id, everyone(tenant))
    assert (read["statusCode"], body(read)) == (404, {"detail": "Call not found"})


# --- JSON nested too deep -------------------------------------------------------------------


@pytest.mark.parametrize("route", ["create", "upsert"])
@pytest.mark.parametrize("levels", [MAX_BODY_DEPTH, 1_000, 100_000])
@pytest.mark.parametrize("shape", [nested_array, nested_object], ids=["arrays", "objects"])
def test_json_nested_deeper_than_the_api_allows_is_a_422(
    tenant: TenantFixture, route: str, levels: int, shape: Any
) -> None:
    # Given a body that nests more than MAX_BODY_DEPTH levels (the body itself is one), up
    # to far beyond what Python's JSON decoder can recurse through
    text = json.dumps(DIAL)[:-1] + ', "metadata": {"deep": ' + shape(levels) + "}}"

    # When it is handled
    result = send_body(tenant, route, text)

    # Then 422 on the body, saying why
    assert result["statusCode"] == 422, result["body"]
    assert body(result) == {"detail": [TOO_DEEP]}


@pytest.mark.parametrize("route", ["create", "upsert"])
def test_a_top_level_value_nested_too_deep_is_a_422(tenant: TenantFixture, route: str) -> None:
    result = send_body(tenant, route, nested_array(50_000))

    assert result["statusCode"] == 422, result["body"]
    assert body(result) == {"detail": [TOO_DEEP]}


def test_json_at_the_api_depth_reaches_the_fields_own_rules(tenant: TenantFixture) -> None:
    # Given metadata that makes the body exactly MAX_BODY_DEPTH levels deep: the body, the
    # metadata object, and MAX_BODY_DEPTH - 2 more
    text = json.dumps(DIAL)[:-1] + ', "metadata": ' + nested_object(MAX_BODY_DEPTH - 1) + "}"

    # When it is handled
    result = create_call(tenant, text, {})

    # Then the edge lets it through, and the metadata's own (stored values) limit names it
    assert result["statusCode"] == 422, result["body"]
    [error] = body(result)["detail"]
    assert error["loc"] == ["body", "metadata"]
    assert "nested more than 32 levels" in error["msg"]


def test_a_deep_body_on_a_route_that_reads_no_body_is_a_422(tenant: TenantFixture) -> None:
    # Given POST /v1/calls/{call_id}/cancel, which takes no body, sent a very deep one
    call_id = str(uuid.uuid4())
    event = call_event(
        "cancel_call",
        "POST /v1/calls/{call_id}/cancel",
        call_id,
        everyone(tenant),
        nested_array(100_000),
    )

    # When it is handled
    result = invoke("cancel_call", event)

    # Then 422 on the body, not a RecursionError
    assert result["statusCode"] == 422, result["body"]
    assert body(result) == {"detail": [TOO_DEEP]}


# --- Bodies that are not text ---------------------------------------------------------------


@pytest.mark.parametrize("route", ["create", "upsert"])
def test_a_body_that_is_not_utf8_is_a_422(tenant: TenantFixture, route: str) -> None:
    # Given a body of bytes that are not UTF-8, handed over base64-encoded as API Gateway does
    result = send_body_base64(tenant, route, b'{"to_number": "\xff\xfe"}')

    # Then 422 on the body, saying it is not text
    assert result["statusCode"] == 422, result["body"]
    assert body(result) == {
        "detail": [
            {
                "loc": ["body"],
                "msg": "The body is not valid JSON: it is not UTF-8 text",
                "type": "json_invalid",
            }
        ]
    }


def send_body_base64(tenant: TenantFixture, route: str, data: bytes) -> dict[str, Any]:
    encoded = base64.b64encode(data).decode()
    if route == "create":
        event = api_event(
            "create_call",
            "POST /v1/calls",
            "/v1/calls",
            authorizer=everyone(tenant),
            body=encoded,
        )
    else:
        call_id = str(uuid.uuid4())
        event = call_event(
            "upsert_call", "PUT /v1/calls/{call_id}", call_id, everyone(tenant), encoded
        )
    event["isBase64Encoded"] = True
    return invoke("create_call" if route == "create" else "upsert_call", event)


# --- Path ids of any characters -------------------------------------------------------------

# None of them is a UUID, nor an agent id.
ODD_IDS = [
    "\N{GRINNING FACE}",  # sent as %F0%9F%98%80; an HTTP API hands it over decoded
    "%F0%9F%98%80",  # as a handler would see it if the path kept its encoding
    'a"b',
    "a?b",
    "a#b",
    "caf\N{LATIN SMALL LETTER E WITH ACUTE}",
    "a\\b",
    "a\tb",
    "`",
    "x" * 300,
]

UUID_ROUTES = [
    ("get_call", "GET /v1/calls/{call_id}", "call_id"),
    ("get_call_batch", "GET /v1/calls/batch/{batch_id}", "batch_id"),
    ("get_call_transcript", "GET /v1/calls/{call_id}/transcript", "call_id"),
]
ID_ROUTES = [*UUID_ROUTES, ("get_agent", "GET /v1/agents/{agent_id}", "agent_id")]


@pytest.mark.parametrize(("function", "route", "name"), UUID_ROUTES)
@pytest.mark.parametrize("value", ["not-a-uuid", "12345", "0" * 32 + "0"])
def test_a_path_id_that_is_not_a_uuid_is_a_422_naming_the_parameter(
    tenant: TenantFixture, function: str, route: str, name: str, value: str
) -> None:
    result = get(tenant, function, route, value)

    assert result["statusCode"] == 422, result["body"]
    [error] = body(result)["detail"]
    assert (error["loc"], error["type"]) == (["path", name], "uuid_parsing")


@pytest.mark.parametrize(("function", "route", "name"), ID_ROUTES)
@pytest.mark.parametrize("value", ODD_IDS)
def test_a_path_id_of_any_characters_is_a_422_naming_the_parameter(
    tenant: TenantFixture, function: str, route: str, name: str, value: str
) -> None:
    # Given an id that is not one, whatever its characters
    # When it is requested
    result = get(tenant, function, route, value)

    # Then 422 naming the path parameter
    assert result["statusCode"] == 422, result["body"]
    assert [error["loc"] for error in body(result)["detail"]] == [["path", name]]


def test_a_path_id_that_is_not_a_uuid_is_a_422_on_a_write_route(tenant: TenantFixture) -> None:
    result = upsert_call(tenant, "\N{GRINNING FACE}", json.dumps({"direction": "inbound"}), {})

    assert result["statusCode"] == 422, result["body"]
    assert [error["loc"] for error in body(result)["detail"]] == [["path", "call_id"]]


@pytest.mark.parametrize(("function", "route", "name"), ID_ROUTES)
def test_a_path_id_holding_an_encoded_slash_is_a_404_or_422(
    tenant: TenantFixture, function: str, route: str, name: str
) -> None:
    # Given an id "a%2Fb": an HTTP API routes it, then hands the path over decoded ("a/b");
    # a path that kept its encoding would still say "a%2Fb"
    decoded = get(tenant, function, route, "a/b")
    encoded = get(tenant, function, route, "a%2Fb")

    # Then: no route serves the decoded path (404), the encoded id is not an id (422)
    assert (decoded["statusCode"], body(decoded)) == (404, {"detail": "Not Found"})
    assert encoded["statusCode"] == 422, encoded["body"]
    assert [error["loc"] for error in body(encoded)["detail"]] == [["path", name]]


# --- Paths no route serves ------------------------------------------------------------------


@pytest.mark.parametrize("word", ["export", "stats", "changes", "search", "batch"])
@pytest.mark.parametrize(
    ("function", "route"),
    [
        ("get_call", "GET /v1/calls/{call_id}"),
        ("get_call_transcript", "GET /v1/calls/{call_id}/transcript"),
        ("delete_call", "DELETE /v1/calls/{call_id}"),
    ],
)
def test_a_future_route_caught_by_an_id_route_is_not_found(
    tenant: TenantFixture, function: str, route: str, word: str
) -> None:
    # Given a path like /v1/calls/export: on AWS, the route /v1/calls/{call_id} catches it
    event = call_event(function, route, word, everyone(tenant))

    # When that route's function handles it
    result = invoke(function, event)

    # Then it is a route that does not exist, not a call id that is not a UUID
    assert (result["statusCode"], body(result)) == (404, {"detail": "Not Found"})


def test_a_future_route_caught_by_a_write_route_is_not_found(tenant: TenantFixture) -> None:
    result = upsert_call(tenant, "export", json.dumps({"direction": "inbound"}), {})

    assert (result["statusCode"], body(result)) == (404, {"detail": "Not Found"})


@pytest.mark.parametrize("path", ["/v1/nothing", "/v1/calls/", "/", "/v1/calls/a/b/c"])
def test_a_path_the_function_does_not_serve_is_not_found(tenant: TenantFixture, path: str) -> None:
    event = api_event("get_call", "GET /v1/calls/{call_id}", path, authorizer=everyone(tenant))

    result = invoke("get_call", event)

    assert (result["statusCode"], body(result)) == (404, {"detail": "Not Found"})

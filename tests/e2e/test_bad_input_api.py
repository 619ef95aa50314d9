"""Whatever a client sends is answered 4xx with a reason, never 5xx, over real HTTP: through
SAM's API Gateway emulator, the authorizer and the functions, bytes as a client sends them."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests

from dialtone.accounts import AccountStore
from dialtone.auth import Scope
from dialtone.http import MAX_BODY_DEPTH
from local.stack import LocalStack

pytestmark = pytest.mark.e2e

NOT_FOUND = {"detail": "Not Found"}


# A call of nobody's: each request below is refused before its id is looked up. A fixed id, so
# that every test process collects the same tests.
A_CALL = "/v1/calls/3f1c2a9e-7b4d-4e8a-9c61-0d5b2f8e4a17"


@pytest.fixture(scope="module")
def http(local_stack: LocalStack) -> Any:
    """`http(method, path, data=..., headers=...)` with the key of a fresh tenant holding every
    scope; `path` is sent as it is written (its percent-encoding kept)."""
    session = local_stack.aws.session()
    accounts = AccountStore(local_stack.info["accounts_table"], dynamodb=session.client("dynamodb"))
    tenant = accounts.create_tenant(name=f"Bad input {uuid.uuid4().hex[:4]}")
    key = accounts.create_key(tenant.tenant_id, tuple(Scope)).plaintext

    def request(method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"X-API-Key": key, **kwargs.pop("headers", {})}
        url = local_stack.info["api_url"] + path
        return requests.request(method, url, headers=headers, timeout=60, **kwargs)

    return request


def json_headers() -> dict[str, str]:
    return {"Content-Type": "application/json"}


@pytest.mark.parametrize(("method", "path"), [("POST", "/v1/calls"), ("PUT", A_CALL)])
def test_a_multipart_body_without_a_boundary_is_a_415(http: Any, method: str, path: str) -> None:
    response = http(
        method,
        path,
        data=b'{"to_number": "+14155550123", "direction": "inbound"}',
        headers={"Content-Type": "multipart/form-data"},
    )

    assert response.status_code == 415, response.text
    assert response.json() == {
        "detail": "Unsupported Content-Type 'multipart/form-data': send application/json"
    }


@pytest.mark.parametrize("levels", [MAX_BODY_DEPTH + 1, 1_000, 100_000])
@pytest.mark.parametrize(("method", "path"), [("POST", "/v1/calls"), ("PUT", A_CALL)])
def test_json_nested_deeper_than_the_api_allows_is_a_422(
    http: Any, method: str, path: str, levels: int
) -> None:
    # Given a body nested `levels` deep (the body object itself is the first level)
    deep = "[" * (levels - 1) + "]" * (levels - 1)
    data = '{"to_number": "+14155550123", "direction": "inbound", "metadata": ' + deep + "}"

    # When it is sent
    response = http(method, path, data=data.encode(), headers=json_headers())

    # Then 422 on the body, saying why
    assert response.status_code == 422, response.text
    assert response.json() == {
        "detail": [
            {
                "loc": ["body"],
                "msg": f"The body nests more than {MAX_BODY_DEPTH} levels deep",
                "type": "json_too_deep",
            }
        ]
    }


@pytest.mark.parametrize(("method", "path"), [("POST", "/v1/calls"), ("PUT", A_CALL)])
def test_a_body_that_is_not_utf8_is_a_422(http: Any, method: str, path: str) -> None:
    # Given bytes that are not UTF-8 text, sent as JSON
    data = b'{"to_number": "+1415555\xff\xfe", "direction": "inbound"}'

    # When they are sent
    response = http(method, path, data=data, headers=json_headers())

    # Then the function answers (the emulator hands them over base64, as API Gateway does): 422
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["body"]
    assert "not UTF-8" in response.json()["detail"][0]["msg"]


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/v1/calls/not-a-uuid", "call_id"),
        ("/v1/calls/%F0%9F%98%80", "call_id"),
        ("/v1/calls/%22%3F%23", "call_id"),
        ("/v1/calls/%FF", "call_id"),
        ("/v1/calls/%F0%9F%98%80/transcript", "call_id"),
        ("/v1/calls/batch/%F0%9F%98%80", "batch_id"),
        ("/v1/agents/%F0%9F%98%80", "agent_id"),
    ],
)
def test_a_path_id_of_any_characters_is_a_422_naming_the_parameter(
    http: Any, path: str, name: str
) -> None:
    response = http("GET", path)

    assert response.status_code == 422, response.text
    assert [error["loc"] for error in response.json()["detail"]] == [["path", name]]


@pytest.mark.parametrize(
    "path", ["/v1/calls/a%2Fb", "/v1/calls/a%2fb/transcript", "/v1/agents/a%2Fb"]
)
def test_a_path_id_holding_an_encoded_slash_is_a_404_or_422(http: Any, path: str) -> None:
    response = http("GET", path)

    assert response.status_code in (404, 422), response.text
    if response.status_code == 404:
        assert response.json() == NOT_FOUND


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/nothing"),
        ("GET", "/nothing"),
        ("GET", "/v1/calls/search"),  # routed paths, with a method that is not
        ("DELETE", "/v1/calls"),
        ("POST", "/v1/calls/export"),
        ("POST", "/v1/calls/stats"),
        ("POST", "/v1/calls/changes"),
        ("GET", "/v1/calls/stats/transcript"),
        ("GET", "/v1/calls/batch"),
    ],
)
def test_a_route_that_does_not_exist_is_not_found(http: Any, method: str, path: str) -> None:
    response = http(method, path)

    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert response.headers["Content-Type"].split(";")[0] == "application/json"


@pytest.mark.parametrize(
    ("method", "path"),
    [("HEAD", "/v1/calls"), ("HEAD", A_CALL), ("OPTIONS", "/v1/nothing")],
)
def test_a_method_the_template_does_not_route_is_not_found(
    http: Any, method: str, path: str
) -> None:
    # HEAD is served by the web framework wherever GET is; API Gateway routes only the template's.
    # (OPTIONS on a route is a CORS preflight, answered by API Gateway: test_console_e2e.py.)
    assert http(method, path).status_code == 404


def test_an_unknown_route_is_not_found_without_a_key_too(local_stack: LocalStack) -> None:
    # As on API Gateway: routing comes first, so no authorizer is asked
    response = requests.get(local_stack.info["api_url"] + "/v1/nothing", timeout=60)

    assert (response.status_code, response.json()) == (404, NOT_FOUND)

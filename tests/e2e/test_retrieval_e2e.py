"""Search by ids, page paging and bearer keys over real HTTP, through SAM's API Gateway emulator
and the authorizer, on the local stack with its demo data."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests

from local.stack import LocalStack

pytestmark = pytest.mark.e2e


def _get(local_stack: LocalStack, path: str, headers: dict[str, str], **params: Any) -> Any:
    url = f"{local_stack.info['api_url']}{path}"
    return requests.get(url, headers=headers, params=params, timeout=30)


def test_search_returns_the_calls_asked_for_in_order(local_stack: LocalStack) -> None:
    # Given three of the demo tenant's calls and an id nobody has
    key = {"X-API-Key": local_stack.info["api_key"]}
    listed = _get(local_stack, "/v1/calls", key, limit=3).json()["calls"]
    asked = [listed[2]["id"], str(uuid.uuid4()), listed[0]["id"]]

    # When they are searched for
    response = requests.post(
        f"{local_stack.info['api_url']}/v1/calls/search",
        json={"call_ids": asked},
        headers=key,
        timeout=30,
    )

    # Then the two calls come back in the order asked, as the list shows them, the other not found
    assert response.status_code == 200, response.text
    answer = response.json()
    assert [call["id"] for call in answer["calls"]] == [asked[0], asked[2]]
    assert answer["not_found"] == [asked[1]]
    assert answer["calls"][1]["status"] == listed[0]["status"]


def test_search_refuses_an_empty_list(local_stack: LocalStack) -> None:
    response = requests.post(
        f"{local_stack.info['api_url']}/v1/calls/search",
        json={"call_ids": []},
        headers={"X-API-Key": local_stack.info["api_key"]},
        timeout=30,
    )
    assert response.status_code == 422


def test_a_bearer_key_reads_as_an_x_api_key_does(local_stack: LocalStack) -> None:
    # Given the demo key, sent both ways
    key = local_stack.info["api_key"]

    # When the list is asked for page by page with a bearer token, and with X-API-Key
    bearer = _get(local_stack, "/v1/calls", {"Authorization": f"Bearer {key}"}, page=2, page_size=5)
    plain = _get(local_stack, "/v1/calls", {"X-API-Key": key}, limit=5, offset=5)

    # Then both are the same page of the same tenant
    assert bearer.status_code == 200, bearer.text
    assert [c["id"] for c in bearer.json()["calls"]] == [c["id"] for c in plain.json()["calls"]]
    assert (bearer.json()["page"], bearer.json()["page_size"]) == (2, 5)


@pytest.mark.parametrize(
    "authorization", ["Basic ZHQ6c2VjcmV0", "Bearer", "Bearer dt_0000000000000000_not-a-key"]
)
def test_a_wrong_scheme_or_bearer_is_refused(local_stack: LocalStack, authorization: str) -> None:
    response = _get(local_stack, "/v1/calls", {"Authorization": authorization})
    assert response.status_code == 403

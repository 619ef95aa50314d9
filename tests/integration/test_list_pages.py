"""GET /v1/agents and GET /v1/suppressions, cursor-paged: `limit` (1-100, default 20),
`cursor`, `next_cursor`; each page reads only itself."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from dialtone import agents
from dialtone.agents import AgentCreate, AgentStore
from dialtone.auth import Scope
from dialtone.dialing import suppressions
from dialtone.dialing.suppressions import SuppressionCreate, SuppressionStore
from local.invoke import api_event, invoke

LISTS = {
    "agents": ("list_agents", "/v1/agents", "agent_id"),
    "suppressions": ("list_suppressions", "/v1/suppressions", "phone_number"),
}


def listed(name: str, authorizer: dict[str, str], **query: str) -> dict[str, Any]:
    function, path = LISTS[name][:2]
    event = api_event(function, f"GET {path}", path, query=query, authorizer=authorizer)
    return invoke(function, event)


def add_agents(environment: dict[str, str], tenant_id: str, count: int) -> list[str]:
    store = AgentStore(environment["ACCOUNTS_TABLE"])
    for n in range(count):
        request = AgentCreate.model_validate(
            {
                "agent_id": f"agent-{n:03d}",
                "name": f"Agent {n}",
                "connection": {"type": "media_stream", "url": "wss://voice.example.com/a"},
            }
        )
        store.create_agent(tenant_id, request)
    return [f"agent-{n:03d}" for n in range(count)]


def add_numbers(environment: dict[str, str], tenant_id: str, count: int) -> list[str]:
    store = SuppressionStore(environment["ACCOUNTS_TABLE"])
    numbers = [f"+1415555{n:04d}" for n in range(count)]
    for number in numbers:
        store.add(tenant_id, SuppressionCreate(phone_number=number))
    return numbers


SEEDS: dict[str, Callable[[dict[str, str], str, int], list[str]]] = {
    "agents": add_agents,
    "suppressions": add_numbers,
}


def pages(name: str, authorizer: dict[str, str], **query: str) -> list[list[str]]:
    """The ids of every page, following next_cursor."""
    key = LISTS[name][2]
    found: list[list[str]] = []
    cursor: str | None = None
    while True:
        extra = {"cursor": cursor} if cursor else {}
        result = listed(name, authorizer, **query, **extra)
        assert result["statusCode"] == 200, result["body"]
        page = json.loads(result["body"])
        found.append([item[key] for item in page[name]])
        cursor = page["next_cursor"]
        if cursor is None:
            return found


@pytest.mark.parametrize("name", LISTS)
def test_pages_cover_the_list_exactly_once_in_order(
    tenant: Any, handler_environment: dict[str, str], name: str
) -> None:
    # Given: 45 entries
    ids = SEEDS[name](handler_environment, tenant.tenant_id, 45)
    reader = tenant.authorizer(Scope.CALLS_READ)

    # When: the list is read with the default limit, then 100 at a time
    by_default = pages(name, reader)
    at_most = pages(name, reader, limit="100")

    # Then: pages of 20, 20 and 5, then one page of 45: each entry once, in order
    assert [len(page) for page in by_default] == [20, 20, 5]
    assert [entry for page in by_default for entry in page] == ids
    assert at_most == [ids]


@pytest.mark.parametrize("name", LISTS)
def test_a_list_that_ends_at_the_limit_has_no_empty_last_page(
    tenant: Any, handler_environment: dict[str, str], name: str
) -> None:
    ids = SEEDS[name](handler_environment, tenant.tenant_id, 10)

    assert pages(name, tenant.authorizer(Scope.CALLS_READ), limit="5") == [ids[:5], ids[5:]]


@pytest.mark.parametrize("name", LISTS)
def test_a_forged_or_foreign_cursor_is_refused(
    tenant: Any, make_tenant: Any, handler_environment: dict[str, str], name: str
) -> None:
    # Given: a cursor of this tenant's list, and another tenant with a list of its own
    SEEDS[name](handler_environment, tenant.tenant_id, 3)
    reader = tenant.authorizer(Scope.CALLS_READ)
    cursor = json.loads(listed(name, reader, limit="1")["body"])["next_cursor"]
    assert cursor
    other = make_tenant(seed=5)
    SEEDS[name](handler_environment, other.tenant_id, 3)
    other_list = "suppressions" if name == "agents" else "agents"

    refusals = {
        "forged": listed(name, reader, cursor="forged.cursor"),
        "edited": listed(name, reader, cursor=cursor[:-2] + "AA"),
        "another tenant": listed(name, other.authorizer(Scope.CALLS_READ), cursor=cursor),
        "another list": listed(other_list, reader, cursor=cursor),
    }

    for case, result in refusals.items():
        assert (case, result["statusCode"], json.loads(result["body"])) == (
            case,
            400,
            {"detail": "Invalid cursor"},
        )


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("limit", ["0", "101", "-3", "all"])
def test_a_limit_out_of_range_is_a_422(tenant: Any, name: str, limit: str) -> None:
    result = listed(name, tenant.authorizer(Scope.CALLS_READ), limit=limit)

    assert result["statusCode"] == 422
    assert [e["loc"] for e in json.loads(result["body"])["detail"]] == [["query", "limit"]]


class CountingClient:
    """A DynamoDB client that counts the items its Queries read."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.read = 0

    def query(self, **request: Any) -> Any:
        response = self.client.query(**request)
        self.read += response["ScannedCount"]
        return response

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)


@pytest.mark.parametrize("name", LISTS)
def test_a_page_reads_only_itself_and_one_more(
    tenant: Any, handler_environment: dict[str, str], monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    # Given: a list of 60 entries
    SEEDS[name](handler_environment, tenant.tenant_id, 60)
    reader = tenant.authorizer(Scope.CALLS_READ)
    first = json.loads(listed(name, reader, limit="10")["body"])
    service = agents.service() if name == "agents" else suppressions.service()
    counting = CountingClient(service.store.dynamodb)
    monkeypatch.setattr(service.store, "_dynamodb", counting)

    # When: the second page of 10 is read
    result = listed(name, reader, limit="10", cursor=first["next_cursor"])

    # Then: 10 entries, and 11 items read (the one more tells whether a page follows)
    assert len(json.loads(result["body"])[name]) == 10
    assert counting.read == 11

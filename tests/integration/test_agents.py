"""The agent registry, /v1/agents, through its five handlers against the accounts table on moto."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from dialtone.accounts import AccountStore, TenantSettingsUpdate
from dialtone.agents import AgentStore, resolve_from_number
from dialtone.auth import Scope
from dialtone.errors import AgentNotFound
from local.invoke import api_event, invoke, sample_event

A, B = "+14155550100", "+14155550101"
SUPPORT_BOT = {
    "agent_id": "support-bot",
    "name": "Support bot",
    "phone_numbers": ["+1 (415) 555-0100"],
    "connection": {"type": "media_stream", "url": "wss://voice.example.com/agents/support"},
}


def call(
    function: str,
    route: str,
    path: str,
    authorizer: dict[str, str] | None,
    body: Any = None,
    *,
    raw_body: str | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The Lambda result of one request to an agent handler."""
    agent_id = path.removeprefix("/v1/agents").strip("/")
    event = api_event(
        function,
        route,
        path,
        path_parameters={"agent_id": agent_id} if agent_id else None,
        authorizer=authorizer,
        body=raw_body if raw_body is not None else None if body is None else json.dumps(body),
        headers=headers,
    )
    return invoke(function, event)


def create(authorizer: dict[str, str], agent: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    return call("create_agent", "POST /v1/agents", "/v1/agents", authorizer, agent, **kwargs)


def get(authorizer: dict[str, str], agent_id: str) -> dict[str, Any]:
    return call("get_agent", "GET /v1/agents/{agent_id}", f"/v1/agents/{agent_id}", authorizer)


def update(authorizer: dict[str, str], agent_id: str, changes: Any, **kw: Any) -> dict[str, Any]:
    route, path = "PATCH /v1/agents/{agent_id}", f"/v1/agents/{agent_id}"
    return call("update_agent", route, path, authorizer, changes, **kw)


def delete(authorizer: dict[str, str], agent_id: str) -> dict[str, Any]:
    route, path = "DELETE /v1/agents/{agent_id}", f"/v1/agents/{agent_id}"
    return call("delete_agent", route, path, authorizer)


def list_agents(authorizer: dict[str, str]) -> dict[str, Any]:
    return call("list_agents", "GET /v1/agents", "/v1/agents", authorizer)


def body(result: dict[str, Any]) -> Any:
    return json.loads(result["body"])


def test_an_agent_is_created_read_listed_changed_and_deleted(tenant: Any) -> None:
    admin, reader = tenant.authorizer(Scope.ADMIN), tenant.authorizer(Scope.CALLS_READ)

    # When: an admin creates an agent with a number written the human way
    created = create(admin, SUPPORT_BOT)

    # Then: 201 with the agent, its number in E.164 and both timestamps in UTC
    assert created["statusCode"] == 201
    agent = body(created)
    assert set(agent) == {
        "agent_id",
        "name",
        "phone_numbers",
        "connection",
        "created_at",
        "updated_at",
    }
    assert agent["agent_id"] == "support-bot"
    assert agent["name"] == "Support bot"
    assert agent["phone_numbers"] == ["+14155550100"]
    assert agent["connection"] == SUPPORT_BOT["connection"]
    assert agent["created_at"].endswith("Z")
    assert agent["created_at"] == agent["updated_at"]

    # And: a calls:read key reads it back, alone and in the list
    assert (get(reader, "support-bot")["statusCode"], body(get(reader, "support-bot"))) == (
        200,
        agent,
    )
    assert body(list_agents(reader)) == {"agents": [agent], "next_cursor": None}

    # When: the admin changes only its numbers
    changed = update(admin, "support-bot", {"phone_numbers": ["+14155550101", "+14155550100"]})

    # Then: the numbers are replaced in the order given; the rest is as it was
    assert changed["statusCode"] == 200
    now = body(changed)
    assert now["phone_numbers"] == ["+14155550101", "+14155550100"]
    assert (now["name"], now["connection"], now["created_at"]) == (
        agent["name"],
        agent["connection"],
        agent["created_at"],
    )
    assert now["updated_at"] >= agent["updated_at"]
    assert body(get(reader, "support-bot")) == now

    # When: the admin deletes it, twice
    first, second = delete(admin, "support-bot"), delete(admin, "support-bot")

    # Then: 204 with no body, then 404; it is gone
    assert (first["statusCode"], first["body"]) == (204, "")
    assert (second["statusCode"], body(second)) == (404, {"detail": "Agent not found"})
    assert body(get(reader, "support-bot")) == {"detail": "Agent not found"}
    assert body(list_agents(reader)) == {"agents": [], "next_cursor": None}


def test_an_agent_without_an_id_gets_a_generated_one(tenant: Any) -> None:
    # Given / When: an agent is created with no agent_id and no numbers
    result = create(
        tenant.authorizer(Scope.ADMIN),
        {"name": "Sales", "connection": {"type": "sip", "url": "sip:sales@pbx.example.com"}},
    )

    # Then: it gets a UUID, which reads it back, and an empty list of numbers
    assert result["statusCode"] == 201
    agent = body(result)
    assert str(uuid.UUID(agent["agent_id"])) == agent["agent_id"]
    assert agent["phone_numbers"] == []
    assert body(get(tenant.authorizer(Scope.CALLS_READ), agent["agent_id"]))["name"] == "Sales"


def test_agents_are_listed_by_agent_id(tenant: Any) -> None:
    # Given: three agents created out of order
    admin = tenant.authorizer(Scope.ADMIN)
    for agent_id in ("zeta", "alpha", "mid-1"):
        assert create(admin, {**SUPPORT_BOT, "agent_id": agent_id})["statusCode"] == 201

    # When: the tenant lists them
    agents = body(list_agents(tenant.authorizer(Scope.CALLS_READ)))["agents"]

    # Then: by agent id
    assert [a["agent_id"] for a in agents] == ["alpha", "mid-1", "zeta"]


def test_an_existing_agent_id_is_a_conflict_and_changes_nothing(tenant: Any) -> None:
    # Given: an agent
    admin = tenant.authorizer(Scope.ADMIN)
    original = body(create(admin, SUPPORT_BOT))

    # When: another agent is created with the same id
    result = create(admin, {**SUPPORT_BOT, "name": "Impostor"})

    # Then: 409, and the first agent is untouched
    assert (result["statusCode"], body(result)) == (409, {"detail": "Agent already exists"})
    assert body(get(tenant.authorizer(Scope.CALLS_READ), "support-bot")) == original


def test_another_tenants_agent_is_not_found(make_tenant: Any) -> None:
    # Given: tenant A's agent
    tenant_a, tenant_b = make_tenant(seed=1), make_tenant(seed=2)
    assert create(tenant_a.authorizer(Scope.ADMIN), SUPPORT_BOT)["statusCode"] == 201

    # When: tenant B, with every scope, reads, lists, changes and deletes it
    everything = tenant_b.authorizer()
    answers = [
        get(everything, "support-bot"),
        update(everything, "support-bot", {"name": "Mine now"}),
        delete(everything, "support-bot"),
    ]

    # Then: it is simply not found, B's list is empty, and A's agent is untouched
    assert [(a["statusCode"], body(a)) for a in answers] == [
        (404, {"detail": "Agent not found"})
    ] * 3
    assert body(list_agents(everything)) == {"agents": [], "next_cursor": None}
    assert body(get(tenant_a.authorizer(Scope.CALLS_READ), "support-bot"))["name"] == "Support bot"

    # And: B may create an agent with the same id: ids are per tenant
    assert create(tenant_b.authorizer(Scope.ADMIN), SUPPORT_BOT)["statusCode"] == 201


def test_an_unknown_agent_is_not_found_to_patch(tenant: Any) -> None:
    result = update(tenant.authorizer(Scope.ADMIN), "nobody", {"name": "x"})
    assert (result["statusCode"], body(result)) == (404, {"detail": "Agent not found"})


@pytest.mark.parametrize(
    ("scopes", "request_of", "missing"),
    [
        ((Scope.CALLS_WRITE,), lambda a: list_agents(a), "calls:read"),
        ((Scope.CALLS_WRITE,), lambda a: get(a, "support-bot"), "calls:read"),
        ((Scope.CALLS_READ, Scope.CALLS_WRITE), lambda a: create(a, SUPPORT_BOT), "admin"),
        ((Scope.CALLS_READ,), lambda a: update(a, "support-bot", {"name": "x"}), "admin"),
        ((Scope.CALLS_READ,), lambda a: delete(a, "support-bot"), "admin"),
    ],
    ids=["list", "get", "create", "update", "delete"],
)
def test_a_key_without_the_scope_is_refused(
    tenant: Any, scopes: tuple[Scope, ...], request_of: Any, missing: str
) -> None:
    # Given: an agent, and a key without the scope the endpoint needs
    create(tenant.authorizer(Scope.ADMIN), SUPPORT_BOT)

    # When: the key makes the request
    result = request_of(tenant.authorizer(*scopes))

    # Then: 403 names the scope, and the agent is as it was
    assert (result["statusCode"], body(result)) == (403, {"detail": f"Missing scope {missing}"})
    assert body(get(tenant.authorizer(Scope.CALLS_READ), "support-bot"))["name"] == "Support bot"


@pytest.mark.parametrize(
    ("agent", "loc", "message"),
    [
        ({**SUPPORT_BOT, "name": ""}, ["body", "name"], "at least 1 character"),
        ({**SUPPORT_BOT, "name": "x" * 121}, ["body", "name"], "at most 120 characters"),
        ({**SUPPORT_BOT, "agent_id": "Support Bot"}, ["body", "agent_id"], "pattern"),
        ({**SUPPORT_BOT, "agent_id": "a" * 65}, ["body", "agent_id"], "pattern"),
        ({**SUPPORT_BOT, "agent_id": "-x"}, ["body", "agent_id"], "pattern"),
        (
            {**SUPPORT_BOT, "phone_numbers": ["+14155550100", "4155550101"]},
            ["body", "phone_numbers", 1],
            "4155550101 must be an E.164 number",
        ),
        (
            {**SUPPORT_BOT, "phone_numbers": ["+1415555"]},
            ["body", "phone_numbers", 0],
            "+1415555 is not a valid phone number",
        ),
        (
            {**SUPPORT_BOT, "phone_numbers": [f"+1415555{n:04d}" for n in range(21)]},
            ["body", "phone_numbers"],
            "at most 20 items",
        ),
        (
            {**SUPPORT_BOT, "connection": {"type": "twiml_url", "url": "http://x.example.com"}},
            ["body", "connection", "url"],
            "a twiml_url connection needs an https:// URL",
        ),
        (
            {**SUPPORT_BOT, "connection": {"type": "media_stream", "url": "https://x.com/s"}},
            ["body", "connection", "url"],
            "a media_stream connection needs a wss:// URL",
        ),
        (
            {**SUPPORT_BOT, "connection": {"type": "sip", "url": "wss://pbx.example.com"}},
            ["body", "connection", "url"],
            "a sip connection needs a sip: or sips: URI",
        ),
        (
            {**SUPPORT_BOT, "connection": {"type": "phone", "url": "tel:+14155550100"}},
            ["body", "connection", "type"],
            "'twiml_url', 'media_stream' or 'sip'",
        ),
        ({k: v for k, v in SUPPORT_BOT.items() if k != "name"}, ["body", "name"], "required"),
        ({**SUPPORT_BOT, "voice": "alloy"}, ["body", "voice"], "Extra inputs"),
    ],
    ids=[
        "empty-name",
        "long-name",
        "id-with-space",
        "long-id",
        "id-starting-with-dash",
        "number-without-plus",
        "invalid-number",
        "too-many-numbers",
        "twiml-over-http",
        "stream-over-https",
        "sip-without-sip-uri",
        "unknown-connection-type",
        "no-name",
        "unknown-field",
    ],
)
def test_a_bad_agent_is_rejected_with_the_reason(
    tenant: Any, agent: dict[str, Any], loc: list[Any], message: str
) -> None:
    # Given / When: an admin creates an agent that breaks a rule
    admin = tenant.authorizer(Scope.ADMIN)
    result = create(admin, agent)

    # Then: 422 names the field and says why, and nothing was stored
    assert result["statusCode"] == 422
    detail = body(result)["detail"]
    assert [e["loc"] for e in detail] == [loc]
    assert message in detail[0]["msg"]
    assert body(list_agents(tenant.authorizer(Scope.CALLS_READ))) == {
        "agents": [],
        "next_cursor": None,
    }


def test_repeated_numbers_are_kept_once(tenant: Any) -> None:
    numbers = ["+14155550100", "+1 415 555 0100", "+14155550101"]
    agent = body(create(tenant.authorizer(Scope.ADMIN), {**SUPPORT_BOT, "phone_numbers": numbers}))
    assert agent["phone_numbers"] == ["+14155550100", "+14155550101"]


@pytest.mark.parametrize(
    ("changes", "loc"),
    [
        ({"name": None}, ["body", "name"]),
        ({"connection": None}, ["body", "connection"]),
        ({"connection": {"type": "sip"}}, ["body", "connection", "url"]),
        ({"phone_numbers": ["nope"]}, ["body", "phone_numbers", 0]),
        ({"agent_id": "renamed"}, ["body", "agent_id"]),
    ],
    ids=["null-name", "null-connection", "connection-without-url", "bad-number", "agent-id"],
)
def test_a_bad_change_is_rejected_and_changes_nothing(
    tenant: Any, changes: dict[str, Any], loc: list[Any]
) -> None:
    # Given: an agent
    admin = tenant.authorizer(Scope.ADMIN)
    original = body(create(admin, SUPPORT_BOT))

    # When: a change breaks a rule
    result = update(admin, "support-bot", changes)

    # Then: 422 names the field, and the agent is as it was
    assert result["statusCode"] == 422
    assert [e["loc"] for e in body(result)["detail"]] == [loc]
    assert body(get(tenant.authorizer(Scope.CALLS_READ), "support-bot")) == original


def test_a_patch_changes_the_connection_and_name_together(tenant: Any) -> None:
    admin = tenant.authorizer(Scope.ADMIN)
    create(admin, SUPPORT_BOT)
    connection = {"type": "twiml_url", "url": "https://voice.example.com/twiml?agent=support"}

    result = update(admin, "support-bot", {"name": "  Support  ", "connection": connection})

    assert result["statusCode"] == 200
    agent = body(result)
    assert (agent["name"], agent["connection"]) == ("Support", connection)
    assert agent["phone_numbers"] == ["+14155550100"]


def test_an_empty_patch_returns_the_agent_unchanged(tenant: Any) -> None:
    admin = tenant.authorizer(Scope.ADMIN)
    original = body(create(admin, SUPPORT_BOT))

    result = update(admin, "support-bot", {})

    assert (result["statusCode"], body(result)) == (200, original)


@pytest.mark.parametrize("agent_id", ["Support-Bot", "support bot", "-support", "a" * 65])
def test_an_agent_id_that_cannot_exist_is_rejected_in_the_path(tenant: Any, agent_id: str) -> None:
    result = get(tenant.authorizer(Scope.CALLS_READ), agent_id)
    assert result["statusCode"] == 422
    assert [e["loc"] for e in body(result)["detail"]] == [["path", "agent_id"]]


@pytest.mark.parametrize(
    ("raw_body", "headers", "status", "says"),
    [
        ("{not json", None, 422, "The body is not valid JSON"),
        ("", None, 422, "Field required"),
        ("[]", None, 422, "valid dictionary"),
        ('"support-bot"', None, 422, "valid dictionary"),
        (json.dumps(SUPPORT_BOT), {"content-type": "text/plain"}, 415, "send application/json"),
        (json.dumps(SUPPORT_BOT), {"content-type": "application/xml"}, 415, "application/xml"),
    ],
    ids=["not-json", "empty", "a-list", "a-string", "text-plain", "xml"],
)
def test_a_body_that_is_not_a_json_object_is_a_4xx_with_a_reason(
    tenant: Any, raw_body: str, headers: dict[str, str] | None, status: int, says: str
) -> None:
    # Given / When: an admin posts a body that is not a JSON object, or says it is not JSON
    result = create(tenant.authorizer(Scope.ADMIN), {}, raw_body=raw_body, headers=headers)

    # Then: the 4xx says why, as JSON
    assert result["statusCode"] == status
    assert result["headers"]["Content-Type"] == "application/json"
    assert says in json.dumps(body(result)["detail"])


def test_a_patch_with_a_wrong_content_type_is_refused(tenant: Any) -> None:
    admin = tenant.authorizer(Scope.ADMIN)
    create(admin, SUPPORT_BOT)

    result = update(admin, "support-bot", {"name": "x"}, headers={"content-type": "text/csv"})

    assert result["statusCode"] == 415
    assert body(result) == {"detail": "Unsupported Content-Type 'text/csv': send application/json"}


@pytest.mark.parametrize("encoded", ["//79", "%%%not-base64"], ids=["not-utf8", "not-base64"])
def test_a_base64_body_that_is_not_text_is_a_422(tenant: Any, encoded: str) -> None:
    # Given: a body API Gateway passed base64-encoded, that decodes to no text
    event = api_event(
        "create_agent",
        "POST /v1/agents",
        "/v1/agents",
        authorizer=tenant.authorizer(Scope.ADMIN),
        body=encoded,
    )
    event["isBase64Encoded"] = True

    # When: it is handled
    result = invoke("create_agent", event)

    # Then: 422 on the body, never a 500
    assert result["statusCode"] == 422
    assert body(result)["detail"][0]["loc"] == ["body"]


def test_the_sample_events_create_read_change_list_and_delete_the_sample_agent(
    make_tenant: Any,  # cleans up the samples' tenant's agents
) -> None:
    # Given / When: each sample event of events/ is handled as it is, in order
    created = invoke("create_agent", sample_event("create_agent"))
    got = invoke("get_agent", sample_event("get_agent"))
    changed = invoke("update_agent", sample_event("update_agent"))
    listed = invoke("list_agents", sample_event("list_agents"))
    deleted = invoke("delete_agent", sample_event("delete_agent"))

    # Then: they speak of the same agent, and each does what its route says
    assert created["statusCode"] == 201
    assert body(got) == body(created)
    assert body(changed)["name"] == "Support bot (evenings)"
    assert body(changed)["phone_numbers"] == ["+14155550100", "+14155550101"]
    assert body(listed) == {"agents": [body(changed)], "next_cursor": None}
    assert deleted["statusCode"] == 204
    assert invoke("get_agent", sample_event("get_agent"))["statusCode"] == 404


def test_the_dialer_finds_the_agent_and_its_from_number(
    tenant: Any, account_store: AccountStore
) -> None:
    # Given: an agent with two numbers, and a tenant default
    create(tenant.authorizer(Scope.ADMIN), {**SUPPORT_BOT, "phone_numbers": [B, A]})
    account_store.update_settings(
        tenant.tenant_id, TenantSettingsUpdate(default_from_number="+14155550199")
    )

    # When: the dialer reads the tenant and the agent as create_call does
    stored_tenant = account_store.get_tenant(tenant.tenant_id)
    agents = AgentStore(account_store.table_name)
    agent = agents.get_agent(tenant.tenant_id, "support-bot")

    # Then: the call comes from the agent's first number, else from the tenant's default
    assert resolve_from_number(stored_tenant, agent, None) == B
    assert resolve_from_number(stored_tenant, None, None) == "+14155550199"
    with pytest.raises(AgentNotFound):
        agents.get_agent(tenant.tenant_id, "nobody")

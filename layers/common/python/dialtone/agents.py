"""A tenant's agents: their names, their phone numbers, and how a placed call reaches them.

Items in the accounts table at (`TENANT#<tenant id>`, `AGENT#<agent id>`), so an agent of another
tenant is simply not found. Also the rule choosing the number an outbound call comes from.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import urlsplit

from botocore.exceptions import ClientError
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from dialtone import phones, settings
from dialtone.accounts import Tenant
from dialtone.auth import Principal, Scope
from dialtone.dynamo import TableStore, condition_failed, from_item, string_key, to_item
from dialtone.errors import AgentExists, AgentNotFound, InvalidParameter
from dialtone.model_types import NOT_BLANK, TRIMMED, ApiModel, Timestamp, format_timestamp
from dialtone.pagination import CursorCodec, KeyCursors, ListPage, codec_factory

AGENT_ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
MAX_PHONE_NUMBERS = 20
AGENT_PREFIX = "AGENT#"

AgentId = Annotated[str, Field(pattern=AGENT_ID_PATTERN)]
AgentName = Annotated[str, Field(min_length=1, max_length=120), TRIMMED, NOT_BLANK]


class ConnectionType(StrEnum):
    """How the telephony provider connects a placed call to the agent."""

    TWIML_URL = "twiml_url"  # the provider fetches call instructions from this HTTPS URL
    MEDIA_STREAM = "media_stream"  # the call's audio is streamed to this WebSocket
    SIP = "sip"  # the call is bridged to this SIP URI


def _has_host(url: str, scheme: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == scheme and bool(parts.hostname)


_SIP_URI = re.compile(r"^sips?:[^\s@]+(@[^\s@]+)?$")

# What each connection type needs its URL to look like, and the message when it does not.
_URL_RULES: dict[ConnectionType, tuple[Callable[[str], bool], str]] = {
    ConnectionType.TWIML_URL: (
        lambda url: _has_host(url, "https"),
        "a twiml_url connection needs an https:// URL",
    ),
    ConnectionType.MEDIA_STREAM: (
        lambda url: _has_host(url, "wss"),
        "a media_stream connection needs a wss:// URL",
    ),
    ConnectionType.SIP: (
        lambda url: bool(_SIP_URI.match(url)),
        "a sip connection needs a sip: or sips: URI, like sip:agent@example.com",
    ),
}


class AgentConnection(ApiModel):
    """How a placed call reaches the agent: a TwiML URL, a media stream or a SIP URI."""

    model_config = ConfigDict(extra="forbid")

    type: ConnectionType
    url: str = Field(min_length=1, max_length=2048)

    @field_validator("url")
    @classmethod
    def _url_fits_type(cls, url: str, info: ValidationInfo) -> str:
        kind = info.data.get("type")
        if kind is None:  # the type itself was invalid: that error is enough
            return url
        accepts, message = _URL_RULES[kind]
        if any(c.isspace() for c in url) or not accepts(url):
            raise PydanticCustomError("connection_url", message)
        return url


def _distinct(numbers: list[str] | None) -> list[str] | None:
    """The numbers without repeats, first occurrence kept, order kept."""
    return None if numbers is None else list(dict.fromkeys(numbers))


def _not_null(value: Any) -> Any:
    if value is None:
        raise PydanticCustomError("null_not_allowed", "may be left out, but not null")
    return value


class Agent(ApiModel):
    """An agent as the API shows it."""

    agent_id: str
    name: str
    phone_numbers: list[str] = Field(default_factory=list)
    connection: AgentConnection
    created_at: Timestamp
    updated_at: Timestamp


class AgentList(ApiModel):
    """A page of the tenant's agents, by agent id."""

    agents: list[Agent]
    # Where the next page starts (`?cursor=`), or null on the last page.
    next_cursor: str | None = None


class AgentCreate(BaseModel):
    """`POST /v1/agents`: an id may be given (a lower-case slug), else one is generated."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    agent_id: AgentId | None = None
    name: AgentName
    phone_numbers: list[phones.PhoneNumber] = Field(
        default_factory=list, max_length=MAX_PHONE_NUMBERS
    )
    connection: AgentConnection

    _numbers = field_validator("phone_numbers")(_distinct)


class AgentUpdate(BaseModel):
    """`PATCH /v1/agents/{agent_id}`: the fields given replace the stored ones."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    name: AgentName | None = None
    phone_numbers: list[phones.PhoneNumber] | None = Field(
        default=None, max_length=MAX_PHONE_NUMBERS
    )
    connection: AgentConnection | None = None

    # Validators do not run on defaults, so this refuses only an explicit null.
    _present = field_validator("name", "phone_numbers", "connection", mode="before")(_not_null)
    _numbers = field_validator("phone_numbers")(_distinct)


def _now() -> datetime:
    return datetime.now(UTC)


def _key(tenant_id: str, agent_id: str) -> dict[str, dict[str, str]]:
    return string_key(pk=f"TENANT#{tenant_id}", sk=f"{AGENT_PREFIX}{agent_id}")


def _agent(item: dict[str, Any]) -> Agent:
    return Agent.model_validate(from_item(item))


class AgentStore(TableStore):
    """Reads and writes a tenant's agents; raises AgentNotFound / AgentExists."""

    def list_agents(
        self, tenant_id: str, limit: int, after: str | None = None
    ) -> tuple[list[Agent], str | None]:
        """A page of the tenant's agents, by agent id, after the sort key `after`; and the
        sort key the next page starts after (None on the last page)."""
        items, last = self.query_prefix_page(f"TENANT#{tenant_id}", AGENT_PREFIX, limit, after)
        return [_agent(item) for item in items], last

    def agent_numbers(self, tenant_id: str) -> set[str]:
        """Every number of every agent of the tenant (read a page at a time)."""
        numbers: set[str] = set()
        after: str | None = None
        while True:
            page, after = self.list_agents(tenant_id, 100, after)
            numbers.update(n for agent in page for n in agent.phone_numbers)
            if after is None:
                return numbers

    def get_agent(self, tenant_id: str, agent_id: str) -> Agent:
        """One agent (a strongly consistent read: a dial right after an edit sees it)."""
        response = self.dynamodb.get_item(
            TableName=self.table_name, Key=_key(tenant_id, agent_id), ConsistentRead=True
        )
        if "Item" not in response:
            raise AgentNotFound()
        return _agent(response["Item"])

    def create_agent(self, tenant_id: str, request: AgentCreate) -> Agent:
        """Store a new agent; an agent id the tenant already has raises AgentExists."""
        now = _now()
        agent = Agent(
            agent_id=request.agent_id or str(uuid.uuid4()),
            name=request.name,
            phone_numbers=request.phone_numbers,
            connection=request.connection,
            created_at=now,
            updated_at=now,
        )
        item = {
            **_key(tenant_id, agent.agent_id),
            **to_item({"tenant_id": tenant_id, **agent.model_dump(mode="json")}),
        }
        try:
            self.dynamodb.put_item(
                TableName=self.table_name, Item=item, ConditionExpression="attribute_not_exists(pk)"
            )
        except ClientError as error:
            if condition_failed(error):
                raise AgentExists() from None
            raise
        return agent

    def update_agent(self, tenant_id: str, agent_id: str, request: AgentUpdate) -> Agent:
        """Replace the fields given; the agent as it now is. Raises AgentNotFound."""
        changes = request.model_dump(mode="json", include=request.model_fields_set)
        if not changes:
            return self.get_agent(tenant_id, agent_id)
        changes["updated_at"] = format_timestamp(_now())
        names = {f"#{name}": name for name in changes}
        values = {f":{name}": to_item({"v": value})["v"] for name, value in changes.items()}
        expression = "SET " + ", ".join(f"#{name} = :{name}" for name in changes)
        try:
            response = self.dynamodb.update_item(
                TableName=self.table_name,
                Key=_key(tenant_id, agent_id),
                UpdateExpression=expression,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ConditionExpression="attribute_exists(pk)",
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if condition_failed(error):
                raise AgentNotFound() from None
            raise
        return _agent(response["Attributes"])

    def delete_agent(self, tenant_id: str, agent_id: str) -> None:
        """Remove an agent; an unknown one raises AgentNotFound."""
        try:
            self.dynamodb.delete_item(
                TableName=self.table_name,
                Key=_key(tenant_id, agent_id),
                ConditionExpression="attribute_exists(pk)",
            )
        except ClientError as error:
            if condition_failed(error):
                raise AgentNotFound() from None
            raise


class Agents:
    """The rules of the agent endpoints: who may do what, over the store."""

    def __init__(self, store: AgentStore, codec: Callable[[], CursorCodec] | None = None) -> None:
        self.store = store
        self._codec = codec

    def list(self, principal: Principal, page: ListPage | None = None) -> AgentList:
        """A page of the tenant's agents, by agent id."""
        principal.require(Scope.CALLS_READ)
        page = page or ListPage()
        cursors = KeyCursors(self._codec_of, principal.tenant_id, "agents")
        agents, last = self.store.list_agents(
            principal.tenant_id, page.limit, cursors.after(page.cursor)
        )
        return AgentList(agents=agents, next_cursor=cursors.next(last))

    def _codec_of(self) -> CursorCodec:
        if self._codec is None:  # pragma: no cover - wiring error
            raise RuntimeError("the list needs CURSOR_SECRET_ARN")
        return self._codec()

    def get(self, principal: Principal, agent_id: str) -> Agent:
        principal.require(Scope.CALLS_READ)
        return self.store.get_agent(principal.tenant_id, agent_id)

    def create(self, principal: Principal, request: AgentCreate) -> Agent:
        principal.require(Scope.ADMIN)
        return self.store.create_agent(principal.tenant_id, request)

    def update(self, principal: Principal, agent_id: str, request: AgentUpdate) -> Agent:
        principal.require(Scope.ADMIN)
        return self.store.update_agent(principal.tenant_id, agent_id, request)

    def delete(self, principal: Principal, agent_id: str) -> None:
        principal.require(Scope.ADMIN)
        self.store.delete_agent(principal.tenant_id, agent_id)


class AgentsSettings(settings.EnvSettings):
    """The agent handlers: the accounts table, where agents live."""

    accounts_table: str = Field(alias="ACCOUNTS_TABLE", min_length=1)


@settings.per_environment
def service() -> Agents:
    """The agent service of the agent handlers (the accounts table from the environment)."""
    return Agents(
        AgentStore(settings.load(AgentsSettings).accounts_table),
        codec_factory(),
    )


def resolve_from_number(tenant: Tenant, agent: Agent | None, requested: str | None) -> str:
    """The number an outbound call comes from: the request's own (already validated E.164),
    else the agent's first number, else the tenant's default. None of them: InvalidParameter
    (422) on `from_number`."""
    if requested:
        return requested
    if agent is not None and agent.phone_numbers:
        return agent.phone_numbers[0]
    if tenant.default_from_number:
        return tenant.default_from_number
    raise InvalidParameter(
        ("body", "from_number"), "no from_number: the request, the agent and the tenant have none"
    )


def check_caller_id(
    tenant: Tenant, agent: Agent | None, number: str, agents_numbers: Callable[[], set[str]]
) -> None:
    """A call may come only from a number the tenant owns: its default, one of its agents'
    numbers, or one of its allowed caller IDs. InvalidParameter (422) on `from_number`
    otherwise. `agents_numbers` (every number of the tenant's agents) is asked only when the
    cheaper checks did not settle it."""
    if number == tenant.default_from_number or number in tenant.caller_ids:
        return
    if agent is not None and number in agent.phone_numbers:
        return
    if number in agents_numbers():
        return
    raise InvalidParameter(
        ("body", "from_number"),
        f"from_number {number} is not a caller ID of this tenant: use its default number, one "
        "of its agents' numbers or one of its allowed caller IDs "
        "(dialtone admin set-tenant --caller-ids)",
        "caller_id",
    )

"""GET /v1/agents: the tenant's agents, by agent id, cursor-paged."""

from __future__ import annotations

from typing import Annotated, Any

from dialtone import agents, http
from dialtone.agents import AgentList
from dialtone.auth import Scope
from dialtone.errors import InvalidCursor
from dialtone.http import Query, Response
from dialtone.observability import api_handler
from dialtone.pagination import ListPage

app = http.create_app()


@app.get(
    "/v1/agents",
    **http.operation(
        "List agents",
        tag=http.Tag.AGENTS,
        scope=Scope.CALLS_READ,
        ok={200: AgentList},
        errors=(InvalidCursor,),
    ),
)
def list_agents(params: Annotated[ListPage, Query()]) -> Response[Any]:
    return http.json_response(agents.service().list(http.principal(app), params))


@api_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)

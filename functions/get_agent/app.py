"""GET /v1/agents/{agent_id}: one agent of the tenant."""

from __future__ import annotations

from typing import Annotated, Any

from dialtone import agents, http
from dialtone.agents import AGENT_ID_PATTERN, Agent
from dialtone.auth import Scope
from dialtone.errors import AgentNotFound
from dialtone.http import Path, Response
from dialtone.observability import api_handler

app = http.create_app()


@app.get(
    "/v1/agents/<agent_id>",
    **http.operation(
        "Get an agent",
        tag=http.Tag.AGENTS,
        scope=Scope.CALLS_READ,
        ok={200: Agent},
        errors=(AgentNotFound,),
    ),
)
def get_agent(agent_id: Annotated[str, Path(pattern=AGENT_ID_PATTERN)]) -> Response[Any]:
    return http.json_response(agents.service().get(http.principal(app), agent_id))


@api_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)

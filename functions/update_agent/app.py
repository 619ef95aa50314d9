"""PATCH /v1/agents/{agent_id}: change an agent's name, numbers or connection."""

from __future__ import annotations

from typing import Annotated, Any

from dialtone import agents, http
from dialtone.agents import AGENT_ID_PATTERN, Agent, AgentUpdate
from dialtone.auth import Scope
from dialtone.errors import AgentNotFound
from dialtone.http import Body, Path, RequestUnsupportedContentType, Response
from dialtone.observability import api_handler

app = http.create_app()


@app.patch(
    "/v1/agents/<agent_id>",
    **http.operation(
        "Update an agent",
        tag=http.Tag.AGENTS,
        scope=Scope.ADMIN,
        ok={200: Agent},
        errors=(AgentNotFound, RequestUnsupportedContentType),
    ),
)
def update_agent(
    agent_id: Annotated[str, Path(pattern=AGENT_ID_PATTERN)],
    request: Annotated[AgentUpdate, Body()],
) -> Response[Any]:
    agent = agents.service().update(http.principal(app), agent_id, request)
    return http.json_response(agent)


@api_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)

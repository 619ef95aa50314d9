"""POST /v1/agents: a new agent (201); an agent id the tenant already has is a 409."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any

from dialtone import agents, http
from dialtone.agents import Agent, AgentCreate
from dialtone.auth import Scope
from dialtone.errors import AgentExists
from dialtone.http import Body, RequestUnsupportedContentType, Response
from dialtone.observability import api_handler

app = http.create_app()


@app.post(
    "/v1/agents",
    **http.operation(
        "Create an agent",
        tag=http.Tag.AGENTS,
        scope=Scope.ADMIN,
        ok={201: Agent},
        errors=(AgentExists, RequestUnsupportedContentType),
    ),
)
def create_agent(request: Annotated[AgentCreate, Body()]) -> Response[Any]:
    agent = agents.service().create(http.principal(app), request)
    return http.json_response(agent, HTTPStatus.CREATED)


@api_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)

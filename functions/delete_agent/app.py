"""DELETE /v1/agents/{agent_id}: remove an agent (204); an unknown one is a 404."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any

from dialtone import agents, http
from dialtone.agents import AGENT_ID_PATTERN
from dialtone.auth import Scope
from dialtone.errors import AgentNotFound
from dialtone.http import Path, Response
from dialtone.observability import api_handler

app = http.create_app()


@app.delete(
    "/v1/agents/<agent_id>",
    **http.operation(
        "Delete an agent",
        tag=http.Tag.AGENTS,
        scope=Scope.ADMIN,
        ok={204: None},
        errors=(AgentNotFound,),
    ),
)
def delete_agent(agent_id: Annotated[str, Path(pattern=AGENT_ID_PATTERN)]) -> Response[Any]:
    agents.service().delete(http.principal(app), agent_id)
    return Response(status_code=HTTPStatus.NO_CONTENT, body="")


@api_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)

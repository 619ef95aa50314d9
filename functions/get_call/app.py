"""GET /v1/calls/{call_id}: one call; `?include=transcript` adds its exchanges."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from dialtone import calls, http
from dialtone.auth import Scope
from dialtone.call_responses import CallWithTranscript
from dialtone.errors import CallNotFound
from dialtone.http import Path, Query, Response
from dialtone.models import Call
from dialtone.observability import api_handler

app = http.create_app()


@app.get(
    "/v1/calls/<call_id>",
    **http.operation(
        "Get a call",
        tag=http.Tag.CALLS,
        scope=Scope.CALLS_READ,
        ok={200: Call | CallWithTranscript},
        errors=(CallNotFound,),
    ),
)
def get_call(
    call_id: Annotated[UUID, Path()],
    include: Annotated[Literal["transcript"] | None, Query()] = None,
) -> Response[Any]:
    call = calls.call_reader().get_call(
        http.principal(app), str(call_id), include_transcript=include == "transcript"
    )
    return http.json_response(call)


@api_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)

"""POST /v1/telephony/twilio/status: Twilio's status callbacks (no API key: Twilio signs them).

Answers 204 No Content: a status callback is a notification, not a request for TwiML, so
Twilio ignores its body; any 2xx tells Twilio it was delivered.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from dialtone import http
from dialtone.auth import TENANT_ID_PATTERN as TENANT_ID
from dialtone.observability import api_handler
from dialtone.telephony import status_callbacks

app = http.create_app()


@app.post("/v1/telephony/twilio/status")
def twilio_status(
    tenant_id: Annotated[str, Query(pattern=TENANT_ID)],
    call_id: Annotated[UUID, Query()],
) -> Response[Any]:
    status_callbacks.receiver().receive(tenant_id, str(call_id), app.current_event.raw_event)
    return Response(status_code=204)


@api_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)

"""POST /v1/telephony/twilio/status: Twilio's status callbacks (no API key: Twilio signs them).

Answers 204 No Content: a status callback is a notification, not a request for TwiML, so
Twilio ignores its body; any 2xx tells Twilio it was delivered.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from dialtone import http
from dialtone.auth import TENANT_ID_PATTERN as TENANT_ID
from dialtone.errors import CallNotFound, InvalidTwilioSignature, MalformedRequestBody
from dialtone.http import Query, Response
from dialtone.observability import api_handler
from dialtone.telephony import PROVIDER_STATUS, status_callbacks

app = http.create_app()

# The fields of Twilio's form that move the call; Twilio sends more, which are ignored.
CALLBACK_FORM = {
    "required": True,
    "content": {
        "application/x-www-form-urlencoded": {
            "schema": {
                "type": "object",
                "required": ["CallSid", "CallStatus"],
                "properties": {
                    "CallSid": {"type": "string"},
                    "CallStatus": {"type": "string", "enum": sorted(PROVIDER_STATUS)},
                    "CallDuration": {"type": "string", "pattern": "^[0-9]+$"},
                    "Timestamp": {"type": "string", "description": "RFC 2822"},
                    "SipResponseCode": {"type": "string"},
                },
                "additionalProperties": True,
            }
        }
    },
}


@app.post(
    "/v1/telephony/twilio/status",
    **http.operation(
        "Receive a Twilio status callback",
        tag=http.Tag.TELEPHONY,
        description="Public: no API key; Twilio signs the form body it posts, and a request "
        "whose `X-Twilio-Signature` does not match is refused (403).",
        request_body=CALLBACK_FORM,
        ok={204: None},
        errors=(MalformedRequestBody, InvalidTwilioSignature, CallNotFound),
    ),
)
def twilio_status(
    tenant_id: Annotated[str, Query(pattern=TENANT_ID)],
    call_id: Annotated[UUID, Query()],
) -> Response[Any]:
    status_callbacks.receiver().receive(tenant_id, str(call_id), app.current_event.raw_event)
    return Response(status_code=204)


@api_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)

"""`make openapi`: the API's OpenAPI 3.1 document, merged from every API function's resolver.

Each `functions/<name>/app.py` that builds its app with `dialtone.http.create_app()` is imported
under its own module name, asked for its own document (powertools builds it from the route
declarations), and merged: paths, and component schemas that must agree where two functions
share one. The result is written, with sorted keys, to `openapi.json` at the repository root and
next to the docs function, which serves it. `python -m tools.openapi --check` fails when either
file differs from what the code declares.
"""

from __future__ import annotations

import json
import random
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, create_model

from dialtone import http
from dialtone.http import Tag
from local.invoke import load_handler

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS = ROOT / "functions"
DOCUMENT = ROOT / "openapi.json"
# The docs function serves its own copy: a function's package holds only its own directory.
SERVED_DOCUMENT = FUNCTIONS / "get_api_docs" / "openapi.json"
OUTPUTS = (DOCUMENT, SERVED_DOCUMENT)

INFO = {
    "title": "Dialtone Calls API",
    "version": "1.0.0",
    "summary": "Call records, transcripts, recordings and outbound dialing for AI voice agents",
    "description": (
        "Every request carries an API key as `X-API-Key: <key>` or as "
        "`Authorization: Bearer <key>`; a route's security "
        "requirement names the scope its key must hold. Errors are "
        '`{"detail": "..."}`, or for validation `{"detail": [{"loc", "msg", "type"}]}`; API '
        'Gateway\'s own refusals (no key, a refused key) are `{"message": "..."}`.'
    ),
    "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"},
}
SERVERS = [
    {"url": "/", "description": "This deployment"},
    {"url": "http://127.0.0.1:3000", "description": "The local stack (make dev)"},
]
SECURITY_SCHEMES = {
    "ApiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
    # The same key as a bearer token, as the platforms this API replaces send it.
    "Bearer": {"type": "http", "scheme": "bearer", "description": "The API key as a bearer token"},
}
TAGS = {
    Tag.CALLS: "Reading calls: the list, one call, its transcript, history and recording",
    Tag.CALL_DATA: "What the voice runtime reports (scope calls:ingest), and erasure",
    Tag.DIALING: "Outbound calls and batches, paced at the telephony account's rate",
    Tag.AGENTS: "The tenant's agents",
    Tag.SUPPRESSIONS: "The tenant's do-not-call list, checked at dial time",
    Tag.TELEPHONY: "Callbacks from the telephony provider",
    Tag.QUALITY: "Grading calls (rubric or Amazon Bedrock) and the issue reports filed on them",
    Tag.WEBHOOKS: "Signed event deliveries to the tenant's HTTPS endpoints (scope webhooks:manage)",
    Tag.DOCS: "This document and its Swagger UI",
}


class MergeError(Exception):
    """Two functions declare the same route, or different schemas under one name."""


def api_function_names() -> list[str]:
    """The functions whose handler is an HTTP API resolver made by `dialtone.http`."""
    return sorted(
        path.parent.name
        for path in FUNCTIONS.glob("*/app.py")
        if "http.create_app()" in path.read_text()
    )


def function_document(name: str) -> dict[str, Any]:
    """One function's own OpenAPI document, as its resolver describes it."""
    app = load_handler(name).app
    schema = app.get_openapi_schema(title=str(INFO["title"]), version=str(INFO["version"]))
    document: dict[str, Any] = schema.model_dump(mode="json", by_alias=True, exclude_none=True)
    routes = {route.operation_id: route for route in app._static_routes + app._dynamic_routes}
    schemas = document.get("components", {}).get("schemas", {})
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            route = routes[operation["operationId"]]
            # operationId = the route function's name (`get_call`): an SDK's method name.
            operation["operationId"] = route.func.__name__
            _describe_query_models(route, operation, schemas)
            _drop_impossible_validation(operation)
            _uri_too_long(operation)
            _join_edge_responses(operation, http.edge_responses(method, path))
    return document


def _drop_impossible_validation(operation: dict[str, Any]) -> None:
    """powertools validates parameters and bodies only: a route with neither never answers
    422, unless one of its declared errors is a 422."""
    if operation.get("parameters") or operation.get("requestBody"):
        return
    answer = operation["responses"].get("422", {})
    examples = answer.get("content", {}).get("application/json", {}).get("examples", {})
    if set(examples) <= {"ValidationError"}:
        operation["responses"].pop("422", None)


# The server in front of the functions refuses a request line longer than it reads (10,240
# bytes on API Gateway, 65,536 on the local stack's) before any function runs, in its own words.
URI_TOO_LONG = {
    "description": "URI Too Long: the request line (path and query) is longer than the "
    "gateway accepts; no function ran"
}


def _uri_too_long(operation: dict[str, Any]) -> None:
    """414 on an operation whose path or query carries parameters a client may make long."""
    if any(p["in"] in ("path", "query") for p in operation.get("parameters", [])):
        operation["responses"]["414"] = URI_TOO_LONG


def _join_edge_responses(operation: dict[str, Any], edge: dict[int, dict[str, Any]]) -> None:
    """The edge's answers joined to the route's own: a status the route already declares
    gains the edge's examples (and its body model, when it differs)."""
    responses = operation["responses"]
    for status, answer in edge.items():
        own = responses.get(str(status))
        if own is None:
            responses[str(status)] = answer
            continue
        own_media = own["content"]["application/json"]
        edge_media = answer["content"]["application/json"]
        for name, example in edge_media.get("examples", {}).items():
            own_media.setdefault("examples", {}).setdefault(name, example)
        if own_media["schema"] != edge_media["schema"] and edge_media["schema"] not in (
            own_media["schema"].get("anyOf", [])
        ):
            own_media["schema"] = {"anyOf": [own_media["schema"], edge_media["schema"]]}
        if answer["description"] not in own["description"]:
            own["description"] = f"{own['description']}; {answer['description']}"
    operation["responses"] = dict(sorted(responses.items()))


def _describe_query_models(route: Any, operation: dict[str, Any], schemas: dict[str, Any]) -> None:
    """A query parameter model (`ListCallsParams`) is listed by powertools as bare types; each
    of its parameters gets its field's full schema (bounds, enums, formats) instead."""
    for param in route.dependant.query_params:
        model = param.field_info.annotation
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            continue
        fields = schemas[model.__name__]
        for parameter in operation.get("parameters", []):
            field = fields["properties"].get(parameter["name"])
            if parameter["in"] == "query" and field is not None:
                parameter["schema"] = field
                parameter["required"] = parameter["name"] in fields.get("required", [])
                if "description" in field:
                    parameter["description"] = field["description"]


def _referenced(paths: dict[str, Any], schemas: dict[str, Any]) -> set[str]:
    """The schemas the paths refer to, directly or through other schemas."""
    prefix = "#/components/schemas/"
    seen: set[str] = set()
    pending = [paths]
    while pending:
        text = json.dumps(pending.pop())
        for chunk in text.split(f'"{prefix}')[1:]:
            name = chunk.split('"', 1)[0]
            if name not in seen:
                seen.add(name)
                pending.append(schemas[name])
    return seen


def merge(documents: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The functions' documents as one: a route or a schema name declared twice differently is
    a MergeError naming both functions."""
    paths: dict[str, dict[str, Any]] = {}
    schemas: dict[str, Any] = {}
    owners: dict[str, str] = {}
    for function, document in sorted(documents.items()):
        for path, operations in document.get("paths", {}).items():
            for method, operation in operations.items():
                if method in paths.setdefault(path, {}):
                    raise MergeError(f"{method.upper()} {path} is declared twice ({function})")
                paths[path][method] = operation
        for name, schema in document.get("components", {}).get("schemas", {}).items():
            if name in schemas and schemas[name] != schema:
                raise MergeError(f"schema {name} differs in {owners[name]} and {function}")
            schemas.setdefault(name, schema)
            owners.setdefault(name, function)
    return {"paths": paths, "schemas": schemas}


def _add_response_models(schemas: dict[str, Any]) -> None:
    """The schemas of the response models the routes refer to (dialtone.http registers them),
    as they are serialised; one that powertools also wrote for a request must agree."""
    # One model with a field of each: its schema's definitions are theirs, named as they are.
    fields: Any = {name: (model, ...) for name, model in http.RESPONSE_MODELS.items()}
    every = create_model("EveryResponse", **fields)
    definitions = every.model_json_schema(
        mode="serialization", ref_template="#/components/schemas/{model}"
    )
    for name, written in definitions.get("$defs", {}).items():
        schema = _without_nulls(written)
        if name in schemas and schemas[name] != schema:
            raise MergeError(f"schema {name} differs as a request and as a response")
        schemas[name] = schema


# The headers every webhook request carries (Standard Webhooks).
WEBHOOK_HEADERS = {
    "webhook-id": "The delivery's id (`msg_...`): the same on every attempt, so a receiver "
    "can ignore one it has already handled",
    "webhook-timestamp": "When this attempt was signed, in seconds since the epoch",
    "webhook-signature": "`v1,<base64 HMAC-SHA256>` of `<webhook-id>.<webhook-timestamp>."
    "<body>` with the subscription's secret; during a secret's rotation, one signature per "
    "secret, separated by spaces",
}


def _webhooks(schemas: dict[str, Any]) -> dict[str, Any]:
    """openapi.json's `webhooks`: each event type a subscription can choose, with its payload's
    schema (from the models of dialtone.webhooks.events) among the components."""
    from dialtone.webhooks.events import EVENT_DOCS

    fields: Any = {doc.payload.__name__: (doc.payload, ...) for doc in EVENT_DOCS.values()}
    every = create_model("EveryWebhook", **fields)
    definitions = every.model_json_schema(
        mode="serialization", ref_template="#/components/schemas/{model}"
    )
    for name, written in definitions.get("$defs", {}).items():
        schema = _without_nulls(written)
        if name in schemas and schemas[name] != schema:
            raise MergeError(f"schema {name} differs in a webhook payload and in the API")
        schemas[name] = schema
    parameters = [
        {
            "name": name,
            "in": "header",
            "required": True,
            "schema": {"type": "string"},
            "description": text,
        }
        for name, text in WEBHOOK_HEADERS.items()
    ]
    return {
        event.value: {
            "post": {
                "summary": f"`{event.value}`",
                "description": doc.sent_when,
                "operationId": f"webhook_{event.value.replace('.', '_')}",
                "parameters": parameters,
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": f"#/components/schemas/{doc.payload.__name__}"}
                        }
                    },
                },
                "responses": {
                    "2XX": {"description": "Received: the delivery succeeded"},
                    "410": {"description": "Gone: the subscription is disabled"},
                    "429": {"description": "Too many requests: retried after `Retry-After`"},
                    "503": {"description": "Unavailable: retried after `Retry-After`"},
                },
            }
        }
        for event, doc in EVENT_DOCS.items()
    }


# OpenAPI links: how an answer's id feeds the next operation, so that clients (and a stateful
# fuzzer) can follow a call's life: dial it, read it, cancel it; or report it from the voice
# runtime, append its exchanges and events, upload its recording, read the transcript and
# history, grade it, report an issue, erase it, and read it gone. Agents, batches and webhooks
# are followed from their creation the same way, and a webhook's test delivery to its retry.
_CREATED_CALL = {"call_id": "$response.body#/call_id"}
_REPORTED_CALL = {"call_id": "$request.path.call_id"}
_CREATED_AGENT = {"agent_id": "$response.body#/agent_id"}
_CREATED_WEBHOOK = {"webhook_id": "$response.body#/id"}
LINKS: dict[tuple[str, str, str], dict[str, tuple[str, dict[str, str]]]] = {
    ("post", "/v1/agents", "201"): {
        "GetAgent": ("get_agent", _CREATED_AGENT),
        "UpdateAgent": ("update_agent", _CREATED_AGENT),
        "DeleteAgent": ("delete_agent", _CREATED_AGENT),
    },
    ("delete", "/v1/agents/{agent_id}", "204"): {
        "GetAgent": ("get_agent", {"agent_id": "$request.path.agent_id"}),
    },
    ("post", "/v1/calls/batch", "202"): {
        "GetBatch": ("get_call_batch", {"batch_id": "$response.body#/batch_id"}),
    },
    ("post", "/v1/webhooks", "201"): {
        "GetWebhook": ("get_webhook", _CREATED_WEBHOOK),
        "UpdateWebhook": ("update_webhook", _CREATED_WEBHOOK),
        "SendTestEvent": ("send_test_event", _CREATED_WEBHOOK),
        "RotateSecret": ("rotate_webhook_secret", _CREATED_WEBHOOK),
        "ListDeliveries": ("list_webhook_deliveries", _CREATED_WEBHOOK),
        "DeleteWebhook": ("delete_webhook", _CREATED_WEBHOOK),
    },
    ("post", "/v1/webhooks/{webhook_id}/test", "202"): {
        "ListDeliveries": ("list_webhook_deliveries", {"webhook_id": "$request.path.webhook_id"}),
        "RetryDelivery": (
            "retry_webhook_delivery",
            {
                "webhook_id": "$request.path.webhook_id",
                "delivery_id": "$response.body#/delivery_id",
            },
        ),
    },
    ("delete", "/v1/webhooks/{webhook_id}", "204"): {
        "GetWebhook": ("get_webhook", {"webhook_id": "$request.path.webhook_id"}),
    },
    ("post", "/v1/calls", "202"): {
        "GetCall": ("get_call", _CREATED_CALL),
        "CancelCall": ("cancel_call", _CREATED_CALL),
    },
    ("post", "/v1/calls/{call_id}/cancel", "200"): {"GetCall": ("get_call", _REPORTED_CALL)},
    **{
        ("put", "/v1/calls/{call_id}", status): {
            "GetCall": ("get_call", _REPORTED_CALL),
            "AppendExchanges": ("append_call_exchanges", _REPORTED_CALL),
            "AppendEvents": ("append_call_events", _REPORTED_CALL),
            "CreateRecordingUpload": ("create_recording_upload", _REPORTED_CALL),
            "GradeCall": ("grade_call", _REPORTED_CALL),
            "CreateIssueReport": ("create_issue_report", _REPORTED_CALL),
            "DeleteCall": ("delete_call", _REPORTED_CALL),
        }
        for status in ("200", "201")
    },
    ("post", "/v1/calls/{call_id}/exchanges", "200"): {
        "GetTranscript": ("get_call_transcript", _REPORTED_CALL),
        "DeleteCall": ("delete_call", _REPORTED_CALL),
    },
    ("get", "/v1/calls/{call_id}/transcript", "200"): {
        "DeleteCall": ("delete_call", _REPORTED_CALL),
    },
    ("post", "/v1/calls/{call_id}/events", "200"): {
        "GetHistory": ("get_call_history", _REPORTED_CALL),
    },
    ("post", "/v1/calls/{call_id}/recording/upload", "200"): {
        "GetRecording": ("get_call_recording", _REPORTED_CALL),
    },
    ("post", "/v1/calls/{call_id}/grade", "200"): {
        "GetGrade": ("get_call_grade", _REPORTED_CALL),
    },
    ("post", "/v1/calls/{call_id}/issue-reports", "201"): {
        "ListIssueReports": ("list_call_issue_reports", _REPORTED_CALL),
    },
    ("delete", "/v1/calls/{call_id}", "204"): {"GetCall": ("get_call", _REPORTED_CALL)},
}


def _add_links(paths: dict[str, Any]) -> None:
    """`LINKS` written into the responses they start from."""
    for (method, path, status), links in LINKS.items():
        response = paths[path][method]["responses"][status]
        response["links"] = {
            name: {"operationId": operation_id, "parameters": parameters}
            for name, (operation_id, parameters) in links.items()
        }


def _without_nulls(node: Any) -> Any:
    """A schema as powertools writes its own: without null values (`"default": null`)."""
    if isinstance(node, dict):
        return {key: _without_nulls(value) for key, value in node.items() if value is not None}
    if isinstance(node, list):
        return [_without_nulls(value) for value in node]
    return node


def _tidy(node: Any) -> Any:
    """Drops what the document does not need: empty `content` (no body) and the `Return`
    title powertools gives a response union."""
    if isinstance(node, dict):
        return {
            key: _tidy(value)
            for key, value in node.items()
            if not (key == "content" and value == {}) and not (key == "title" and value == "Return")
        }
    if isinstance(node, list):
        return [_tidy(value) for value in node]
    return node


def _examples() -> dict[str, Any]:
    """Examples of the main schemas, made the way the demo data is (local/seed.py)."""
    from dialtone.model_types import CallStatus, Direction
    from local.seed import make_call, make_exchanges

    rng = random.Random(2026)  # noqa: S311 (examples, not secrets)
    start = datetime(2026, 3, 2, 15, 4, 5, tzinfo=UTC)
    call = make_call(
        rng, start_time=start, direction=Direction.OUTBOUND, status=CallStatus.COMPLETED
    )
    exchanges = make_exchanges(call, 2)
    return {
        "Call": call.model_dump(mode="json"),
        "Exchange": exchanges[0].model_dump(mode="json"),
    }


# What a client sends, one example per request body: shown by /v1/docs and sent first by the
# contract fuzzing (its examples phase). Each is validated by its model when the document is
# made, so an example the API would refuse cannot be committed.
REQUEST_EXAMPLES: dict[str, tuple[str, dict[str, Any]]] = {
    "AgentCreate": (
        "dialtone.agents",
        {
            "agent_id": "billing-assistant",
            "name": "Billing assistant",
            "phone_numbers": ["+14155550100"],
            "connection": {"type": "media_stream", "url": "wss://agents.example.com/billing"},
        },
    ),
    "AgentUpdate": ("dialtone.agents", {"name": "Billing assistant (v2)"}),
    "DialRequest": (
        "dialtone.dialing.accept",
        {
            "to_number": "+14155550123",
            "agent_id": "billing-assistant",
            "metadata": {"crm_id": "A-1042"},
        },
    ),
    "BatchDialRequest": (
        "dialtone.dialing.accept",
        {
            "to_numbers": ["+14155550123", "+14155550124", "+14155550125"],
            "agent_id": "billing-assistant",
            "metadata": {"campaign": "renewals-march"},
        },
    ),
    "SearchCallsRequest": (
        "dialtone.calls",
        {
            "call_ids": [
                "0b6f3b5e-2d55-4a58-8d8a-3c1f1e9b7a10",
                "6c2e8d41-9f3a-4b7e-a1d2-5e8f0c3b9a27",
            ]
        },
    ),
    "CallUpdate": (
        "dialtone.ingest",
        {
            "direction": "inbound",
            "status": "completed",
            "outcome": "resolved",
            "from_number": "+14155550123",
            "to_number": "+14155550100",
            "agent_id": "billing-assistant",
            "start_time": "2026-03-02T15:04:05Z",
            "end_time": "2026-03-02T15:06:17Z",
            "duration_seconds": 132.0,
            "end_reason": "caller_hangup",
        },
    ),
    "EventsRequest": (
        "dialtone.ingest",
        {
            "events": [
                {"type": "started", "timestamp": "2026-03-02T15:04:05Z"},
                {
                    "type": "function_call",
                    "timestamp": "2026-03-02T15:04:41Z",
                    "name": "lookup_invoice",
                    "arguments": {"invoice": "INV-2291"},
                },
            ]
        },
    ),
    "ExchangesRequest": (
        "dialtone.ingest",
        {
            "exchanges": [
                {
                    "sequence_number": 0,
                    "user_transcript": "Hi, I have a question about my last invoice.",
                    "agent_response": "Of course. Could you tell me the invoice number?",
                    "user_start_ms": 1200,
                    "user_end_ms": 3900,
                    "agent_start_ms": 4600,
                    "agent_end_ms": 7300,
                }
            ]
        },
    ),
    "IssueReportCreate": (
        "dialtone.quality.models",
        {
            "title": "Agent talked over the caller",
            "severity": "warning",
            "category": "interrupted_caller",
            "description": "At 0:41 the agent answered before the caller had finished.",
        },
    ),
    "RecordingUploadRequest": ("dialtone.recordings", {"format": "wav", "size_bytes": 2_116_844}),
    "SuppressionCreate": (
        "dialtone.dialing.suppressions",
        {"phone_number": "+14155550123", "reason": "Asked not to be called again"},
    ),
    "WebhookCreate": (
        "dialtone.webhooks.service",
        {
            "url": "https://hooks.example.com/dialtone",
            "events": ["call.completed", "call.failed"],
            "description": "CRM sync",
        },
    ),
    "WebhookUpdate": ("dialtone.webhooks.service", {"enabled": False}),
}


def _request_examples() -> dict[str, Any]:
    """REQUEST_EXAMPLES, each checked by its model (a ValidationError if the API refuses it)."""
    import importlib

    for name, (module, example) in REQUEST_EXAMPLES.items():
        getattr(importlib.import_module(module), name).model_validate(example)
    return {name: example for name, (_, example) in REQUEST_EXAMPLES.items()}


def document() -> dict[str, Any]:
    """The whole API's OpenAPI document."""
    merged = merge({name: function_document(name) for name in api_function_names()})
    _add_links(merged["paths"])
    schemas = merged["schemas"]
    _add_response_models(schemas)
    for name, example in {**_examples(), **_request_examples()}.items():
        schemas[name]["examples"] = [example]
    webhooks = _webhooks(schemas)
    # powertools adds its own validation models, and a query model's schema, to every
    # document: only what the paths and webhooks refer to is kept.
    used = _referenced({"paths": merged["paths"], "webhooks": webhooks}, schemas)
    schemas = {name: schema for name, schema in schemas.items() if name in used}
    tidy: dict[str, Any] = _tidy(
        {
            "openapi": "3.1.0",
            "info": INFO,
            "servers": SERVERS,
            "security": [{"ApiKey": []}, {"Bearer": []}],
            "tags": [{"name": tag.value, "description": text} for tag, text in TAGS.items()],
            "paths": merged["paths"],
            "webhooks": webhooks,
            "components": {"schemas": schemas, "securitySchemes": SECURITY_SCHEMES},
        }
    )
    return tidy


def render(value: dict[str, Any]) -> str:
    """The document as it is committed: sorted keys, two-space indent, a final newline."""
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def stale_outputs(text: str) -> list[Path]:
    """The written copies of the document that differ from `text`."""
    return [path for path in OUTPUTS if not path.exists() or path.read_text() != text]


def main(argv: list[str]) -> int:
    text = render(document())
    if "--check" in argv:
        stale = stale_outputs(text)
        for path in stale:
            print(f"{path.relative_to(ROOT)} is stale: run `make openapi`", file=sys.stderr)
        return 1 if stale else 0
    for path in OUTPUTS:
        path.write_text(text)
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""No secret reaches the logs: a representative run of the handlers (a tenant and its key, the
authorizer with a good and a bad key, queueing a call, a webhook and its secret, ingesting a
call with its transcript, recording links) with every log line captured, then searched for API
keys, webhook secrets, presigned signatures, phone numbers and transcript text."""

from __future__ import annotations

import copy
import io
import json
import logging
import re
import socket
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from dialtone import settings
from dialtone.accounts import AccountStore, TenantSettingsUpdate
from dialtone.auth import Scope
from dialtone.observability import logger
from local.endpoint import EmbeddedAws, environment
from local.invoke import api_event, invoke, sample_event
from local.provision import load_template, resources_of
from tests.call_routes import body, call_route

CALLER = "+14155550147"
CALLEE = "+12125550163"
OUR_NUMBER = "+16505550199"
BAD_NUMBER = "+1415555014"
TRANSCRIPT = "my account number is seven seven three and my name is Quentin Marsh"
REPLY = "thank you Quentin, your balance is forty two dollars"
HOOK_HOST = "hooks.example.com"


@pytest.fixture(autouse=True)
def public_hook_host(monkeypatch: pytest.MonkeyPatch) -> None:
    """The webhook's host resolves to a public address; any other name as it really does."""
    real = socket.getaddrinfo

    def resolve(host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        if host == HOOK_HOST:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)


@pytest.fixture
def own_dial_queue(embedded_aws: EmbeddedAws, handler_environment: dict[str, str]) -> Iterator[str]:
    """Queued calls go to a queue of this test's own, not the one other tests read."""
    sqs = embedded_aws.session().client("sqs")
    url: str = sqs.create_queue(QueueName=f"logscan-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    with environment({"DIAL_QUEUE_URL": url}):
        settings.reset()
        yield url
    settings.reset()
    sqs.delete_queue(QueueUrl=url)


@pytest.fixture
def log_output(caplog: pytest.LogCaptureFixture) -> Iterator[io.StringIO]:
    """What the handlers' logger writes (its JSON lines, extra keys and all), at DEBUG, which
    is stricter than the deployment's INFO; other loggers at INFO (Lambda's level for JSON
    logs), through caplog."""
    stream = io.StringIO()
    handler = logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    level = logger.log_level
    previous = handler.setStream(stream)
    logger.setLevel("DEBUG")
    caplog.set_level(logging.INFO)
    yield stream
    logger.setLevel(level)
    handler.setStream(previous)


def route(function: str, route_key: str, authorizer: dict[str, str], **options: Any) -> Any:
    """The Lambda result of one API request (path parameters filled into the route's path)."""
    path = route_key.split(" ", 1)[1]
    for name, value in (options.get("path_parameters") or {}).items():
        path = path.replace(f"{{{name}}}", value)
    payload = options.pop("payload", None)
    event = api_event(
        function,
        route_key,
        path,
        authorizer=authorizer,
        body=None if payload is None else json.dumps(payload),
        **options,
    )
    return invoke(function, event)


def authorize(key: str) -> dict[str, Any]:
    event = copy.deepcopy(sample_event("authorizer"))
    event["headers"] = {"x-api-key": key, "user-agent": "logscan"}
    event["identitySource"] = [key]
    return invoke("authorizer", event)


def run_the_api(tenant: Any, account_store: AccountStore, upload_recording: Any) -> list[str]:
    """Drive the handlers as a customer would; every secret and private value they handed out
    or were given, to look for in the logs."""
    secrets: list[str] = [CALLER, CALLEE, OUR_NUMBER, BAD_NUMBER, TRANSCRIPT, REPLY]

    # A key, used well and badly
    created = account_store.create_key(tenant.tenant_id, [Scope.CALLS_READ], name="logscan")
    secrets.append(created.plaintext)
    assert authorize(created.plaintext)["isAuthorized"] is True
    wrong = created.plaintext[:-6] + "AAAAAA"
    secrets.append(wrong)
    assert authorize(wrong)["isAuthorized"] is False

    # A call queued to a number, and one refused for a malformed number
    account_store.update_settings(
        tenant.tenant_id, TenantSettingsUpdate(default_from_number=OUR_NUMBER)
    )
    writer = tenant.authorizer(Scope.CALLS_WRITE, Scope.CALLS_READ)
    queued = route("create_call", "POST /v1/calls", writer, payload={"to_number": CALLEE})
    assert queued["statusCode"] == 202, queued["body"]
    tenant.call_ids.append(body(queued)["call_id"])
    refused = route("create_call", "POST /v1/calls", writer, payload={"to_number": BAD_NUMBER})
    assert refused["statusCode"] == 422

    # A webhook, its secret, and the secret rotated
    manager = tenant.authorizer(Scope.WEBHOOKS_MANAGE)
    hook = body(
        route(
            "create_webhook",
            "POST /v1/webhooks",
            manager,
            payload={"url": f"https://{HOOK_HOST}/in", "events": ["call.completed"]},
        )
    )
    ids = {"webhook_id": hook["id"]}
    rotated = body(
        route(
            "rotate_webhook_secret",
            "POST /v1/webhooks/{webhook_id}/rotate-secret",
            manager,
            path_parameters=ids,
        )
    )
    secrets += [hook["secret"], rotated["secret"]]
    route("delete_webhook", "DELETE /v1/webhooks/{webhook_id}", manager, path_parameters=ids)

    # A call ingested with its transcript
    call_id = str(uuid.uuid4())
    tenant.call_ids.append(call_id)
    ingest = tenant.authorizer(Scope.CALLS_INGEST)
    put = call_route("upsert_call", "PUT /v1/calls/{call_id}", call_id, ingest, {
        "direction": "inbound", "from_number": CALLER, "to_number": OUR_NUMBER,
    })  # fmt: skip
    assert put["statusCode"] == 201, put["body"]
    exchange = {
        "sequence_number": 0,
        "user_transcript": TRANSCRIPT,
        "agent_response": REPLY,
        "exchange_timestamp": "2026-12-01T10:00:00+00:00",
    }
    route_key = "POST /v1/calls/{call_id}/exchanges"
    appended = call_route(
        "append_call_exchanges", route_key, call_id, ingest, {"exchanges": [exchange]}
    )
    assert appended["statusCode"] in (200, 201), appended["body"]

    # Links to upload a recording, and to download one
    route_key = "POST /v1/calls/{call_id}/recording/upload"
    upload = call_route("create_recording_upload", route_key, call_id, ingest, {"format": "wav"})
    secrets.append(signature_of(body(upload)["upload_url"]))
    recorded = tenant.add_call(
        recording_key=upload_recording(tenant.tenant_id, str(uuid.uuid4())),
        recording_format="wav",
    )
    reader = tenant.authorizer(Scope.CALLS_READ)
    ids = {"call_id": recorded.id}
    route_key = "GET /v1/calls/{call_id}/recording"
    link = body(route("get_call_recording", route_key, reader, path_parameters=ids))
    secrets.append(signature_of(link["recording_url"]))
    return secrets


def signature_of(url: str) -> str:
    match = re.search(r"X-Amz-Signature=([0-9a-f]+)", url)
    assert match is not None, url
    return match.group(1)


def spellings(value: str) -> set[str]:
    """A value as a log might hold it: a number also without its + and country code."""
    if re.fullmatch(r"\+1\d{10}", value):
        return {value, value[1:], value[2:]}
    return {value}


def test_no_secret_or_private_value_reaches_the_logs(
    tenant: Any,
    account_store: AccountStore,
    upload_recording: Any,
    own_dial_queue: str,
    log_output: io.StringIO,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given the API driven as a customer would, every log line captured
    secrets = run_the_api(tenant, account_store, upload_recording)
    printed = capsys.readouterr()
    logs = "\n".join([log_output.getvalue(), caplog.text, printed.out, printed.err])

    # Then the capture saw the handlers' log lines (the refused key is logged, as a fact)
    lines = [json.loads(line) for line in log_output.getvalue().splitlines()]
    assert "API key refused" in [line["message"] for line in lines]
    # And no secret, signature, phone number or transcript text is in them
    leaks = {v for secret in secrets for v in spellings(secret) if v in logs}
    markers = {m for m in ("whsec_", "X-Amz-Signature", "dt_") if m in logs}
    assert leaks | markers == set()


def test_no_function_logs_its_whole_event(template: dict[str, Any]) -> None:
    # An event carries the API key (the authorizer's) and request bodies: powertools logs it
    # only when POWERTOOLS_LOGGER_LOG_EVENT says so, which no function may.
    for name, function in resources_of(template, "AWS::Serverless::Function").items():
        variables = function.get("Environment", {}).get("Variables", {})
        assert str(variables.get("POWERTOOLS_LOGGER_LOG_EVENT", "false")).lower() == "false", name
    globals_ = template.get("Globals", {}).get("Function", {}).get("Environment", {})
    assert "POWERTOOLS_LOGGER_LOG_EVENT" not in globals_.get("Variables", {})


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template()

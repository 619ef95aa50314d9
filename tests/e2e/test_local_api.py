"""The API over real HTTP, through SAM's API Gateway emulator and the authorizer, on the
local stack with its demo data."""

from __future__ import annotations

import io
import uuid
import wave
from typing import Any

import pytest
import requests

from dialtone.accounts import AccountStore
from dialtone.auth import Scope
from local.provision import ROOT, load_template, resources_of
from local.stack import LocalStack
from tests.e2e.conftest import Client

pytestmark = pytest.mark.e2e


def _accounts(local_stack: LocalStack) -> AccountStore:
    session = local_stack.aws.session()
    return AccountStore(local_stack.info["accounts_table"], dynamodb=session.client("dynamodb"))


def _client_for(local_stack: LocalStack, *scopes: Scope) -> Client:
    accounts = _accounts(local_stack)
    tenant = accounts.create_tenant(name=f"Other {uuid.uuid4().hex[:4]}")
    key = accounts.create_key(tenant.tenant_id, scopes or (Scope.CALLS_READ,))
    return Client(local_stack.info["api_url"], key.plaintext)


def test_list_filter_and_paginate(api: Client, local_stack: LocalStack) -> None:
    # Given the demo tenant's calls
    everything = api.get("/v1/calls", params={"limit": 100}).json()
    assert everything["total"] == local_stack.info["demo_calls"]

    # When they are walked 7 at a time by cursor
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 7, **({"cursor": cursor} if cursor else {})}
        page = api.get("/v1/calls", params=params).json()
        seen.extend(c["id"] for c in page["calls"])
        cursor = page["next_cursor"]
        if not cursor:
            break

    # Then every call comes once, newest first, as in one big page
    assert seen == [c["id"] for c in everything["calls"]]
    starts = [c["start_time"] for c in everything["calls"]]
    assert starts == sorted(starts, reverse=True)

    # And a filter returns only what it names, with a matching total
    inbound = api.get("/v1/calls", params={"direction": "inbound", "limit": 100}).json()
    assert inbound["calls"]
    assert {c["direction"] for c in inbound["calls"]} == {"inbound"}
    assert inbound["total"] == sum(1 for c in everything["calls"] if c["direction"] == "inbound")


def test_bad_input_is_a_4xx_with_a_reason(api: Client) -> None:
    response = api.get("/v1/calls", params={"limit": 0})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "limit"]
    assert api.get("/v1/calls", params={"cursor": "forged.cursor"}).status_code == 400
    assert api.get("/v1/calls/not-a-uuid").status_code == 422
    missing = api.get(f"/v1/calls/{uuid.uuid4()}")
    assert (missing.status_code, missing.json()) == (404, {"detail": "Call not found"})


def test_one_call_transcript_in_every_format(api: Client, local_stack: LocalStack) -> None:
    # Given a demo call with a transcript and a recording
    call_id = local_stack.info["example_call_id"]

    # When it is read with its transcript, and the transcript in each format
    call = api.get(f"/v1/calls/{call_id}", params={"include": "transcript"}).json()
    exchanges = api.get(f"/v1/calls/{call_id}/transcript").json()
    turns = api.get(f"/v1/calls/{call_id}/transcript", params={"format": "turns"}).json()
    vtt = api.get(f"/v1/calls/{call_id}/transcript", params={"format": "vtt"})

    # Then they agree with each other
    assert call["id"] == call_id
    assert call["transcript"] == exchanges["exchanges"]
    assert [e["sequence_number"] for e in exchanges["exchanges"]] == list(
        range(len(call["transcript"]))
    )
    assert [t["role"] for t in turns["turns"]][:2] == ["user", "assistant"]
    assert vtt.status_code == 200
    assert vtt.headers["Content-Type"].startswith("text/vtt")
    assert vtt.text.startswith("WEBVTT")
    spoken = [t for t in turns["turns"] if t["role"] in ("user", "assistant")]
    assert vtt.text.count("-->") == len(spoken)  # captions are speech; tool turns are not


def test_recording_url_downloads_the_audio(api: Client, local_stack: LocalStack) -> None:
    # Given a demo call with a recording
    call_id = local_stack.info["example_call_id"]

    # When its recording link is asked for and fetched
    link = api.get(f"/v1/calls/{call_id}/recording").json()
    audio = requests.get(link["recording_url"], timeout=30)

    # Then the bytes are the WAV the metadata describes
    assert audio.status_code == 200
    assert len(audio.content) == link["recording_size_bytes"]
    with wave.open(io.BytesIO(audio.content)) as reader:
        assert reader.getnchannels() == link["recording_channels"]
        duration = reader.getnframes() / reader.getframerate()
    assert duration == pytest.approx(link["recording_duration_seconds"], abs=0.01)
    assert link["expires_at"].endswith("Z")

    # And download=true redirects to an attachment
    redirect = api.get(
        f"/v1/calls/{call_id}/recording", params={"download": "true"}, allow_redirects=False
    )
    assert redirect.status_code == 302
    download = requests.get(redirect.headers["Location"], timeout=30)
    assert download.content == audio.content
    assert download.headers["Content-Disposition"].startswith("attachment")


def test_another_tenant_cannot_see_the_call(local_stack: LocalStack) -> None:
    # Given a second tenant's key
    other = _client_for(local_stack, Scope.CALLS_READ)
    call_id = local_stack.info["example_call_id"]

    # When it asks for the demo tenant's call and its parts
    answers = [
        other.get(f"/v1/calls/{call_id}{suffix}") for suffix in ("", "/transcript", "/recording")
    ]

    # Then each is simply not found, and its list is empty
    assert [(a.status_code, a.json()) for a in answers] == [(404, {"detail": "Call not found"})] * 3
    assert other.get("/v1/calls").json()["total"] == 0


def test_keys_and_scopes(local_stack: LocalStack) -> None:
    url = local_stack.info["api_url"]
    # No key is refused by the authorizer, as on AWS (it has no identity source: see README)
    assert Client(url, None).get("/v1/calls").status_code == 403
    assert Client(url, "dt_0000000000000000_not-a-key").get("/v1/calls").status_code == 403
    writer = _client_for(local_stack, Scope.CALLS_WRITE)
    response = writer.get("/v1/calls")
    assert (response.status_code, response.json()) == (403, {"detail": "Missing scope calls:read"})


def test_a_revoked_key_is_refused(local_stack: LocalStack) -> None:
    # Given a working key
    accounts = _accounts(local_stack)
    tenant = accounts.create_tenant(name="Revoked Co")
    key = accounts.create_key(tenant.tenant_id, [Scope.CALLS_READ])
    client = Client(local_stack.info["api_url"], key.plaintext)
    assert client.get("/v1/calls").status_code == 200

    # When it is revoked
    accounts.revoke_key(tenant.tenant_id, key.key.key_id)

    # Then the authorizer refuses it
    assert client.get("/v1/calls").status_code == 403


def test_every_route_has_a_function_and_every_function_a_route(
    local_stack: LocalStack, api: Client
) -> None:
    # Given the template's HttpApi routes and the functions on disk
    template = load_template()
    functions = resources_of(template, "AWS::Serverless::Function")
    declared = {
        (event["Properties"]["Method"].upper(), event["Properties"]["Path"]): name
        for name, properties in functions.items()
        for event in (properties.get("Events") or {}).values()
        if event["Type"] == "HttpApi"
    }
    served = {(method, path): function for method, path, function in local_stack.api.routes()}

    # Then the emulator serves exactly the declared routes, each with a handler on disk
    assert served == declared
    on_disk = {p.parent.name for p in (ROOT / "functions").glob("*/app.py")}
    code_dirs = {
        properties["CodeUri"].strip("/").split("/")[-1] for properties in functions.values()
    }
    assert code_dirs == on_disk
    # (functions fed by an event source instead, like the dialer and the sweeper, excepted)
    event_driven = {
        name
        for name, properties in functions.items()
        if any(
            event["Type"] in ("SQS", "Schedule", "DynamoDB", "S3")
            for event in (properties.get("Events") or {}).values()
        )
    }
    routed = set(declared.values()) | {"AuthorizerFunction"} | event_driven
    assert routed == set(functions)

    # And every route answers through its function (not the emulator's 404/502), on a call of
    # the test's own: DELETE /v1/calls/{call_id} erases it, and the demo's calls are other
    # tests' to read
    call_id = str(uuid.uuid4())
    headers = {"X-API-Key": api.api_key or ""}
    made = requests.put(
        f"{local_stack.info['api_url']}/v1/calls/{call_id}",
        json={"direction": "inbound", "status": "completed"},
        headers=headers,
        timeout=30,
    )
    assert made.status_code in (200, 201), made.text
    for method, path in declared:
        response = requests.request(
            method,
            local_stack.info["api_url"] + path.replace("{call_id}", call_id),
            headers=headers,
            timeout=30,
        )
        assert response.status_code < 500, (method, path, response.text)
        # (the docs page is the one HTML answer)
        expected = ("text/html",) if path == "/v1/docs" else ("application/json", "text/vtt")
        assert response.headers["Content-Type"].split(";")[0] in expected, (method, path)

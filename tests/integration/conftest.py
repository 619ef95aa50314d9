"""Fixtures of the handler integration tests: the handlers' environment on the embedded AWS
endpoint, a real WAV recording in the recordings bucket, and the tenant of the sample events."""

from __future__ import annotations

import io
import json
import math
import random
import struct
import wave
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import pytest
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

from dialtone.accounts import AccountStore
from dialtone.store import CallStore
from local.endpoint import EmbeddedAws
from local.invoke import sample_event
from tests.streams import settle_calls_stream, watch_calls_stream
from tests.tenants import TenantFixture, erase_account_items
from tools import openapi

# The samples in events/ all speak for this tenant about this call.
SAMPLE_AUTHORIZER = sample_event("get_call")["requestContext"]["authorizer"]["lambda"]
SAMPLE_TENANT_ID: str = SAMPLE_AUTHORIZER["tenant_id"]
SAMPLE_CALL_ID: str = sample_event("get_call")["pathParameters"]["call_id"]


@pytest.fixture(autouse=True)
def _handlers_on_embedded_aws(handler_environment: dict[str, str]) -> None:
    """Every handler invoked by these tests reads and writes the embedded endpoint."""


@pytest.fixture(scope="session")
def documented_statuses() -> dict[str, set[int]]:
    """routeKey ("GET /v1/calls/{call_id}") → the statuses openapi.json says it answers."""
    document = json.loads(openapi.DOCUMENT.read_text())
    return {
        f"{method.upper()} {path}": {int(status) for status in operation["responses"]}
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    }


@pytest.fixture(autouse=True)
def _answers_match_the_contract(
    monkeypatch: pytest.MonkeyPatch, documented_statuses: dict[str, set[int]]
) -> None:
    """Every answer a handler gives in these tests has a status its route documents (a 500 is
    never documented: it fails the test that caused it anyway)."""
    resolve = APIGatewayHttpResolver.resolve

    def checked(app: APIGatewayHttpResolver, event: Any, context: Any) -> dict[str, Any]:
        result: dict[str, Any] = resolve(app, event, context)
        statuses = documented_statuses.get(event.get("routeKey", ""))
        status = result["statusCode"]
        if statuses is not None and status != HTTPStatus.INTERNAL_SERVER_ERROR:
            assert status in statuses, (
                f"{event['routeKey']} answered {status}, which openapi.json does not declare"
                f" ({sorted(statuses)}): {result.get('body')}"
            )
        return result

    monkeypatch.setattr(APIGatewayHttpResolver, "resolve", checked)


def sine_wav(seconds: float = 1.0, frequency: float = 440.0, rate: int = 8000) -> bytes:
    """A mono 16-bit PCM WAV file of a sine tone."""
    frames = b"".join(
        struct.pack("<h", int(12000 * math.sin(2 * math.pi * frequency * n / rate)))
        for n in range(int(seconds * rate))
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(rate)
        audio.writeframes(frames)
    return buffer.getvalue()


@pytest.fixture(scope="session")
def wav_bytes() -> bytes:
    """One second of a 440 Hz tone at 8 kHz, mono, 16-bit: a real, small recording."""
    return sine_wav()


@pytest.fixture
def s3(embedded_aws: EmbeddedAws) -> Any:
    return embedded_aws.session().client("s3")


@pytest.fixture
def upload_recording(
    s3: Any, handler_environment: dict[str, str], wav_bytes: bytes
) -> Iterator[Callable[[str, str], str]]:
    """Put the WAV file in the recordings bucket under `<tenant>/<call>.wav`; return the key.
    Every object uploaded is removed when the test ends."""
    bucket = handler_environment["RECORDINGS_BUCKET"]
    keys: list[str] = []

    def upload(tenant_id: str, call_id: str) -> str:
        key = f"{tenant_id}/{call_id}.wav"
        s3.put_object(Bucket=bucket, Key=key, Body=wav_bytes, ContentType="audio/wav")
        keys.append(key)
        return key

    yield upload
    for key in keys:
        versions = s3.list_object_versions(Bucket=bucket, Prefix=key).get("Versions", [])
        for version in versions:
            s3.delete_object(Bucket=bucket, Key=key, VersionId=version["VersionId"])


@dataclass
class SampleTenant(TenantFixture):
    """The fixed tenant of events/*.json (and the call they name), whose calls a test stores
    and then removes."""

    call_id: str = SAMPLE_CALL_ID


@pytest.fixture
def make_tenant(make_tenant: Any, account_store: AccountStore) -> Iterator[Any]:
    """The shared tenant factory; the account items the sample events wrote for their own
    tenant (agents, do-not-call entries) are erased too when the test ends."""
    yield make_tenant
    erase_account_items(account_store, SAMPLE_TENANT_ID)


@pytest.fixture
def sample_tenant(call_store: CallStore) -> Iterator[SampleTenant]:
    tenant = SampleTenant(tenant_id=SAMPLE_TENANT_ID, store=call_store, rng=random.Random(2026))
    watch_calls_stream(tenant.tenant_id)
    yield tenant
    for call_id in tenant.call_ids:
        call_store.delete_call_items(tenant.tenant_id, call_id)
    settle_calls_stream(tenant.tenant_id)  # the next test finds its rollups as they were

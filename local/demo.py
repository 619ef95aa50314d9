"""Demo data for the local stack: a tenant, a key with every scope, a few hundred calls across
directions, statuses, outcomes, agents and dates, with transcripts and real recordings."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from dialtone.accounts import AccountStore
from dialtone.auth import ALL_SCOPES
from dialtone.models import CallStatus
from dialtone.store import CallStore
from local.audio import render_wav, wav_duration_seconds
from local.seed import make_call, make_exchanges


@dataclass(frozen=True)
class Demo:
    tenant_id: str
    api_key: str
    call_ids: list[str]
    recorded_call_ids: list[str]


def recording_key(tenant_id: str, call_id: str, extension: str) -> str:
    """Where a call's recording lives: always under its tenant's prefix."""
    return f"tenants/{tenant_id}/calls/{call_id}/recording.{extension}"


def create_demo(
    accounts: AccountStore,
    calls: CallStore,
    s3: Any,
    bucket: str,
    count: int = 300,
    recorded: int = 40,
    seed: int = 2026,
) -> Demo:
    """Create the demo tenant and its calls; returns the key (shown once) and what was made."""
    rng = random.Random(seed)
    tenant = accounts.create_tenant(name="Demo Voice Co")
    key = accounts.create_key(tenant.tenant_id, ALL_SCOPES, name="local demo key")
    audio = {channels: render_wav(make_exchanges(make_call(rng)), channels) for channels in (1, 2)}
    records = []
    recorded_ids = []
    call_ids = []
    for number in range(count):
        call = make_call(rng)
        recording = None
        exchanges = make_exchanges(call) if call.status is CallStatus.COMPLETED else []
        if exchanges and len(recorded_ids) < recorded:
            channels = 2 if number % 2 else 1
            data = audio[channels]
            recording = recording_key(tenant.tenant_id, call.id, "wav")
            s3.put_object(Bucket=bucket, Key=recording, Body=data, ContentType="audio/wav")
            call = call.model_copy(
                update={
                    "recording_format": "wav",
                    "recording_size_bytes": len(data),
                    "recording_duration_seconds": wav_duration_seconds(data),
                    "recording_channels": channels,
                }
            )
            recorded_ids.append(call.id)
        records.append((call, recording))
        call_ids.append(call.id)
        if exchanges:
            calls.put_exchanges(tenant.tenant_id, call.id, exchanges)
    calls.put_calls(tenant.tenant_id, records)
    return Demo(tenant.tenant_id, key.plaintext, call_ids, recorded_ids)

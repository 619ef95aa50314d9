"""Demo data for the local stack: a tenant, a key with every scope, and a few hundred calls
across directions, statuses, outcomes, agents and dates, with transcripts, histories and real
recordings.

Every call is written the way a voice runtime writes a real one, through the ingestion API's
own services and with a key that may only ingest: the call record (`Ingestor.upsert_call`),
its transcript (`append_exchanges`), its history (`append_events`, from which its latency is
derived), and for the recorded calls a real WAV file PUT to a presigned upload link
(`Recordings.create_upload`), which S3 announces to the recording indexer like any other
upload. There is no second way of writing a call.

The local stack ingests them in processes of their own (`DemoIngestion`, `python -m
local.demo`), configured by the ingestion functions' own environment, while the functions'
workers start.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import IO

import requests

from dialtone.accounts import AccountStore, TenantSettingsUpdate
from dialtone.auth import ALL_SCOPES, Principal, Scope
from dialtone.ingest import (
    CallUpdate,
    EventIn,
    EventsRequest,
    ExchangeIn,
    ExchangesRequest,
    Ingestor,
)
from dialtone.model_types import CallStatus
from dialtone.models import Call, Exchange
from dialtone.recordings import Recordings, RecordingUploadRequest
from local.audio import render_wav
from local.seed import AGENTS, make_call, make_exchanges, make_history


@dataclass(frozen=True)
class Demo:
    tenant_id: str
    api_key: str
    call_ids: list[str]
    recorded_call_ids: list[str]


@dataclass(frozen=True)
class DemoCall:
    """What the runtime reports for one call; `channels` of its recording (None: none)."""

    call_id: str
    update: CallUpdate
    exchanges: list[Exchange]
    events: list[EventIn]
    channels: int | None = None


def call_update(call: Call) -> CallUpdate:
    """The record a runtime sends for `call` when it ends: everything but what the API owns,
    and no latency (the API derives it from the history events)."""
    return CallUpdate(
        direction=call.direction,
        status=call.status,
        outcome=call.outcome,
        end_reason=call.end_reason,
        from_number=call.from_number,
        to_number=call.to_number,
        agent_id=call.agent_id,
        agent_name=call.agent_name,
        start_time=call.start_time,
        end_time=call.end_time,
        metadata=call.metadata,
        analysis=call.analysis,
        cost=call.cost,
        is_test_call=call.is_test_call,
    )


# A recorded demo call lasts 26 to 60 s (its four turns take 25 s): its WAV file is as long as
# the call, and a few hundred seconds of audio per call would make the demo heavy to keep.
RECORDED_SECONDS = (26, 60)


def plan_call(rng: random.Random, recorded: bool = False) -> DemoCall:
    """One plausible call as its runtime would report it (a conversation only when it
    connected, and never ending before its last turn); a `recorded` one that connected is
    short, so that its recording (as long as the call) stays small."""
    call = make_call(rng)
    if recorded and call.status is CallStatus.COMPLETED:
        low, high = RECORDED_SECONDS
        # Drawn from the call's own duration, not the generator, so the rest stays as it was.
        seconds = low + (call.duration_seconds or 0.0) % (high - low)
        call = call.model_copy(
            update={
                "end_time": call.start_time + timedelta(seconds=seconds),
                "duration_seconds": seconds,
            }
        )
    exchanges = make_exchanges(call) if call.status is CallStatus.COMPLETED else []
    if exchanges and call.end_time is not None:
        last = call.start_time + timedelta(milliseconds=(exchanges[-1].agent_end_ms or 0) + 1000)
        if call.end_time < last:
            call = call.model_copy(update={"end_time": last})
    return DemoCall(call.id, call_update(call), exchanges, make_history(rng, call, exchanges))


def duration_ms(plan: DemoCall) -> int:
    """How long the call lasted, from its start to its end, in milliseconds."""
    start, end = plan.update.start_time, plan.update.end_time
    if start is None or end is None:
        return 0
    return round((end - start).total_seconds() * 1000)


def plan_demo(count: int, recorded: int = 40, seed: int = 2026) -> list[DemoCall]:
    """The demo's calls: the same ones (ids, kinds, recordings) for the same arguments, at
    times relative to now. The first `recorded` calls with a conversation have a recording,
    mono and stereo in turn, and the first of them (the example) comes first."""
    rng = random.Random(seed)
    plans = []
    recordings = 0
    for _ in range(count):
        plan = plan_call(rng, recorded=recordings < recorded)
        if plan.exchanges and recordings < recorded:
            plan = replace(plan, channels=2 if recordings % 2 else 1)
            recordings += 1
        plans.append(plan)
    example = next((p for p in plans if p.channels), None)
    return sorted(plans, key=lambda p: p is not example)


@dataclass(frozen=True)
class DemoTenant:
    tenant_id: str
    api_key: str  # every scope, shown once
    runtime: Principal  # the voice runtime's: calls:ingest only


# The demo tenant's agents: the reception answers on the default caller ID, support on the
# next line. A TwiML URL of the reserved example domain: the simulator never fetches it.
DEMO_AGENTS = ((0, "reception"), (2, "support"))


def create_agents(accounts: AccountStore, tenant_id: str) -> None:
    """The demo tenant's two agents, on its lines, so `POST /v1/calls` may name one."""
    from dialtone.agents import AgentConnection, AgentCreate, AgentStore, ConnectionType

    store = AgentStore(accounts.table_name, dynamodb=accounts.dynamodb)
    for line, slug in DEMO_AGENTS:
        agent_id, name, number = AGENTS[line]
        connection = AgentConnection(
            type=ConnectionType.TWIML_URL, url=f"https://voice.example.com/{slug}/twiml"
        )
        request = AgentCreate(
            agent_id=agent_id, name=name, phone_numbers=[number], connection=connection
        )
        store.create_agent(tenant_id, request)


def create_tenant(accounts: AccountStore) -> DemoTenant:
    """The demo tenant with a key of every scope, and the voice runtime's own key."""
    tenant = accounts.create_tenant(name="Demo Voice Co")
    # Its lines: the reception's is the default caller ID, the others are allowed ones.
    lines = [line for _, _, line in AGENTS]
    accounts.update_settings(
        tenant.tenant_id,
        TenantSettingsUpdate(default_from_number=lines[0], caller_ids=lines[1:]),
    )
    create_agents(accounts, tenant.tenant_id)
    key = accounts.create_key(tenant.tenant_id, ALL_SCOPES, name="local demo key")
    runtime = accounts.create_key(
        tenant.tenant_id, (Scope.CALLS_INGEST,), name="local demo voice runtime"
    ).key
    principal = Principal(tenant.tenant_id, runtime.key_id, frozenset(runtime.scopes))
    return DemoTenant(tenant.tenant_id, key.plaintext, principal)


def ingest_calls(
    ingestor: Ingestor, recordings: Recordings, runtime: Principal, plans: list[DemoCall]
) -> None:
    """Report each call as its runtime would when it ends: the record, the transcript, the
    history, then the recording, PUT to the link the API presigns."""
    with requests.Session() as http:
        for plan in plans:
            ingestor.upsert_call(runtime, plan.call_id, plan.update)
            if plan.exchanges:
                exchanges = [ExchangeIn.model_validate(e.model_dump()) for e in plan.exchanges]
                request = ExchangesRequest(exchanges=exchanges)
                ingestor.append_exchanges(runtime, plan.call_id, request)
            ingestor.append_events(runtime, plan.call_id, EventsRequest(events=plan.events))
            if plan.channels is None:
                continue
            audio = render_wav(plan.exchanges, plan.channels, duration_ms=duration_ms(plan))
            upload = recordings.create_upload(
                runtime, plan.call_id, RecordingUploadRequest(format="wav")
            )
            response = http.put(upload.upload_url, data=audio, headers=upload.headers, timeout=30)
            response.raise_for_status()


class DemoIngestion:
    """The demo tenant, made at once, and its calls ingested by `processes` processes of
    `python -m local.demo`, each with `environment` (the ingestion functions' own variables,
    pointed at the embedded endpoint) and a share of the calls, the example's share first.

    Processes rather than threads: the embedded endpoint's own work keeps the stack's process
    busy, and a thread there would only take turns with it. Their output goes where the
    functions' workers' goes."""

    def __init__(
        self,
        accounts: AccountStore,
        environment: dict[str, str],
        count: int,
        log: IO[str] | None = None,
        processes: int = 2,
    ) -> None:
        from local.provision import ROOT

        self.tenant = create_tenant(accounts)
        self.plans = plan_demo(count)
        paths = [str(ROOT), str(ROOT / "layers" / "common" / "python")]
        if os.environ.get("PYTHONPATH"):
            paths.append(os.environ["PYTHONPATH"])
        runtime = self.tenant.runtime
        self._processes = [
            subprocess.Popen(  # our own module
                [
                    sys.executable,
                    "-m",
                    "local.demo",
                    runtime.tenant_id,
                    runtime.key_id,
                    str(count),
                    f"{share}/{processes}",
                ],
                cwd=ROOT,
                env={**os.environ, **environment, "PYTHONPATH": os.pathsep.join(paths)},
                stdout=log or sys.stderr,
                stderr=log or sys.stderr,
                process_group=0,  # Ctrl-C reaches the stack, which stops these
            )
            for share in range(processes)
        ]

    def result(self, timeout: float = 600) -> Demo:
        """Wait for every call to be ingested; RuntimeError if a process failed (its traceback
        is in the output)."""
        codes = [process.wait(timeout=timeout) for process in self._processes]
        if any(codes):
            raise RuntimeError(f"creating the demo data failed (python -m local.demo: {codes})")
        return Demo(
            self.tenant.tenant_id,
            self.tenant.api_key,
            [p.call_id for p in self.plans],
            [p.call_id for p in self.plans if p.channels is not None],
        )

    def stop(self) -> None:
        for process in self._processes:
            if process.poll() is None:
                process.terminate()
        for process in self._processes:
            try:
                process.wait(timeout=1)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def main(argv: list[str]) -> int:
    """`python -m local.demo TENANT_ID KEY_ID COUNT SHARE/SHARES`: ingest every SHARES-th of
    the COUNT demo calls from the SHARE-th as the runtime whose key is KEY_ID, with the
    ingestion and recordings services built exactly as the functions build theirs, from this
    process's environment (the functions' variables)."""
    from dialtone import ingest, recordings

    tenant_id, key_id, count, shares = argv
    share, of = (int(n) for n in shares.split("/"))
    runtime = Principal(tenant_id, key_id, frozenset({Scope.CALLS_INGEST.value}))
    plans = plan_demo(int(count))[share::of]
    ingest_calls(ingest.ingestor(), recordings.recordings(), runtime, plans)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

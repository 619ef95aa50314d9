"""A stand-in for the voice runtime on simulated calls: once the simulator has completed an
answered call, it reports what a runtime would (a short transcript, the history events from
which the API derives the latency, and a recording as long as the call), through the
ingestion API's own services, as the demo data does. So a call dialled locally can be read
back, listened to and graded.

`VoiceRuntime` watches the simulator's placements from the stack's process; each report runs
in `python -m local.voice` with the ingestion functions' environment.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from dialtone.model_types import CallOutcome, CallStatus
from dialtone.models import Call, Exchange, HistoryEventType
from local.pollers import Poller
from local.seed import DIALOGUE, make_call, make_history

# A placement is reported this long after the simulator completed it (its callbacks landed).
SETTLE_SECONDS = 1.0
RUNTIME_KEY_ID = "local-voice-runtime"


def exchanges_for(call: Call) -> list[Exchange]:
    """One exchange of the demo dialogue, its turns spread over the call's duration."""
    talk_ms = round((call.duration_seconds or 0) * 1000)
    user, agent = DIALOGUE[0]

    def at(share: float) -> int:
        return round(talk_ms * share)

    return [
        Exchange(
            sequence_number=0,
            user_transcript=user,
            agent_response=agent,
            exchange_timestamp=call.start_time + timedelta(milliseconds=at(0.05)),
            user_start_ms=at(0.05),
            user_end_ms=at(0.4),
            agent_start_ms=at(0.5),
            agent_end_ms=at(0.9),
        )
    ]


def answered_call(tenant_id: str, call_id: str, answered_at: float, seconds: float) -> Call:
    """The call as the runtime saw it: answered at `answered_at`, talked `seconds`."""
    start = datetime.fromtimestamp(answered_at, UTC)
    return make_call(
        random.Random(call_id),
        start_time=start,
        id=call_id,
        status=CallStatus.COMPLETED,
        outcome=CallOutcome.RESOLVED,
        end_time=start + timedelta(seconds=seconds),
        duration_seconds=seconds,
    )


def report(tenant_id: str, call_id: str, answered_at: float, seconds: float) -> None:
    """Report the call's transcript, history and recording as its voice runtime."""
    import requests

    from dialtone import ingest, recordings
    from dialtone.auth import Principal, Scope
    from dialtone.ingest import EventsRequest, ExchangeIn, ExchangesRequest
    from dialtone.recordings import RecordingUploadRequest
    from local.audio import render_wav

    runtime = Principal(tenant_id, RUNTIME_KEY_ID, frozenset({Scope.CALLS_INGEST.value}))
    call = answered_call(tenant_id, call_id, answered_at, seconds)
    exchanges = exchanges_for(call)
    ingestor = ingest.ingestor()
    turns = [ExchangeIn.model_validate(e.model_dump()) for e in exchanges]
    ingestor.append_exchanges(runtime, call_id, ExchangesRequest(exchanges=turns))
    # The provider's callbacks already ended the call: its history says the rest.
    events = [
        e
        for e in make_history(random.Random(call_id), call, exchanges)
        if e.type is not HistoryEventType.ENDED
    ]
    ingestor.append_events(runtime, call_id, EventsRequest(events=events))
    upload = recordings.recordings().create_upload(
        runtime, call_id, RecordingUploadRequest(format="wav")
    )
    audio = render_wav(exchanges, 1, duration_ms=round(seconds * 1000))
    requests.put(
        upload.upload_url, data=audio, headers=upload.headers, timeout=30
    ).raise_for_status()


class VoiceRuntime(Poller):
    """Reports each completed, answered simulated call once (a mark per call, in the
    simulator's directory, survives restarts)."""

    def __init__(self, simulator_dir: Path, environment: dict[str, str], log: IO[str] | None):
        super().__init__("voice-runtime")
        self.simulator_dir = simulator_dir
        self.marks = simulator_dir / "voiced"
        self.environment = environment
        self.log = log

    def stop(self, timeout: float = 1.0) -> None:
        """Stop after the report under way (a daemon thread: the stack's exit ends it)."""
        super().stop(timeout)

    def _due(self) -> list[dict[str, Any]]:
        now = time.time()
        due = []
        for path in self.simulator_dir.glob("**/CA*.json"):
            try:
                placement = json.loads(path.read_text())
            except (OSError, ValueError):
                continue  # being written
            ended = placement["placed_at"] + placement["ring_seconds"] + placement["talk_seconds"]
            if placement.get("outcome") != "completed" or ended + SETTLE_SECONDS > now:
                continue
            if not (self.marks / placement["sid"]).exists():
                due.append(placement)
        return due

    def poll_once(self) -> bool:
        due = self._due()
        for placement in due:
            if self._stop.is_set():
                break
            answered = float(placement["placed_at"]) + float(placement["ring_seconds"])
            arguments = [placement["tenant_id"], placement["call_id"], answered]
            arguments.append(placement["talk_seconds"])
            code = subprocess.call(  # our own module
                [sys.executable, "-m", "local.voice", *map(str, arguments)],
                env={**os.environ, **self.environment},
                stdout=self.log or sys.stderr,
                stderr=self.log or sys.stderr,
                process_group=0,
            )
            self.marks.mkdir(parents=True, exist_ok=True)
            # A failed report is not retried (its traceback is in the output).
            (self.marks / str(placement["sid"])).write_text(str(code))
        return bool(due)


def main(argv: list[str]) -> int:
    """`python -m local.voice TENANT_ID CALL_ID ANSWERED_AT SECONDS`."""
    from dialtone.errors import CallNotFound

    tenant_id, call_id, answered_at, seconds = argv
    try:
        report(tenant_id, call_id, float(answered_at), float(seconds))
    except CallNotFound:
        # Erased since it ended: a voice runtime would get this 404 and drop its report.
        print(f"voice runtime: call {call_id} was erased, nothing reported", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The users of `make load` (tools/load.py runs locust on this file, headless).

Readers (most users) read what a console or an SDK reads: list pages, a call, its transcript.
Runtimes (a few) write what a voice agent's runtime writes: a call, then its exchanges in
batches. Their keys, the API's address and the calls to read come from the environment that
tools/load.py sets (LOAD_*).
"""

from __future__ import annotations

import os
import random
import uuid
from datetime import UTC, datetime

from locust import HttpUser, between, task

READ_KEY = os.environ.get("LOAD_READ_KEY", "")
INGEST_KEY = os.environ.get("LOAD_INGEST_KEY", "")
CALL_IDS = [i for i in os.environ.get("LOAD_CALL_IDS", "").split(",") if i]
AGENT_ID = os.environ.get("LOAD_AGENT_ID", "")


class Reader(HttpUser):
    weight = 9
    wait_time = between(0.05, 0.2)

    def on_start(self) -> None:
        self.client.headers["X-API-Key"] = READ_KEY

    @task(3)
    def list_page(self) -> None:
        self.client.get("/v1/calls?limit=20", name="GET /v1/calls")

    @task(1)
    def list_filtered(self) -> None:
        self.client.get(
            "/v1/calls?limit=20&status=completed&direction=inbound",
            name="GET /v1/calls?status&direction",
        )

    @task(3)
    def call(self) -> None:
        call_id = random.choice(CALL_IDS)  # noqa: S311 - a load, not a secret
        self.client.get(f"/v1/calls/{call_id}", name="GET /v1/calls/{call_id}")

    @task(2)
    def transcript(self) -> None:
        call_id = random.choice(CALL_IDS)  # noqa: S311
        self.client.get(
            f"/v1/calls/{call_id}/transcript", name="GET /v1/calls/{call_id}/transcript"
        )


class Runtime(HttpUser):
    weight = 1
    wait_time = between(0.2, 0.5)

    def on_start(self) -> None:
        self.client.headers["X-API-Key"] = INGEST_KEY

    @task
    def a_call_and_its_exchanges(self) -> None:
        call_id = str(uuid.uuid4())
        now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        call = {
            "direction": "inbound",
            "status": "in_progress",
            "from_number": "+14155550123",
            "to_number": "+14155550100",
            "start_time": now,
            **({"agent_id": AGENT_ID} if AGENT_ID else {}),
        }
        self.client.put(f"/v1/calls/{call_id}", json=call, name="PUT /v1/calls/{call_id}")
        for batch in range(2):
            exchanges = [
                {
                    "sequence_number": batch * 5 + n,
                    "user_transcript": f"question {batch * 5 + n}",
                    "agent_response": f"answer {batch * 5 + n}",
                    "exchange_timestamp": now,
                }
                for n in range(5)
            ]
            self.client.post(
                f"/v1/calls/{call_id}/exchanges",
                json={"exchanges": exchanges},
                name="POST /v1/calls/{call_id}/exchanges",
            )

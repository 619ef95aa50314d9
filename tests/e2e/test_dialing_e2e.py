"""Outbound dialing end to end on the local stack: the API queues a batch, the dialer (fed by
the SQS poller, two at a time as the template's MaximumConcurrency says) places each call with
the simulator, and the simulator's signed status callbacks through the API complete them."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
import requests

from dialtone.accounts import AccountStore, TenantSettingsUpdate
from dialtone.auth import Scope
from dialtone.telephony.simulator import SimulatorProvider
from local.pollers import wait_until
from local.stack import LocalStack

pytestmark = pytest.mark.e2e


@pytest.fixture
def http(local_stack: LocalStack) -> Any:
    """`http(method, path, **kwargs)` for a fresh tenant (every scope) that dials from a
    default number at 2 calls a second, on a telephony account of its own."""
    session = local_stack.aws.session()
    accounts = AccountStore(local_stack.info["accounts_table"], dynamodb=session.client("dynamodb"))
    tenant = accounts.create_tenant(name=f"Dialing {uuid.uuid4().hex[:4]}")
    accounts.update_settings(
        tenant.tenant_id,
        TenantSettingsUpdate(
            default_from_number="+14155550100",
            dial_rate_per_second=2,
            telephony_account_id=f"acct-{tenant.tenant_id}",
        ),
    )
    key = accounts.create_key(tenant.tenant_id, tuple(Scope)).plaintext

    def request(method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"X-API-Key": key, **kwargs.pop("headers", {})}
        url = local_stack.info["api_url"] + path
        return requests.request(method, url, headers=headers, timeout=30, **kwargs)

    request.tenant_id = tenant.tenant_id  # type: ignore[attr-defined]
    return request


def test_a_batch_of_five_is_dialed_and_completed_through_the_simulator(
    http: Any, local_stack: LocalStack
) -> None:
    # Given a batch of five numbers accepted by the API
    numbers = [f"+1415555{n:04d}" for n in range(211, 216)]
    accepted = http("POST", "/v1/calls/batch", json={"to_numbers": numbers})
    assert accepted.status_code == 202, accepted.text
    batch_id = accepted.json()["batch_id"]
    assert accepted.json()["total"] == 5

    # When the dialer and the simulator have done their work
    def batch() -> dict[str, Any]:
        body: dict[str, Any] = http("GET", f"/v1/calls/batch/{batch_id}").json()
        return body

    assert wait_until(lambda: batch()["completed"] == 5, timeout=60), batch()
    # Then every call completed with a provider SID, and the counters add up
    final = batch()
    counters = ("queued", "initiated", "completed", "failed", "canceled")
    assert [final[name] for name in counters] == [0, 0, 5, 0, 0]
    assert all(c["status"] == "completed" for c in final["calls"])
    assert all(c["call_sid"].startswith("CA") for c in final["calls"])
    # And each call was placed exactly once, paced at the tenant's 2 calls a second: the five
    # placements span at least four slots (a loaded machine can only stretch that; the exact
    # gaps are `make bench`'s dial_pacing figures)
    simulator = SimulatorProvider("unused", state_dir=local_stack.info["simulator_dir"])
    ours = {c["call_id"] for c in final["calls"]}
    placed = [(at, call_id) for at, call_id in simulator.placements() if call_id in ours]
    assert sorted(call_id for _, call_id in placed) == sorted(ours)
    times = sorted(at for at, _ in placed)
    assert times[-1] - times[0] >= 4 * 0.5
    # And a completed call reads as such through the API
    one = http("GET", f"/v1/calls/{final['calls'][0]['call_id']}").json()
    assert (one["status"], one["end_reason"], one["queue_position"]) == (
        "completed",
        "hangup",
        None,
    )
    assert one["dialed_at"] is not None
    # With its dial figures and the provider's codes beside its end reason
    assert one["dial_slot_at"] is not None
    assert one["queue_time_ms"] >= 0
    assert (one["sip_response_code"], one["answered_by"]) == (200, "human")


def test_dialer_status_over_http(http: Any) -> None:
    started = time.time()
    response = http("GET", "/v1/dialer/status")
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["rate_per_second"], body["backlog"], body["in_flight"]) == (2, 0, 0)
    assert body["drains_at"] is None
    assert body["next_slot_at"] >= time.strftime("%Y-%m-%dT%H:%M", time.gmtime(started - 60))


def test_a_call_dialled_with_only_a_number_comes_back_with_transcript_history_and_recording(
    http: Any,
) -> None:
    # Given a tenant with a default caller ID, and the seeds' minimal request
    def get(path: str) -> requests.Response:
        response: requests.Response = http("GET", path)
        return response

    placed = http("POST", "/v1/calls", json={"to_number": "+14155550177"})
    assert placed.status_code in (201, 202), placed.text
    call_id = placed.json()["call_id"]

    # When the simulator has completed it and the voice runtime's stand-in has reported it
    def reported() -> bool:
        return bool(get(f"/v1/calls/{call_id}/transcript").json().get("exchanges"))

    assert wait_until(reported, timeout=90)
    assert wait_until(lambda: get(f"/v1/calls/{call_id}/recording").status_code == 200, timeout=60)

    # Then it reads back with a transcript inside the call, a history, a latency and a
    # recording as long as the call
    call = get(f"/v1/calls/{call_id}").json()
    assert call["status"] == "completed"
    assert call["from_number"] == "+14155550100"
    exchanges = get(f"/v1/calls/{call_id}/transcript").json()["exchanges"]
    assert exchanges[-1]["agent_end_ms"] <= call["duration_seconds"] * 1000
    history = get(f"/v1/calls/{call_id}/history").json()
    assert any(event["type"] == "span" for event in history["events"])
    assert wait_until(lambda: get(f"/v1/calls/{call_id}").json()["latency"] is not None)
    recorded = get(f"/v1/calls/{call_id}").json()["recording_duration_seconds"]
    assert recorded == pytest.approx(call["duration_seconds"], abs=1.0)

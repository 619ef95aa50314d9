"""The simulator provider: the status callbacks it sends (signed as Twilio signs them), the
outcomes it gives each number, what it remembers across processes, and the status callback
handler taking its callbacks all the way to a final status."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from twilio.request_validator import RequestValidator

from dialtone import settings
from dialtone.dialing.accept import Dialing, DialRequest
from dialtone.model_types import CallStatus
from dialtone.store import CallStore
from dialtone.telephony.base import DialOrder
from dialtone.telephony.simulator import SimulatorProvider
from dialtone.telephony.status_callbacks import status_callback_url
from local.endpoint import EmbeddedAws
from local.invoke import api_event, invoke
from local.provision import ROOT

TOKEN = "simulator-test-token"
FROM = "+14155550100"
# Numbers the simulator ends otherwise: (status, end reason, SIP code, AnsweredBy) of each.
SIGNALLED = {
    "+14155550489": (CallStatus.COMPLETED, "voicemail", 200, "machine_end_beep"),
    "+14155550490": (CallStatus.BUSY, "declined", 603, None),
    "+14155550491": (CallStatus.FAILED, "invalid_number", 404, None),
    "+14155550488": (CallStatus.FAILED, "network_error", 500, None),
}
# (seconds) short enough for a fast test, long enough to keep the callbacks in order
RING, TALK = 0.05, 0.1


@dataclass
class Received:
    path: str
    query: str
    headers: dict[str, str]
    body: str
    form: dict[str, str]


@dataclass
class CallbackServer:
    """Receives status callbacks on 127.0.0.1; `answer` decides each response's status."""

    answer: Callable[[Received], int]
    received: list[Received] = field(default_factory=list)
    base_url: str = ""

    def forms_by_sid(self) -> dict[str, list[dict[str, str]]]:
        calls: dict[str, list[dict[str, str]]] = {}
        for callback in self.received:
            calls.setdefault(callback.form["CallSid"], []).append(callback.form)
        return calls

    def url_of(self, callback: Received) -> str:
        return f"{self.base_url}{callback.path}" + (f"?{callback.query}" if callback.query else "")


@contextmanager
def callback_server(answer: Callable[[Received], int]) -> Iterator[CallbackServer]:
    collector = CallbackServer(answer)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            url = urlsplit(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            received = Received(
                path=url.path,
                query=url.query,
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
                form=dict(parse_qsl(body, keep_blank_values=True)),
            )
            collector.received.append(received)
            self.send_response(collector.answer(received))
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    collector.base_url = f"http://127.0.0.1:{server.server_port}"
    try:
        yield collector
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def simulator(tmp_path: Path) -> SimulatorProvider:
    return SimulatorProvider(
        TOKEN,
        account="test",
        state_dir=tmp_path / "simulator",
        ring_seconds=RING,
        talk_seconds=TALK,
        outcomes={"+15005550002": "busy"},
    )


def order(base_url: str, to_number: str, tenant_id: str = "tenant-1") -> DialOrder:
    call_id = str(uuid.uuid4())
    return DialOrder(
        tenant_id=tenant_id,
        call_id=call_id,
        to_number=to_number,
        from_number=FROM,
        status_callback_url=status_callback_url(base_url, tenant_id, call_id),
    )


OUTCOMES = {
    "+14155550123": ["initiated", "ringing", "in-progress", "completed"],
    "+14155550486": ["initiated", "ringing", "busy"],
    "+14155550487": ["initiated", "ringing", "no-answer"],
    "+14155550488": ["initiated", "failed"],
    "+15005550002": ["initiated", "ringing", "busy"],  # configured
}


def test_simulated_calls_send_signed_twilio_callbacks_for_their_outcome(
    simulator: SimulatorProvider,
) -> None:
    with callback_server(lambda _: 204) as server:
        # Given a call to each kind of number
        orders = {number: order(server.base_url, number) for number in OUTCOMES}

        # When each is placed and its callbacks have all been sent
        placed = {number: simulator.place_call(o) for number, o in orders.items()}
        assert simulator.drain(timeout=10)

    # Then every call got a CA-style SID and answered at once
    for call in placed.values():
        assert call.sid.startswith("CA")
        assert len(call.sid) == 34
        assert call.status is CallStatus.INITIATED
    # And every callback went to its call's own URL, signed with the simulator's token as
    # the Twilio SDK validates a Twilio request
    validator = RequestValidator(TOKEN)
    for callback in server.received:
        url = server.url_of(callback)
        assert validator.validate(url, callback.form, callback.headers["x-twilio-signature"])
        assert callback.headers["content-type"].startswith("application/x-www-form-urlencoded")
    # And each call went through the statuses of its outcome, in order, as Twilio's fields
    forms = server.forms_by_sid()
    for number, expected in OUTCOMES.items():
        sid = placed[number].sid
        sent = forms[sid]
        assert [form["CallStatus"] for form in sent] == expected, number
        assert [form["SequenceNumber"] for form in sent] == [str(i) for i in range(len(sent))]
        dial = orders[number]
        assert all(
            server.url_of(c) == dial.status_callback_url
            for c in server.received
            if c.form["CallSid"] == sid
        )
        for form in sent:
            assert form["AccountSid"] == simulator.account_sid
            assert (form["To"], form["From"]) == (number, FROM)
            assert form["Direction"] == "outbound-api"
            assert form["Timestamp"].endswith("+0000")
        assert "CallDuration" in sent[-1]
    assert forms[placed["+14155550123"].sid][-1]["CallDuration"] == str(round(TALK))


def test_placements_are_found_again_from_another_process(
    simulator: SimulatorProvider, tmp_path: Path
) -> None:
    with callback_server(lambda _: 204) as server:
        # Given a call placed and completed
        before = datetime.now(UTC) - timedelta(seconds=1)
        dial = order(server.base_url, "+14155550123")
        placed = simulator.place_call(dial)
        assert simulator.drain(timeout=10)

    # When another process looks at the same state directory
    script = (
        "import json, sys\n"
        "from dialtone.telephony.simulator import SimulatorProvider\n"
        "p = SimulatorProvider('x', state_dir=sys.argv[1])\n"
        "c = p.get_call(sys.argv[2])\n"
        "print(json.dumps({'status': c.status.value, 'duration': c.duration_seconds,"
        " 'placements': p.placements()}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(simulator.state_dir), placed.sid],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT / "layers" / "common" / "python"), "PATH": ""},
        timeout=60,
    )
    seen = json.loads(result.stdout.strip().splitlines()[-1])

    # Then it sees the call completed, and when it was placed
    assert seen["status"] == "completed"
    assert seen["duration"] == round(TALK)
    assert [call_id for _, call_id in seen["placements"]] == [dial.call_id]

    # And the dialer finds the call placed for its order since its claim, and no other
    found = simulator.find_call(dial, before)
    assert found is not None
    assert found.sid == placed.sid
    assert simulator.find_call(dial, datetime.now(UTC) + timedelta(seconds=1)) is None
    assert simulator.find_call(order(server.base_url, "+14155550123"), before) is None
    assert simulator.get_call("CA" + "0" * 32) is None


def test_placements_record_when_each_provider_call_was_made(
    simulator: SimulatorProvider,
) -> None:
    with callback_server(lambda _: 204) as server:
        orders = [order(server.base_url, "+14155550123") for _ in range(3)]
        for dial in orders:
            simulator.place_call(dial)
        assert simulator.drain(timeout=10)
    placements = simulator.placements()
    assert [call_id for _, call_id in placements] == [dial.call_id for dial in orders]
    times = [moment for moment, _ in placements]
    assert times == sorted(times)
    simulator.clear()
    assert simulator.placements() == []


def test_an_unreachable_callback_url_does_not_fail_the_call(simulator: SimulatorProvider) -> None:
    # Given a callback URL nobody listens on
    dial = order("http://127.0.0.1:9", "+14155550123")

    # Then placing the call still succeeds, and the call runs its course
    placed = simulator.place_call(dial)
    assert simulator.drain(timeout=10)
    call = simulator.get_call(placed.sid)
    assert call is not None
    assert call.status is CallStatus.COMPLETED


# All the way through the status callback handler


@pytest.fixture
def handler_token(
    handler_environment: dict[str, str], simulator_token: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """The handler checks signatures with the stack's simulator token (its generated
    SimulatorSecret), on the request's own URL."""
    monkeypatch.setenv("PUBLIC_BASE_URL", "")
    settings.reset()
    yield simulator_token
    settings.reset()


@pytest.fixture
def dialing(call_store: CallStore, embedded_aws: EmbeddedAws) -> Iterator[Dialing]:
    sqs = embedded_aws.session().client("sqs")
    url = sqs.create_queue(QueueName=f"test-dial-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    yield Dialing(call_store, url)
    sqs.delete_queue(QueueUrl=url)


def test_the_simulator_drives_calls_to_their_final_status_through_the_handler(
    tenant: Any, dialing: Dialing, call_store: CallStore, handler_token: str, tmp_path: Path
) -> None:
    simulator = SimulatorProvider(
        handler_token, state_dir=tmp_path / "sim", ring_seconds=RING, talk_seconds=1.0
    )
    statuses: list[int] = []

    def answer(callback: Received) -> int:
        event = api_event(
            "twilio_status",
            "POST /v1/telephony/twilio/status",
            callback.path,
            query=dict(parse_qsl(callback.query)),
            authorizer=None,
            body=callback.body,
            headers={
                "host": server.base_url.removeprefix("http://"),
                "x-forwarded-proto": "http",
                "content-type": callback.headers["content-type"],
                "x-twilio-signature": callback.headers["x-twilio-signature"],
            },
        )
        event["rawQueryString"] = callback.query
        status: int = invoke("twilio_status", event)["statusCode"]
        statuses.append(status)
        return status

    with callback_server(answer) as server:
        # Given two outbound calls waiting to be dialed, one to a number that is busy
        calls = {}
        for number in ("+14155550123", "+14155550486", *SIGNALLED):
            accepted = dialing.create_call(
                tenant.principal(), DialRequest(to_number=number, from_number=FROM)
            )
            tenant.call_ids.append(accepted.call_id)
            calls[number] = accepted.call_id

        # When the simulator places them with their status callback URLs
        sids = {}
        for number, call_id in calls.items():
            dial = DialOrder(
                tenant_id=tenant.tenant_id,
                call_id=call_id,
                to_number=number,
                from_number=FROM,
                status_callback_url=status_callback_url(server.base_url, tenant.tenant_id, call_id),
            )
            sids[number] = simulator.place_call(dial).sid
        assert simulator.drain(timeout=15)

    # Then the handler accepted every callback
    assert statuses
    assert set(statuses) == {204}
    # And the answered call is completed, the other busy, each with its Twilio SID
    answered = call_store.get_call(tenant.tenant_id, calls["+14155550123"], consistent=True).call
    assert answered.status is CallStatus.COMPLETED
    assert answered.twilio_call_sid == sids["+14155550123"]
    assert answered.duration_seconds == 1
    assert answered.end_reason == "hangup"
    busy = call_store.get_call(tenant.tenant_id, calls["+14155550486"], consistent=True).call
    assert busy.status is CallStatus.BUSY
    assert busy.end_reason == "busy"
    assert busy.twilio_call_sid == sids["+14155550486"]
    assert (busy.sip_response_code, answered.sip_response_code) == (486, 200)
    assert (busy.answered_by, answered.answered_by) == (None, "human")
    # And the others end with the reason their codes say, the codes kept beside it
    for number, (status, end_reason, sip, answered_by) in SIGNALLED.items():
        call = call_store.get_call(tenant.tenant_id, calls[number], consistent=True).call
        assert (call.status, call.end_reason) == (status, end_reason), number
        assert (call.sip_response_code, call.answered_by) == (sip, answered_by), number

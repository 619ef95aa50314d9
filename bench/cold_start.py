"""Cold start: a fresh interpreter serving a handler's first request ÷ the floor any handler pays.

Each side is a new `python bench/child.py ...` process timed from here, from its start until
it has answered (it then leaves without the interpreter's exit). Runs are interleaved (handler
and floor of every function, alternating which goes first) and the first pair of each function
is discarded: it fills the bytecode caches.
"""

from __future__ import annotations

import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.fixture import (
    COLD_AGENT,
    COLD_WEBHOOK_URL,
    ColdDataset,
    function_dirs,
    principal_of,
    stored_item_key,
)
from bench.report import Figure, Section, at_most, ratio
from dialtone.auth import hash_key
from dialtone.dynamo import to_item
from dialtone.store import (
    CALL_SK,
    EVENT_PREFIX,
    EXCHANGE_PREFIX,
    call_pk,
    event_sk,
    exchange_sk,
)
from local.endpoint import EmbeddedAws
from local.invoke import api_event, sample_event
from local.provision import Stack

GOAL = 1.3
# Handler and floor runs of each function, after the warm-up pair. Each side's time is the
# fastest of its runs: what the machine takes when nothing else slows it. Another process on this
# shared machine only ever adds time, in bursts that a handler run and the floor run next to it
# need not share, so a ratio of medians wandered with them: of one run of 44 functions, 9 runs
# each, medians of the first 5 gave 0.83 to 1.54 (mean 1.20), the fastest of 9 gave 0.91 to 1.32
# (mean 1.22): about the same mean, far less spread (so in two later runs). Medians of 3 had
# moved by up to 0.22 between two runs of the same code.
RUNS = int(os.environ.get("BENCH_COLD_START_RUNS", "7"))
# While working on a few handlers: `BENCH_COLD_START_FUNCTIONS=get_call,list_calls python -m
# bench cold_start` measures only those (and checks the imports of no other function).
ONLY = "BENCH_COLD_START_FUNCTIONS"
# The function whose floor (one GetItem of a call) the references are measured on.
REFERENCE_FLOOR = "get_call"
REFERENCE_DETAIL = {
    "resolver": "one route of powertools' resolver with validation, a pydantic response",
    "edge": "the same route on dialtone.http's resolver in observability.api_handler"
    " (dialtone imported first, as handlers do)",
}
# The runtime's appends of the cold-start requests: the first run (discarded) stores them, the
# others are repeats (200, "unchanged"). The floor writes items of its own the same way.
COLD_EXCHANGE: dict[str, Any] = {
    "sequence_number": 9_000_000,
    "user_transcript": "Is my order on its way?",
    "agent_response": "It is: it arrives tomorrow.",
    "exchange_timestamp": "2026-01-01T00:00:00Z",
}
COLD_EVENT: dict[str, Any] = {
    "event_id": "bench-cold-start",
    "type": "function_call",
    "timestamp": "2026-01-01T00:00:00Z",
    "name": "lookup_order",
    "arguments": {"order": "10442"},
}
CHILD = Path(__file__).resolve().parent / "child.py"
LAZY = ("phonenumbers", "mutagen")  # as bench/child.py checks them
ROOT = CHILD.parent.parent
# What a process needs from the parent's environment; everything else comes from the template.
_INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")


@dataclass
class Sides:
    """A function's first request, its floor, and the times measured for both."""

    handler_event: dict[str, Any]
    clients: list[str]
    calls: list[tuple[str, dict[str, Any]]]
    handler_seconds: list[float] = field(default_factory=list)
    floor_seconds: list[float] = field(default_factory=list)
    twilio: bool = False
    lazy: list[str] = field(default_factory=list)
    error: str | None = None
    # The statuses that serve the request (a request that can be repeated may be refused).
    expected: tuple[int, ...] = (200,)
    # The floor's clients and calls are those of a recording run of the handler.
    recorded: bool = False
    # Served once before the recording run: its first request changes what the next see.
    primed: bool = False
    # The child commands of both sides and their environment, once prepared.
    handler_args: list[str] = field(default_factory=list)
    floor_args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)

    def handler_ms(self) -> float:
        """The handler's cold start: the fastest of its runs (see RUNS)."""
        return min(self.handler_seconds) * 1000

    def floor_ms(self) -> float:
        return min(self.floor_seconds) * 1000

    def detail(self) -> str:
        """Both sides' times, the medians too (what another process on the machine adds)."""
        medians = [statistics.median(s) * 1000 for s in (self.handler_seconds, self.floor_seconds)]
        return (
            f"handler {self.handler_ms():.0f} ms, floor {self.floor_ms():.0f} ms, the fastest of"
            f" {len(self.handler_seconds)} runs each (medians {medians[0]:.0f} and"
            f" {medians[1]:.0f} ms)"
        )


def _requests(stack: Stack, data: ColdDataset) -> dict[str, Sides]:
    """Per function: its first request, and the clients and DynamoDB calls of its floor."""
    calls_table = stack.names["CallsTable"]
    accounts_table = stack.names["AccountsTable"]
    context = principal_of(data.tenant_id).to_context()
    path = f"/v1/calls/{data.call_id}"
    get_item = (
        "get_item",
        {"TableName": calls_table, "Key": stored_item_key(data.tenant_id, data.call_id)},
    )

    def call_event(
        sample: str, suffix: str, method: str = "GET", body: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        return api_event(
            sample,
            f"{method} /v1/calls/{{call_id}}{suffix}",
            path + suffix,
            path_parameters={"call_id": data.call_id},
            authorizer=context,
            body=None if body is None else json.dumps(body),
        )

    pk = call_pk(data.tenant_id, data.call_id)
    consistent_get = ("get_item", {**get_item[1], "ConsistentRead": True})

    def append(sk: str, values: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """The transaction of a one-item append (dialtone.store.CallStore.append_children)."""
        check = {
            "TableName": calls_table,
            "Key": {"pk": {"S": pk}, "sk": {"S": CALL_SK}},
            "ConditionExpression": "attribute_exists(pk)",
        }
        put = {
            "TableName": calls_table,
            "Item": to_item({"pk": pk, "sk": sk, **values}),
            "ConditionExpression": "attribute_not_exists(sk)",
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
        return (
            "transact_write_items",
            {"TransactItems": [{"ConditionCheck": check}, {"Put": put}]},
        )

    def children(prefix: str) -> tuple[str, dict[str, Any]]:
        return (
            "query",
            {
                "TableName": calls_table,
                "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
                "ExpressionAttributeValues": {":pk": {"S": pk}, ":prefix": {"S": prefix}},
            },
        )

    floor_exchange = {**COLD_EXCHANGE, "sequence_number": COLD_EXCHANGE["sequence_number"] + 1}

    authorizer_event = sample_event("authorizer")
    authorizer_event["headers"]["x-api-key"] = data.api_key
    authorizer_event["identitySource"] = [data.api_key]
    return {
        "authorizer": Sides(
            authorizer_event,
            ["dynamodb"],
            [
                (
                    "get_item",
                    {
                        "TableName": accounts_table,
                        "Key": {"pk": {"S": f"KEY#{hash_key(data.api_key)}"}, "sk": {"S": "KEY"}},
                        "ProjectionExpression": "tenant_id, key_id, scopes, revoked_at",
                    },
                )
            ],
        ),
        "get_call": Sides(call_event("get_call", ""), ["dynamodb", "s3"], [get_item]),
        "get_call_transcript": Sides(
            call_event("get_call_transcript", "/transcript"),
            ["dynamodb"],
            [get_item, children(EXCHANGE_PREFIX)],
        ),
        "get_call_recording": Sides(
            call_event("get_call_recording", "/recording"), ["dynamodb", "s3"], [get_item]
        ),
        # A PUT that changes nothing (metadata merged with no keys): the handler reads the
        # call, and finds nothing to write.
        "upsert_call": Sides(
            call_event("upsert_call", "", "PUT", {"metadata": {}}), ["dynamodb"], [consistent_get]
        ),
        "append_call_exchanges": Sides(
            call_event(
                "append_call_exchanges", "/exchanges", "POST", {"exchanges": [COLD_EXCHANGE]}
            ),
            ["dynamodb"],
            [
                consistent_get,
                append(exchange_sk(floor_exchange["sequence_number"]), floor_exchange),
            ],
        ),
        "append_call_events": Sides(
            call_event("append_call_events", "/events", "POST", {"events": [COLD_EVENT]}),
            ["dynamodb"],
            [
                consistent_get,
                append(event_sk(f"{COLD_EVENT['event_id']}-floor"), COLD_EVENT),
            ],
        ),
        "create_recording_upload": Sides(
            call_event("create_recording_upload", "/recording/upload", "POST", {"format": "wav"}),
            ["dynamodb", "s3"],
            [get_item],
        ),
        "get_call_history": Sides(
            call_event("get_call_history", "/history"),
            ["dynamodb"],
            [get_item, children(EVENT_PREFIX)],
        ),
    }


# A call id and a batch id that are never stored.
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"
# A webhook subscription and a delivery that are never stored (ids of their patterns).
UNKNOWN_WEBHOOK_ID = "wh_000000000000000000000000"
UNKNOWN_DELIVERY_ID = "msg_0000000000000000000000000000"


def _recorded_requests(data: ColdDataset) -> dict[str, Sides]:
    """The first request of every other API function; their floor makes the calls that a
    recording run of the handler made. Requests that would change what the next run sees
    are made on something that is not there (404) or not in the state they need (409)."""
    context = principal_of(data.tenant_id).to_context()
    call = f"/v1/calls/{data.call_id}"
    agent = f"/v1/agents/{COLD_AGENT['agent_id']}"

    def request(
        route: str,
        path: str,
        expected: tuple[int, ...] = (200,),
        body: dict[str, Any] | None = None,
        primed: bool = False,
        **params: dict[str, str],
    ) -> Sides:
        sample = FUNCTION_OF_ROUTE[route]
        event = api_event(
            sample,
            route,
            path,
            authorizer=context,
            body=None if body is None else json.dumps(body),
            **params,
        )
        return Sides(event, [], [], expected=expected, recorded=True, primed=primed)

    on_call = {"call_id": data.call_id}
    new_agent = {k: v for k, v in COLD_AGENT.items() if k != "agent_id"}
    dial = {"from_number": "+14155550100"}
    return {
        # The call is completed: not cancelable (409), after the same reads and the refused write.
        "cancel_call": request(
            "POST /v1/calls/{call_id}/cancel",
            f"{call}/cancel",
            (409,),
            path_parameters={"call_id": data.call_id},
        ),
        "create_agent": request("POST /v1/agents", "/v1/agents", (201,), new_agent),
        "create_call": request(
            "POST /v1/calls", "/v1/calls", (202,), {"to_number": "+14155550123", **dial}
        ),
        "create_call_batch": request(
            "POST /v1/calls/batch",
            "/v1/calls/batch",
            (202,),
            {"to_numbers": ["+14155550123", "+14155550124"], **dial},
        ),
        # Added by the recording run (201), found there by the others (200).
        "create_suppression": request(
            "POST /v1/suppressions",
            "/v1/suppressions",
            (200, 201),
            {"phone_number": "+14155550199"},
        ),
        "delete_agent": request(
            "DELETE /v1/agents/{agent_id}",
            "/v1/agents/bench-missing",
            (404,),
            path_parameters={"agent_id": "bench-missing"},
        ),
        "delete_call": request(
            "DELETE /v1/calls/{call_id}",
            f"/v1/calls/{UNKNOWN_ID}",
            (404,),
            path_parameters={"call_id": UNKNOWN_ID},
        ),
        "delete_suppression": request(
            "DELETE /v1/suppressions",
            "/v1/suppressions",
            (404,),
            query={"phone_number": "+14155550198"},
        ),
        "dialer_status": request("GET /v1/dialer/status", "/v1/dialer/status"),
        "get_agent": request(
            "GET /v1/agents/{agent_id}", agent, path_parameters={"agent_id": COLD_AGENT["agent_id"]}
        ),
        "get_call_batch": request(
            "GET /v1/calls/batch/{batch_id}",
            f"/v1/calls/batch/{UNKNOWN_ID}",
            (404,),
            path_parameters={"batch_id": UNKNOWN_ID},
        ),
        "list_agents": request("GET /v1/agents", "/v1/agents"),
        # The first page, its signed cursor and its total (the list's query, the cursor secret,
        # and the rollups of the days it spans).
        "list_calls": request("GET /v1/calls", "/v1/calls"),
        "search_calls": request(
            "POST /v1/calls/search",
            "/v1/calls/search",
            body={"call_ids": [data.call_id, UNKNOWN_ID]},
        ),
        "export_calls": request(
            "GET /v1/calls/export", "/v1/calls/export", query={"export_format": "csv"}
        ),
        # The priming run starts a grade (queued); the others find it pending and answer it
        # as it is, as does the read of the grade.
        "grade_call": request(
            "POST /v1/calls/{call_id}/grade", f"{call}/grade", primed=True, path_parameters=on_call
        ),
        "get_call_grade": request(
            "GET /v1/calls/{call_id}/grade", f"{call}/grade", path_parameters=on_call
        ),
        # Each run files one more report (201): the same work every time.
        "create_issue_report": request(
            "POST /v1/calls/{call_id}/issue-reports",
            f"{call}/issue-reports",
            (201,),
            {"title": "The caller was cut off", "severity": "warning"},
            path_parameters=on_call,
        ),
        "list_call_issue_reports": request(
            "GET /v1/calls/{call_id}/issue-reports",
            f"{call}/issue-reports",
            path_parameters=on_call,
        ),
        "list_issue_reports": request("GET /v1/issue-reports", "/v1/issue-reports"),
        "get_api_docs": request("GET /v1/docs", "/v1/docs"),
        "list_suppressions": request("GET /v1/suppressions", "/v1/suppressions"),
        # The sample is signed with a token no stack holds: read the secret, check, refuse.
        "twilio_status": Sides(
            sample_event("twilio_status"), [], [], expected=(403,), recorded=True
        ),
        "update_agent": request(
            "PATCH /v1/agents/{agent_id}",
            agent,
            body={"name": COLD_AGENT["name"]},
            path_parameters={"agent_id": COLD_AGENT["agent_id"]},
        ),
        # 30 days of the tenant's rollups, and the calls of the range's two partial hours.
        "get_call_stats": request("GET /v1/calls/stats", "/v1/calls/stats"),
        "list_call_changes": request("GET /v1/calls/changes", "/v1/calls/changes"),
        **_webhook_requests(data, request),
    }


def _webhook_requests(data: ColdDataset, request: Callable[..., Sides]) -> dict[str, Sides]:
    """The webhook endpoints' first requests, on the cold tenant's subscription (a deletion
    and a retry on ones that are not there, 404)."""
    if data.webhook_id is None:
        return {}
    webhook = f"/v1/webhooks/{data.webhook_id}"
    on_webhook = {"webhook_id": data.webhook_id}
    return {
        # Each run adds one subscription (201): with the seeded one and the recording run, the
        # tenant's cap of 20 holds up to 17 runs (BENCH_COLD_START_RUNS).
        "create_webhook": request(
            "POST /v1/webhooks",
            "/v1/webhooks",
            (201,),
            {"url": COLD_WEBHOOK_URL, "events": ["call.completed", "call.failed"]},
        ),
        "list_webhooks": request("GET /v1/webhooks", "/v1/webhooks"),
        "get_webhook": request(
            "GET /v1/webhooks/{webhook_id}", webhook, path_parameters=on_webhook
        ),
        "update_webhook": request(
            "PATCH /v1/webhooks/{webhook_id}",
            webhook,
            body={"description": "Bench subscription"},
            path_parameters=on_webhook,
        ),
        "delete_webhook": request(
            "DELETE /v1/webhooks/{webhook_id}",
            f"/v1/webhooks/{UNKNOWN_WEBHOOK_ID}",
            (404,),
            path_parameters={"webhook_id": UNKNOWN_WEBHOOK_ID},
        ),
        # Each run makes a new secret current (the one before keeps signing for a while).
        "rotate_webhook_secret": request(
            "POST /v1/webhooks/{webhook_id}/rotate-secret",
            f"{webhook}/rotate-secret",
            path_parameters=on_webhook,
        ),
        # Each run queues one more ping (202), which nothing here delivers.
        "test_webhook": request(
            "POST /v1/webhooks/{webhook_id}/test",
            f"{webhook}/test",
            (202,),
            path_parameters=on_webhook,
        ),
        "list_webhook_deliveries": request(
            "GET /v1/webhooks/{webhook_id}/deliveries",
            f"{webhook}/deliveries",
            path_parameters=on_webhook,
        ),
        "retry_webhook_delivery": request(
            "POST /v1/webhooks/{webhook_id}/deliveries/{delivery_id}/retry",
            f"{webhook}/deliveries/{UNKNOWN_DELIVERY_ID}/retry",
            (404,),
            path_parameters={**on_webhook, "delivery_id": UNKNOWN_DELIVERY_ID},
        ),
    }


FUNCTION_OF_ROUTE = {
    "POST /v1/calls/{call_id}/cancel": "cancel_call",
    "POST /v1/agents": "create_agent",
    "POST /v1/calls": "create_call",
    "POST /v1/calls/batch": "create_call_batch",
    "POST /v1/suppressions": "create_suppression",
    "DELETE /v1/agents/{agent_id}": "delete_agent",
    "DELETE /v1/calls/{call_id}": "delete_call",
    "DELETE /v1/suppressions": "delete_suppression",
    "GET /v1/dialer/status": "dialer_status",
    "GET /v1/agents/{agent_id}": "get_agent",
    "GET /v1/calls/batch/{batch_id}": "get_call_batch",
    "GET /v1/agents": "list_agents",
    "GET /v1/calls": "list_calls",
    "GET /v1/suppressions": "list_suppressions",
    "PATCH /v1/agents/{agent_id}": "update_agent",
    "POST /v1/calls/search": "search_calls",
    "GET /v1/calls/export": "export_calls",
    "POST /v1/calls/{call_id}/grade": "grade_call",
    "GET /v1/calls/{call_id}/grade": "get_call_grade",
    "POST /v1/calls/{call_id}/issue-reports": "create_issue_report",
    "GET /v1/calls/{call_id}/issue-reports": "list_call_issue_reports",
    "GET /v1/issue-reports": "list_issue_reports",
    "GET /v1/docs": "get_api_docs",
    "GET /v1/calls/stats": "get_call_stats",
    "GET /v1/calls/changes": "list_call_changes",
    "POST /v1/webhooks": "create_webhook",
    "GET /v1/webhooks": "list_webhooks",
    "GET /v1/webhooks/{webhook_id}": "get_webhook",
    "PATCH /v1/webhooks/{webhook_id}": "update_webhook",
    "DELETE /v1/webhooks/{webhook_id}": "delete_webhook",
    "POST /v1/webhooks/{webhook_id}/rotate-secret": "rotate_webhook_secret",
    "POST /v1/webhooks/{webhook_id}/test": "test_webhook",
    "GET /v1/webhooks/{webhook_id}/deliveries": "list_webhook_deliveries",
    "POST /v1/webhooks/{webhook_id}/deliveries/{delivery_id}/retry": "retry_webhook_delivery",
}


def _environment(endpoint: EmbeddedAws, stack: Stack, logical_id: str | None) -> dict[str, str]:
    """What Lambda would give the function (Globals only for one not in the template yet)."""
    inherited = {k: os.environ[k] for k in _INHERITED if k in os.environ}
    if logical_id is not None:
        own = stack.function_environment(logical_id)
    else:
        variables = stack.template.get("Globals", {}).get("Function", {}).get("Environment", {})
        own = {k: str(stack.resolve(v)) for k, v in variables.get("Variables", {}).items()}
    # The layer's code of this tree, as Lambda puts the layer on the path (not whatever an
    # editable install of dialtone points at); and the function's name, which Lambda sets.
    layer = {"PYTHONPATH": str(ROOT / "layers" / "common" / "python")}
    runtime = {"AWS_LAMBDA_FUNCTION_NAME": f"dialtone-{logical_id or 'function'}"}
    return {**inherited, **layer, **runtime, **endpoint.environment(), **own}


def api_functions(stack: Stack) -> dict[str, bool]:
    """Every `functions/<dir>` with an app.py → whether it serves the HTTP API.

    From the template: an `HttpApi` event, or being the API's authorizer. A function not in the
    template yet counts as an API handler when its module builds the HTTP resolver.
    """
    logical_ids = function_dirs(stack)
    authorizers = {
        str(authorizer.get("FunctionArn", {}).get("Fn::GetAtt", [""])[0])
        for api in stack.template["Resources"].values()
        if api["Type"] == "AWS::Serverless::HttpApi"
        for authorizer in api["Properties"].get("Auth", {}).get("Authorizers", {}).values()
    }
    kinds: dict[str, bool] = {}
    for app in sorted((ROOT / "functions").glob("*/app.py")):
        name = app.parent.name
        logical = logical_ids.get(name)
        if logical is None:
            kinds[name] = "create_app(" in app.read_text()
            continue
        events = stack.template["Resources"][logical]["Properties"].get("Events", {})
        kinds[name] = logical in authorizers or any(
            event.get("Type") == "HttpApi" for event in events.values()
        )
    return kinds


def _run_child(args: list[str], env: dict[str, str]) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    process = subprocess.run(
        [sys.executable, str(CHILD), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    elapsed = time.perf_counter() - started
    lines = [line for line in process.stdout.splitlines() if line.startswith("BENCH-RESULT ")]
    if process.returncode != 0 or not lines:
        tail = process.stderr.strip().splitlines()[-1:] or ["no output"]
        raise RuntimeError(f"`child.py {' '.join(args[:2])}` failed: {tail[0]}")
    result: dict[str, Any] = json.loads(lines[-1].removeprefix("BENCH-RESULT "))
    if not result["ok"]:
        raise RuntimeError(f"`child.py {' '.join(args[:2])}` did not serve its request: {result}")
    return elapsed, result


def _measure(
    endpoint: EmbeddedAws, stack: Stack, sides: dict[str, Sides], workdir: str
) -> dict[str, Sides]:
    """Interleaved handler and floor runs of every function and of the references (returned);
    the first round is discarded."""
    logical_ids = function_dirs(stack)
    for function, side in sides.items():
        env = _environment(endpoint, stack, logical_ids[function])
        _prepare(function, side, env, workdir)
    references = _references(sides)
    for n in range(RUNS + 1):
        for side in [*sides.values(), *references.values()]:
            if not side.error:
                _run_round(side, n)
    return references


def _references(sides: dict[str, Sides]) -> dict[str, Sides]:
    """The least a handler of this design pays, on the floor of REFERENCE_FLOOR's request:
    its calls made by the one route of powertools' resolver with validation (`resolver`), and
    of dialtone.http's resolver in observability.api_handler (`edge`); bench/child.py
    `reference`."""
    base = sides.get(REFERENCE_FLOOR)
    if base is None or base.error or not base.floor_args:
        return {}
    return {
        name: Sides(
            base.handler_event,
            base.clients,
            base.calls,
            handler_args=["reference", base.floor_args[1], *extra],
            floor_args=base.floor_args,
            env=base.env,
        )
        for name, extra in (("resolver", []), ("edge", ["edge"]))
    }


def _prepare(function: str, side: Sides, env: dict[str, str], workdir: str) -> None:
    """The function's handler and floor commands (the floor replaying the AWS calls of one
    recorded handler run, for a function whose calls are recorded)."""
    event_path = Path(workdir, f"{function}.event.json")
    event_path.write_text(json.dumps(side.handler_event))
    handler_args = ["handler", function, str(event_path), ",".join(map(str, side.expected))]
    try:
        if side.primed:
            _run_child(handler_args, env)
        _, recording = _run_child([*handler_args, "record"], env)
    except RuntimeError as error:
        side.error = str(error)
        return
    if side.recorded:
        side.clients, side.calls = recording["clients"], recording["calls"]
    else:
        # A floor written here must make the calls the handler makes (it may change since).
        planned = [
            list(call[:2]) if len(call) == 3 else ["dynamodb", call[0]] for call in side.calls
        ]
        made = [call[:2] for call in recording["calls"]]
        if planned != made or sorted(side.clients) != sorted(recording["clients"]):
            side.error = (
                f"its floor ({sorted(side.clients)}: {planned}) is not what the handler does "
                f"({sorted(recording['clients'])}: {made})"
            )
            return
    floor_path = Path(workdir, f"{function}.floor.json")
    floor = {"clients": side.clients, "calls": side.calls, "recorded": side.recorded}
    floor_path.write_text(json.dumps(floor))
    side.handler_args, side.floor_args, side.env = handler_args, ["floor", str(floor_path)], env


def _run_round(side: Sides, n: int) -> None:
    """One handler run and one floor run, in alternating order; round 0 only warms up."""
    order = [("handler", side.handler_args), ("floor", side.floor_args)]
    for kind, args in order if n % 2 else reversed(order):
        try:
            seconds, result = _run_child(args, side.env)
        except RuntimeError as error:
            side.error = str(error)
            return
        if kind == "handler":
            side.twilio = side.twilio or result["twilio"]
            side.lazy = sorted(set(side.lazy) | set(result["lazy_at_import"]))
        if n == 0:
            continue  # warm-up: fills the bytecode caches
        (side.handler_seconds if kind == "handler" else side.floor_seconds).append(seconds)


def _import_times(args: list[str], env: dict[str, str]) -> dict[str, float]:
    """Module → its own import time in ms (`python -X importtime`) in a child run."""
    process = subprocess.run(
        [sys.executable, "-X", "importtime", str(CHILD), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    times: dict[str, float] = {}
    for line in process.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            own, _, name = line.removeprefix("import time:").split("|")
            if own.strip().isdigit():
                times[name.strip()] = int(own) / 1000
    return times


def _package(module: str) -> str:
    """What a module's import time is summed under: dialtone's modules one by one,
    powertools by subpackage, anything else by top-level package."""
    parts = module.split(".")
    depth = {"dialtone": 2, "aws_lambda_powertools": 3}.get(parts[0], 1)
    return ".".join(parts[:depth])


def import_budget(
    function: str, side: Sides, handler_ms: float, floor_ms: float
) -> tuple[Section, Figure]:
    """The import time of a handler's cold start beyond the floor's, by package: the table,
    and its total as a figure."""
    handler = _import_times(side.handler_args, side.env)
    floor = _import_times(side.floor_args, side.env)
    shared = sum(ms for module, ms in handler.items() if module in floor)
    budget: dict[str, float] = {}
    for module, ms in handler.items():
        if module not in floor:
            budget[_package(module)] = budget.get(_package(module), 0.0) + ms
    rows = sorted(budget.items(), key=lambda row: -row[1])
    shown, rest = rows[:15], rows[15:]
    beyond = sum(budget.values())
    lines = [
        f"`{function}`, the slowest handler of the run ({handler_ms:.0f} ms, floor"
        f" {floor_ms:.0f} ms): the modules it imports beyond the floor's (importing the handler"
        " module and serving its first request, `python -X importtime`, one run; each module's"
        " own time, summed by package).",
        "",
        "| module | ms |",
        "|---|---|",
        *(f"| `{name}` | {ms:.1f} |" for name, ms in shown),
    ]
    if rest:
        lines.append(f"| {len(rest)} other packages | {sum(ms for _, ms in rest):.1f} |")
    lines += [
        f"| **beyond the floor** | **{beyond:.1f}** |",
        f"| modules the floor imports too (boto3, botocore, ...) | {shared:.1f} |",
    ]
    top = ", ".join(f"{name} {ms:.0f}" for name, ms in rows[:4])
    figure = Figure(
        f"cold_start_import_budget_ms_{function}",
        f"{beyond:.0f}",
        "no goal; reported",
        None,
        f"the slowest handler's imports beyond the floor's (-X importtime, one run; the floor's"
        f" own: {shared:.0f} ms); most: {top} (ms)",
    )
    return Section("Cold start: import budget of the slowest handler", lines), figure


def _slowest_budget(
    sides: dict[str, Sides], notes: list[str], sections: list[Section]
) -> list[Figure]:
    """The import budget of the API handler with the slowest cold start (its fastest run)."""
    measured = {
        f: s for f, s in sides.items() if s.handler_seconds and not s.error and f != "authorizer"
    }
    if not measured:
        return []
    function = max(measured, key=lambda f: measured[f].handler_ms())
    side = measured[function]
    try:
        section, figure = import_budget(function, side, side.handler_ms(), side.floor_ms())
    except subprocess.CalledProcessError as error:
        notes.append(f"Import budget of `{function}` not measured: {error}")
        return []
    sections.append(section)
    return [figure]


def _reference_figures(
    references: dict[str, Sides], emit: Callable[[Figure], None]
) -> list[Figure]:
    """The references' ratios: no goal, the part of every handler's that no cut of its own
    import work can remove."""
    figures = []
    for name, side in references.items():
        if side.error or not side.handler_seconds:
            continue
        figure = Figure(
            f"cold_start_ratio_reference_{name}",
            ratio(side.handler_ms() / side.floor_ms()),
            f"no goal; the least a handler pays, against the {GOAL} goal",
            None,
            f"{REFERENCE_DETAIL[name]}, on the floor of `{REFERENCE_FLOOR}`: {side.detail()}",
        )
        emit(figure)
        figures.append(figure)
    return figures


def _chosen(kinds: dict[str, bool]) -> dict[str, bool]:
    """The functions to measure: all, or those named by the ONLY variable."""
    if not os.environ.get(ONLY):
        return kinds
    chosen = set(os.environ[ONLY].split(","))
    return {function: api for function, api in kinds.items() if function in chosen}


def run(
    endpoint: EmbeddedAws,
    stack: Stack,
    data: ColdDataset,
    notes: list[str],
    emit: Callable[[Figure], None],
    sections: list[Section] | None = None,
) -> list[Figure]:
    kinds = _chosen(api_functions(stack))
    logical_ids = function_dirs(stack)
    requests = {**_requests(stack, data), **_recorded_requests(data)}
    sides = {f: s for f, s in requests.items() if f in logical_ids and f in kinds}
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="dialtone-bench-") as workdir:
        references = _measure(endpoint, stack, sides, workdir)
        # The children's event and floor files live in workdir: the budget is taken now.
        budget = _slowest_budget(sides, notes, sections) if sections is not None else []
    for function, side in sides.items():
        if side.error:
            notes.append(f"Cold start of `{function}` not measured: {side.error}")
            failed = Figure(f"cold_start_ratio_{function}", "error", f"goal ≤ {GOAL}", False)
            emit(failed)
            figures.append(failed)
            continue
        figure = at_most(
            f"cold_start_ratio_{function}",
            side.handler_ms() / side.floor_ms(),
            GOAL,
            side.detail(),
        )
        emit(figure)
        figures.append(figure)
    figures += _reference_figures(references, emit)
    for figure in budget:
        emit(figure)
    figures += budget
    # API handlers without a benched request (or whose request failed): a cold start is not
    # measured, what their module imports is checked. The other functions too, for LAZY.
    unmeasured = [f for f, api in kinds.items() if api and f not in sides]
    importers = [f for f, side in sides.items() if side.twilio]
    lazy = {f: side.lazy for f, side in sides.items() if not side.error}
    others = [f for f, api in kinds.items() if not api]
    unserved = [f for f, side in sides.items() if side.error]
    for function in [*unmeasured, *unserved, *others]:
        env = _environment(endpoint, stack, logical_ids.get(function))
        try:
            _, result = _run_child(["import", function], env)
        except RuntimeError as error:
            notes.append(f"Importing `functions/{function}/app.py` failed: {error}")
            continue
        lazy[function] = result["lazy_at_import"]
        if result["twilio"] and kinds[function] and function not in importers:
            importers.append(function)
    if unmeasured:
        notes.append(
            "No cold-start request is defined yet for "
            + ", ".join(f"`{f}`" for f in unmeasured)
            + " (bench/cold_start.py `_requests`): their modules were only imported, to check"
            " what they import."
        )
    installed = importlib.util.find_spec("twilio") is not None
    checked = len(sides) + len(unmeasured)
    detail = (
        f"{', '.join(importers) if importers else 'none'} of {checked} API handlers"
        f" ({len(sides)} serving a request, {len(unmeasured)} imported only)"
    )
    if not installed:
        detail += "; twilio is not installed here, so attempted imports are what is detected"
    if others:
        detail += f"; not API handlers: {', '.join(others)}"
    twilio = Figure(
        "api_handlers_import_twilio",
        "yes" if importers else "no",
        "goal: no",
        not importers,
        detail,
    )
    emit(twilio)
    figures.append(twilio)
    figure = _lazy_figure(lazy, kinds)
    emit(figure)
    figures.append(figure)
    return figures


def _lazy_figure(lazy: dict[str, list[str]], kinds: dict[str, bool]) -> Figure:
    """Which functions load phonenumbers or mutagen with their module, not on first use."""
    loaders = {f: modules for f, modules in sorted(lazy.items()) if modules}
    api_loaders = [f for f in loaders if kinds.get(f)]
    checked = sorted(lazy)
    found = (
        "; ".join(f"{f}: {', '.join(m)}" for f, m in loaders.items())
        if loaders
        else f"none of {len(checked)} functions ({sum(kinds.get(f, False) for f in checked)}"
        " API handlers and " + ", ".join(f for f in checked if not kinds.get(f)) + ")"
    )
    return Figure(
        "api_handlers_import_phonenumbers_or_mutagen",
        "yes" if api_loaders else "no",
        "goal: no",
        not api_loaders,
        f"{' and '.join(LAZY)} are for first use only; loaded with the module: {found}",
    )

"""The cold-start bench's requests (`bench.cold_start`): one for every API function."""

from __future__ import annotations

from bench.cold_start import (
    UNKNOWN_ID,
    _recorded_requests,
    _requests,
    api_functions,
)
from bench.fixture import ColdDataset, function_dirs
from local.provision import Stack, load_template


def _stack() -> Stack:
    return Stack(
        "bench",
        names={"CallsTable": "calls", "AccountsTable": "accounts"},
        template=load_template(),
    )


def _routes(stack: Stack, function: str) -> set[str]:
    """The `METHOD /path` route keys the template gives a function's HttpApi events."""
    logical = function_dirs(stack)[function]
    events = stack.template["Resources"][logical]["Properties"].get("Events", {})
    return {
        f"{event['Properties']['Method'].upper()} {event['Properties']['Path']}"
        for event in events.values()
        if event.get("Type") == "HttpApi"
    }


def test_every_api_function_has_a_first_request_on_a_route_it_serves() -> None:
    # Given the template's API functions and a cold tenant with a webhook subscription
    stack = _stack()
    data = ColdDataset("tenant-1", "dt_key", UNKNOWN_ID, 1, webhook_id="wh_0123456789abcdef")

    # When the bench builds their first requests
    requests = {**_requests(stack, data), **_recorded_requests(data)}

    # Then every API function has one, on a route of its own (the authorizer's is any route)
    api = sorted(function for function, serves in api_functions(stack).items() if serves)
    assert [function for function in api if function not in requests] == []
    for function, side in requests.items():
        if function != "authorizer":
            assert side.handler_event["routeKey"] in _routes(stack, function), function


def test_without_a_subscription_the_webhook_functions_have_no_request() -> None:
    # Given a cold tenant seeded without the webhooks table
    data = ColdDataset("tenant-1", "dt_key", UNKNOWN_ID, 1)

    # Then no webhook request is built on a subscription that is not there
    assert not [function for function in _recorded_requests(data) if "webhook" in function]

"""A function's init (dialtone.startup): collection paused while its modules load, then what
they built frozen and collection resumed, once its handler is decorated."""

from __future__ import annotations

import ast
import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from dialtone import startup
from tests import fresh

ROOT = Path(__file__).resolve().parents[2]
DECORATORS = {"api_handler", "event_handler", "authorizer_handler"}


@pytest.fixture
def collector() -> Iterator[None]:
    """Whatever a test does to the collector is undone after it."""
    was_enabled = gc.isenabled()
    yield
    gc.unfreeze()
    startup._paused = False
    if was_enabled:
        gc.enable()


@pytest.mark.usefixtures("collector")
def test_outside_a_function_nothing_is_paused(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a process that is not a function's (the tests', the command line's)
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)

    # When dialtone's import asks for a pause, and a handler is decorated
    startup.pause_collection()
    enabled_meanwhile = gc.isenabled()
    startup.init_done()

    # Then collection never stopped, and nothing was frozen
    assert enabled_meanwhile
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


@pytest.mark.usefixtures("collector")
def test_inside_a_function_the_init_is_frozen_once_done(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a function's process
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "dialtone-get-call")

    # When its init starts, builds objects and ends
    startup.pause_collection()
    paused = not gc.isenabled()
    built = [[n] for n in range(1000)]
    startup.init_done()

    # Then collection was paused meanwhile, and is back, with the init's objects frozen
    assert paused
    assert gc.isenabled()
    assert gc.get_freeze_count() >= len(built)
    # and a second decoration (a module importing another handler) changes nothing
    frozen = gc.get_freeze_count()
    startup.init_done()
    assert gc.get_freeze_count() == frozen


@pytest.mark.usefixtures("collector")
def test_a_collector_turned_off_on_purpose_stays_off(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a function whose process turned collection off itself
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "dialtone-get-call")
    gc.disable()

    # When the init starts and ends
    startup.pause_collection()
    startup.init_done()

    # Then it is still off: the init resumes only what it paused
    assert not gc.isenabled()


def _handler_decorators(app: Path) -> set[str]:
    tree = ast.parse(app.read_text())
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "lambda_handler":
            return {ast.unparse(d) for d in node.decorator_list}
    return set()


@pytest.mark.parametrize(
    "app", sorted((ROOT / "functions").glob("*/app.py")), ids=lambda p: p.parent.name
)
def test_every_handler_ends_the_init(app: Path) -> None:
    # Each function's handler wears one of observability's decorators, which end the init:
    # without one, its process would run with collection paused for good
    assert len(_handler_decorators(app) & DECORATORS) == 1


# A context and a first request each function answers without reaching AWS: a call id that
# is not a UUID (422), no API key (refused).
CONTEXT = (
    "class Context:\n"
    "    function_name = 'dialtone'\n"
    "    memory_limit_in_mb = 512\n"
    "    invoked_function_arn = 'arn:aws:lambda:us-east-1:123456789012:function:dialtone'\n"
    "    aws_request_id = 'test'\n"
)
FIRST_REQUESTS = {
    "get_call": {
        "version": "2.0",
        "routeKey": "GET /v1/calls/{call_id}",
        "rawPath": "/v1/calls/not-a-uuid",
        "rawQueryString": "",
        "headers": {},
        "requestContext": {
            "http": {"method": "GET", "path": "/v1/calls/not-a-uuid"},
            "requestId": "test",
            "stage": "$default",
        },
        "pathParameters": {"call_id": "not-a-uuid"},
        "isBase64Encoded": False,
    },
    "authorizer": {"headers": {}, "requestContext": {"requestId": "test"}},
}


@pytest.mark.parametrize("function", ["get_call", "authorizer", "stream_consumer"])
def test_a_function_loaded_as_lambda_loads_it_collects_again(function: str) -> None:
    # When a fresh interpreter with Lambda's variables imports a function's module, and an API
    # function answers its first request
    first = FIRST_REQUESTS.get(function)
    script = (
        "import gc, importlib.util, json\n"
        f"{CONTEXT}"
        f"spec = importlib.util.spec_from_file_location('app', 'functions/{function}/app.py')\n"
        "app = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(app)\n"
        "loaded = [gc.isenabled(), gc.get_freeze_count()]\n"
        f"first = {first!r}\n"
        "answer = None if first is None else app.lambda_handler(first, Context())\n"
        "answered = [gc.isenabled(), gc.get_freeze_count()]\n"
        "print(json.dumps([loaded, answered, answer]))\n"
    )
    loaded, answered, answer = fresh.last_line(
        script, AWS_LAMBDA_FUNCTION_NAME=f"dialtone-{function}", AWS_DEFAULT_REGION="us-east-1"
    )

    # Then an event-fed function collects again once loaded; an API function once it has
    # answered; with what was built frozen (over a hundred thousand objects with botocore)
    if first is None:
        assert loaded[0]
        assert loaded[1] > 10_000
        return
    assert loaded == [False, 0]
    assert answer.get("statusCode") == 422 or answer == {"isAuthorized": False}
    assert answered[0]
    assert answered[1] > 10_000

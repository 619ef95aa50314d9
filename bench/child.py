"""The fresh interpreter of a cold-start measurement, run by path (not as part of `bench`).

    python bench/child.py handler <function dir> <event.json> [<statuses> [record]]
        import functions/<dir>/app.py by path (as local.invoke.load_handler does) and serve the
        event, as Lambda's first request would be served (answered with one of the statuses,
        200 unless given); `record` also reports the clients created and the AWS calls made
    python bench/child.py import <function dir>
        only import the module (the Twilio check of functions without a benched request)
    python bench/child.py reference <floor.json> [edge]
        the least an API handler of this design pays: the floor's clients and calls, made by
        the one route of a resolver with validation (powertools' own, or with `edge`
        dialtone.http's, wrapped by observability.api_handler, dialtone imported first), a UUID
        path parameter and a pydantic response model
    python bench/child.py floor <floor.json>
        only what any handler pays: import boto3, create the same clients with the same
        configuration as dialtone.aws, make the same DynamoDB calls (a transaction or a write
        whose condition fails is made all the same: the handler's own request fails too), or
        the calls a `record` run of the handler made

Only the standard library (and boto3 for the floor) is imported here, so neither side pays
for the harness. The last stdout line is `BENCH-RESULT <json>`, which says whether anything
imported (or tried to import) `twilio`, and which of the libraries handlers import on first
use only (`LAZY`) were loaded by importing the handler's module.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any

# (boto3 and every handler import these three anyway: they cost neither side anything extra.)

# Imported on first use only, never with a handler's module: large, and most requests need
# neither (phone number metadata; audio parsing, for the recording indexer).
LAZY = ("phonenumbers", "mutagen")
_loaded_at_import: list[str] = []


class _LambdaContext:
    function_name = "dialtone-bench"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:dialtone-bench"
    aws_request_id = "00000000-0000-0000-0000-000000000000"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def load(function_dir: str) -> ModuleType:
    """functions/<dir>/app.py under its own module name, as local.invoke.load_handler does."""
    import importlib.util

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    name = f"dialtone_function_{function_dir}"
    path = os.path.join(root, "functions", function_dir, "app.py")
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    _loaded_at_import[:] = [m for m in LAZY if m in sys.modules]
    return module


def handler(
    function_dir: str, event_path: str, expected: str = "200", record: str = ""
) -> dict[str, Any]:
    """Serve the event; ok when answered with one of the `expected` statuses (comma-separated).
    With `record`, also report the clients created and every AWS call made, for a floor."""
    module = load(function_dir)
    log = _recorder() if record else None
    with open(event_path) as file:
        event = json.load(file)
    result: dict[str, Any] = module.lambda_handler(event, _LambdaContext())
    statuses = {int(status) for status in expected.split(",")}
    ok = result.get("statusCode") in statuses or result.get("isAuthorized") is True
    answer = {"ok": ok, "status": result.get("statusCode", result.get("isAuthorized"))}
    return answer if log is None else {**answer, **log}


def _recorder() -> dict[str, list[Any]]:
    """Record the clients dialtone creates and the parameters of every AWS call (botocore's
    `provide-client-params`), so that a floor can make the same calls."""
    import copy

    from botocore import xform_name

    from dialtone import aws

    log: dict[str, list[Any]] = {"clients": [], "calls": []}
    create = aws.client

    def client(service: str) -> Any:
        if service not in log["clients"]:
            log["clients"].append(service)
        return create(service)

    # The parameters as the caller gave them (`provide-client-params`), logged once the request
    # is sent (`before-call`): a presigned URL is made of parameters too, but sends nothing.
    def given(params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        service = model.service_model.service_name
        context["bench_call"] = [service, xform_name(model.name), copy.deepcopy(params)]

    def sent(context: dict[str, Any], **_: Any) -> None:
        log["calls"].append(context.pop("bench_call"))

    aws.client = client  # type: ignore[assignment]
    aws.session().register("provide-client-params", given)
    aws.session().register("before-call", sent)
    return log


def _client_options(service: str) -> dict[str, Any]:
    # The same configuration as dialtone.aws.client.
    options: dict[str, Any] = {"retries": {"mode": "standard", "max_attempts": 4}}
    if service == "s3":
        options["signature_version"] = "s3v4"
        if os.environ.get("AWS_ENDPOINT_URL") or os.environ.get("AWS_ENDPOINT_URL_S3"):
            options["s3"] = {"addressing_style": "path"}
    return options


def floor(spec_path: str) -> dict[str, Any]:
    with open(spec_path) as file:
        spec = json.load(file)
    import boto3
    from botocore.config import Config

    clients = {
        name: boto3.client(name, config=Config(**_client_options(name))) for name in spec["clients"]
    }
    # A recorded floor repeats calls that the handler's own request may have seen refused (a
    # condition, a missing item): it makes them all the same.
    from botocore.exceptions import ClientError

    recorded = bool(spec.get("recorded"))
    refused: Any = ClientError
    if not recorded:
        dynamodb = clients["dynamodb"]
        refused = (
            dynamodb.exceptions.TransactionCanceledException,
            dynamodb.exceptions.ConditionalCheckFailedException,
        )
    found = 0
    for call in spec["calls"]:
        service, operation, params = call if len(call) == 3 else ["dynamodb", *call]
        try:
            response = getattr(clients[service], operation)(**params)
        except refused:
            continue
        found += 1 if "Item" in response else len(response.get("Items", []))
    return {"ok": recorded or found > 0, "status": found}


def reference(spec_path: str, edge: str = "") -> dict[str, Any]:
    with open(spec_path) as file:
        spec = json.load(file)
    from typing import Annotated
    from uuid import UUID

    if edge:
        # As a handler does: dialtone first, which enters powertools' event handler package
        # without its `__init__` (dialtone.lazy_inits).
        import dialtone  # noqa: F401
    from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
    from aws_lambda_powertools.event_handler.openapi.params import Path
    from pydantic import BaseModel

    class Found(BaseModel):
        id: str
        found: int

    app: Any = APIGatewayHttpResolver(enable_validation=True)
    wrap: Callable[[Any], Any] = lambda handler: handler  # noqa: E731
    if edge:
        from dialtone.http import create_app
        from dialtone.observability import api_handler

        app, wrap = create_app(), api_handler

    def read(item_id: UUID) -> Response[Any]:
        found = floor(spec_path)["status"] if spec["calls"] else 0
        body = Found(id=str(item_id), found=found).model_dump_json()
        return Response(status_code=200, content_type="application/json", body=body)

    # Evaluated here: this module's annotations are strings, which name local imports.
    read.__annotations__ = {"item_id": Annotated[UUID, Path()], "return": Response[Any]}
    app.get("/v1/reference/<item_id>")(read)

    item = "00000000-0000-4000-8000-000000000000"
    event = {
        "version": "2.0",
        "routeKey": "GET /v1/reference/{item_id}",
        "rawPath": f"/v1/reference/{item}",
        "rawQueryString": "",
        "headers": {"host": "localhost"},
        "requestContext": {
            "http": {"method": "GET", "path": f"/v1/reference/{item}"},
            "requestId": "bench",
            "stage": "$default",
        },
        "pathParameters": {"item_id": item},
        "isBase64Encoded": False,
    }
    result = wrap(lambda e, c: app.resolve(e, c))(event, _LambdaContext())
    return {"ok": result["statusCode"] == 200, "status": result["statusCode"]}


def import_only(function_dir: str) -> dict[str, Any]:
    """Import a handler module without serving a request (the Twilio check of the others)."""
    load(function_dir)
    return {"ok": True, "status": None}


def _is_twilio_sdk(name: str) -> bool:
    """The SDK's REST client and its HTTP stack. `twilio.request_validator` (the signature
    check, standard library only) is not what the cold-start rule keeps out."""
    return any(
        name == p or name.startswith(p + ".") for p in ("twilio.rest", "twilio.base", "twilio.http")
    )


class _TwilioWatch:
    """Records any attempt to import the Twilio SDK, even where it is not installed."""

    attempted = False

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if _is_twilio_sdk(name):
            _TwilioWatch.attempted = True
        return None  # noqa: RET501 - a finder's "not mine"


def main() -> None:
    sys.meta_path.insert(0, _TwilioWatch())
    mode, *args = sys.argv[1:]
    modes: dict[str, Callable[..., dict[str, Any]]] = {
        "handler": handler,
        "floor": floor,
        "import": import_only,
        "reference": reference,
    }
    result = modes[mode](*args)
    result["twilio"] = _TwilioWatch.attempted or any(_is_twilio_sdk(n) for n in sys.modules)
    result["lazy_at_import"] = _loaded_at_import
    result["modules"] = len(sys.modules)
    print("BENCH-RESULT " + json.dumps(result), flush=True)
    # Answered: what is measured ends here. Lambda keeps the process for the next request and
    # never pays for an interpreter's exit (unloading every module, a last collection).
    os._exit(0)


if __name__ == "__main__":
    main()

"""Calling handlers in process with API Gateway HTTP API (payload 2.0) events built from the
samples in `events/`, the way API Gateway and the authorizer would hand them over."""

from __future__ import annotations

import copy
import importlib.util
import json
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
EVENTS = ROOT / "events"


def load_handler(function_dir: str) -> ModuleType:
    """Import `functions/<dir>/app.py` under its own module name, so handlers never shadow
    each other."""
    name = f"dialtone_function_{function_dir}"
    if name in sys.modules:
        return sys.modules[name]
    path = ROOT / "functions" / function_dir / "app.py"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def sample_event(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / f"{name}.json").read_text())
    return event


@dataclass
class LambdaContext:
    """Enough of Lambda's context object for powertools."""

    function_name: str = "dialtone-local"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:dialtone-local"
    aws_request_id: str = "00000000-0000-0000-0000-000000000000"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def api_event(
    sample: str,
    route: str,
    path: str,
    *,
    query: dict[str, str] | None = None,
    path_parameters: dict[str, str] | None = None,
    authorizer: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    body: str | None = None,
) -> dict[str, Any]:
    """An HTTP API event: the sample's shape with this request's route, path, query, caller and
    body (the sample's own body is never kept). A `body` is sent as text, not base64, with
    `content-type: application/json` unless `headers` name another."""
    event = sample_event(sample)
    event = copy.deepcopy(event)
    method, _ = route.split(" ", 1)
    event["routeKey"] = event["requestContext"]["routeKey"] = route
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["requestContext"]["http"]["method"] = method
    event["requestContext"]["requestId"] = uuid.uuid4().hex
    event["rawQueryString"] = urlencode(query or {})
    event.pop("queryStringParameters", None)
    if query:
        event["queryStringParameters"] = dict(query)
    event.pop("pathParameters", None)
    if path_parameters:
        event["pathParameters"] = dict(path_parameters)
    if authorizer is None:
        event["requestContext"].pop("authorizer", None)
    else:
        event["requestContext"]["authorizer"] = {"lambda": dict(authorizer)}
    event.pop("body", None)
    event["isBase64Encoded"] = False
    if body is not None:
        event["body"] = body
        event["headers"] = {**event["headers"], "content-type": "application/json"}
    if headers:
        event["headers"] = {**event["headers"], **{k.lower(): v for k, v in headers.items()}}
    return event


def invoke(function_dir: str, event: dict[str, Any]) -> dict[str, Any]:
    """Run a handler on an event, as Lambda would, and return its result."""
    result: dict[str, Any] = load_handler(function_dir).lambda_handler(event, LambdaContext())
    return result

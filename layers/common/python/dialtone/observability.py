"""Logger and Metrics, created once and imported by every handler.

Tracing is Lambda's own (`Tracing: Active` in the template): the X-Ray SDK that powertools'
Tracer loads costs more cold start than the whole handler, see BENCHMARKS.md.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging import correlation_paths

from dialtone import (
    snapstart,  # noqa: F401 - registers the restore hook of every function
    startup,
)

logger = Logger()
metrics = Metrics()

# Read-only requests publish no business metric; powertools would warn on every one of them.
warnings.filterwarnings("ignore", "No application metrics to publish")

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


# Each function's handler wears one of the three decorators below, as its module's last
# statement. They end the init (`startup.init_done`): an API function's once it has answered
# its first request (which imports botocore and builds its first models), an event-fed
# function's once its module is loaded (its first invocation may take minutes).


def _init_done_once_answered(func: Handler) -> Handler:
    """`func`, ending the init once it has answered (for the functions the API calls)."""

    @functools.wraps(func)
    def answer(event: dict[str, Any], context: Any) -> dict[str, Any]:
        try:
            return func(event, context)
        finally:
            startup.init_done()

    return answer


def api_handler(func: Handler) -> Handler:
    """The decorators every API Gateway handler wears, in one place."""
    wrapped: Handler = logger.inject_lambda_context(
        correlation_id_path=correlation_paths.API_GATEWAY_HTTP
    )(metrics.log_metrics(_init_done_once_answered(func)))
    return wrapped


def event_handler(func: Handler) -> Handler:
    """The decorators of a function fed by an event source (a queue, a stream, a schedule)."""
    wrapped: Handler = logger.inject_lambda_context(metrics.log_metrics(func))
    startup.init_done()
    return wrapped


def authorizer_handler(func: Handler) -> Handler:
    """The API's authorizer: logs with the request's id, and publishes no metric."""
    wrapped: Handler = logger.inject_lambda_context(
        correlation_id_path=correlation_paths.API_GATEWAY_HTTP
    )(_init_done_once_answered(func))
    return wrapped

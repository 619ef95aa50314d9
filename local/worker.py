"""One Lambda execution environment: imports a handler once, then serves invocations.

Started by `local.runtime` with the function's own environment. Requests arrive as JSON lines
on stdin; each result goes back as one JSON line on the file descriptor given as argv[2], so
that whatever the function prints (its logs) never mixes with results.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
import traceback
import uuid
from typing import Any


class Context:
    """The parts of Lambda's context object that handlers and powertools use."""

    def __init__(self, request_id: str, timeout_s: float) -> None:
        name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "function")
        self.function_name = name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"))
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:000000000000:function:{name}"
        self.aws_request_id = request_id
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self._deadline = time.monotonic() + timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def _error(error: BaseException) -> dict[str, Any]:
    return {
        "errorMessage": str(error),
        "errorType": type(error).__name__,
        "stackTrace": traceback.format_exception(error),
    }


def main() -> None:
    handler_path, result_fd = sys.argv[1], int(sys.argv[2])
    timeout_s = float(os.environ.get("AWS_LAMBDA_FUNCTION_TIMEOUT", "3"))
    results = os.fdopen(result_fd, "w", buffering=1)
    module_name, function_name = handler_path.rsplit(".", 1)
    try:
        handler = getattr(importlib.import_module(module_name), function_name)
        init_error = None
    except Exception as error:  # an init error answers every invocation, as in Lambda
        handler, init_error = None, _error(error)
    results.write(json.dumps({"ready": True}) + "\n")
    for line in sys.stdin:
        request = json.loads(line)
        if handler is None:
            results.write(json.dumps({"error": init_error}) + "\n")
            continue
        context = Context(request.get("request_id") or str(uuid.uuid4()), timeout_s)
        try:
            result = handler(request["event"], context)
            results.write(json.dumps({"result": result}, default=str) + "\n")
        except Exception as error:
            traceback.print_exc()
            results.write(json.dumps({"error": _error(error)}) + "\n")


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:  # the stack stopped while this invocation ran: nobody to answer
        os._exit(0)

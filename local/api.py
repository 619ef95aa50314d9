"""The API on http://127.0.0.1:<port> through SAM CLI's own API Gateway emulator.

Routes, the authorizer and the payload format come from `template.yaml` exactly as `sam local
start-api` reads them; only the runtime differs (warm worker processes instead of Docker).
These are SAM CLI internals: aws-sam-cli is pinned and tests/e2e covers them.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from local.runtime import WorkerRuntime

if TYPE_CHECKING:
    from local.keepalive import KeepAliveServer


class PortInUse(RuntimeError):
    def __init__(self, port: int) -> None:
        super().__init__(f"port {port} on 127.0.0.1 is already in use")
        self.port = port


def port_is_free(port: int) -> bool:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


# The console's origin locally (the template's ConsoleOrigin): any page on this machine may
# call the local API with a key. The console itself is served on the API's own origin.
LOCAL_CONSOLE_ORIGIN = "*"


def _with_local_credentials(runner: Any) -> Any:
    """SAM's runner, giving each invocation the local endpoint's credentials (which the
    workers' environment sets anyway): SAM looks for the machine's own at every invocation
    when it has none, building a boto3 session and asking the instance metadata service
    each time (most of the emulator's time per request)."""
    from local.endpoint import LOCAL_ENVIRONMENT

    class LocalCredentialsRunner(runner):  # type: ignore[misc]
        def get_aws_creds(self) -> dict[str, str]:
            return {
                "region": LOCAL_ENVIRONMENT["AWS_REGION"],
                "key": LOCAL_ENVIRONMENT["AWS_ACCESS_KEY_ID"],
                "secret": LOCAL_ENVIRONMENT["AWS_SECRET_ACCESS_KEY"],
            }

    return LocalCredentialsRunner


class _NoEmptyBodyWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != "Lambda returned empty body!"


def _server_log_to(log: IO[str] | None) -> None:
    """The HTTP server's own lines (a request it refuses before SAM sees it, such as a 414 for
    a URI over its limit) in the stack's log when it has one, not on the terminal: werkzeug
    writes them to standard error through a handler it adds at its first line (the embedded
    endpoint's server logs before this one starts), which is replaced by the log's."""
    logger = logging.getLogger("werkzeug")
    if log is None:
        replaced = [h for h in logger.handlers if getattr(h, "dialtone_local", False)]
    else:
        replaced = [h for h in logger.handlers if _to_terminal(h)]
    for handler in replaced:
        logger.removeHandler(handler)
    if log is not None:
        handler = logging.StreamHandler(log)
        handler.dialtone_local = True  # type: ignore[attr-defined]
        logger.addHandler(handler)


def _to_terminal(handler: logging.Handler) -> bool:
    """A handler writing to standard error (werkzeug's own), or one of an earlier stack's."""
    if getattr(handler, "dialtone_local", False):
        return True
    stream = getattr(handler, "stream", None)
    return stream is not None and stream in (sys.stderr, sys.__stderr__)


class LocalApi:
    """SAM's API Gateway emulator over the template, served from a background thread."""

    def __init__(
        self,
        root: Path,
        template: Path,
        runtime: WorkerRuntime,
        function_environments: dict[str, dict[str, str]],
        port: int = 3000,
        console_origin: str = LOCAL_CONSOLE_ORIGIN,
        log: IO[str] | None = None,
    ) -> None:
        from samcli.commands.local.lib.local_lambda import LocalLambdaRunner
        from samcli.lib.providers.api_provider import ApiProvider
        from samcli.lib.providers.sam_function_provider import SamFunctionProvider
        from samcli.lib.providers.sam_stack_provider import SamLocalStackProvider

        from local.apigw import ApiGatewayEmulator, expose_headers, with_origin

        # SAM logs every request at INFO through werkzeug; keep the terminal for our own lines.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        _server_log_to(log)
        # SAM cannot resolve the allowed origin (a condition on a deploy parameter) and says so;
        # the local origin is set below instead.
        logging.getLogger("samcli.lib.providers.cfn_base_api_provider").setLevel(logging.ERROR)
        # SAM warns of every answer without a body, which every 204 (a delete) is.
        logging.getLogger("samcli.local.apigw.local_apigw_service").addFilter(_NoEmptyBodyWarning())
        stacks, _ = SamLocalStackProvider.get_stacks(str(template))
        self.function_provider = SamFunctionProvider(stacks)
        self.runner = _with_local_credentials(LocalLambdaRunner)(
            local_runtime=runtime,
            function_provider=self.function_provider,
            cwd=str(root),
            real_path=str(root),
            env_vars_values=function_environments,
            aws_region="us-east-1",
        )
        self.api = ApiProvider(stacks, cwd=str(root)).api
        self.api.cors = with_origin(self.api.cors, console_origin)
        self.service = ApiGatewayEmulator(
            api=self.api,
            lambda_runner=self.runner,
            port=port,
            host="127.0.0.1",
            console_dir=root / "console",
            expose_headers=expose_headers(stacks[0].resources),
        )
        self.runtime = runtime
        self.port = port
        self._server: KeepAliveServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def routes(self) -> list[tuple[str, str, str]]:
        """(method, path, function logical id) for every route of the template. SAM adds
        OPTIONS to each route's methods when the API has a CORS configuration: those preflights
        are answered by the API itself, never by the route's function, so they are left out."""
        return [
            (method, route.path, route.function_name)
            for route in self.api.routes
            for method in route.methods
            if method != "OPTIONS"
        ]

    def warm(self) -> None:
        """Start every function's first worker now rather than on its first request."""
        for function in self.function_provider.get_all():
            self.runtime.warm(self.runner.get_invoke_config(function))

    def start(self) -> None:
        from local.keepalive import KeepAliveServer

        if not port_is_free(self.port):
            raise PortInUse(self.port)
        self.service.create()
        self._server = KeepAliveServer(self.service._app, self.port).start()
        self.port = self.service.port = self._server.port

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()

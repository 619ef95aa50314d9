"""The embedded AWS endpoint: moto's server mode on 127.0.0.1, speaking DynamoDB, S3, SQS and
Secrets Manager over real HTTP."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from local.keepalive import KeepAliveServer

REGION = "us-east-1"

# moto accepts any credentials; fixed ones keep presigned URLs stable and obviously local.
LOCAL_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local-secret",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
}


class EmbeddedAws:
    """A running moto server and sessions pointed at it."""

    def __init__(self, port: int = 0) -> None:
        self._port = port
        self._server: KeepAliveServer | None = None
        self.url = ""

    def start(self) -> EmbeddedAws:
        """moto's server application and request handler, as its ThreadedMotoServer serves
        them, with the connections kept alive (`local.keepalive`)."""
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )

        from local import moto_fixes
        from local.keepalive import KeepAliveServer

        moto_fixes.apply()
        # moto's server logs every request through werkzeug.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        app = DomainDispatcherApplication(create_backend_app)
        self._server = KeepAliveServer(app, self._port, MotoRequestHandler).start()
        self.url = f"http://127.0.0.1:{self._server.port}"
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()

    def environment(self) -> dict[str, str]:
        """Variables that point boto3 (and so every handler) at this endpoint."""
        return {**LOCAL_ENVIRONMENT, "AWS_ENDPOINT_URL": self.url}

    def session(self) -> Any:
        import boto3

        return _EndpointSession(
            boto3.session.Session(
                aws_access_key_id=LOCAL_ENVIRONMENT["AWS_ACCESS_KEY_ID"],
                aws_secret_access_key=LOCAL_ENVIRONMENT["AWS_SECRET_ACCESS_KEY"],
                region_name=REGION,
            ),
            self.url,
        )


class _EndpointSession:
    """A boto3 session whose clients all talk to one endpoint."""

    def __init__(self, session: Any, url: str) -> None:
        self._session = session
        self._url = url

    def client(self, service: str, **kwargs: Any) -> Any:
        return self._session.client(service, endpoint_url=self._url, **kwargs)


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the duration of a block, then restore them."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value

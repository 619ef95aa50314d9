"""The local stack, started in process once for the e2e tests, on free ports."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from local.stack import LocalStack


@pytest.fixture(scope="session")
def local_stack() -> Iterator[LocalStack]:
    log = io.StringIO()
    stack = LocalStack(api_port=0, aws_port=0, demo_calls=60, log=None)
    stack.start()
    yield stack
    stack.stop()
    log.close()


class Client:
    """HTTP against the local stack's API with one API key."""

    def __init__(self, base_url: str, api_key: str | None) -> None:
        self.base_url = base_url
        self.api_key = api_key

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if self.api_key is not None:
            headers["X-API-Key"] = self.api_key
        return requests.get(f"{self.base_url}{path}", headers=headers, timeout=30, **kwargs)


@pytest.fixture(scope="session")
def api(local_stack: LocalStack) -> Client:
    return Client(local_stack.info["api_url"], local_stack.info["api_key"])

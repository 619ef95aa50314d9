"""boto3 clients, created on first use and cached for the life of the execution environment.

Creating them lazily lets tests start their endpoint first; `AWS_ENDPOINT_URL` (honoured by
botocore itself) points the same code at AWS or at the local stack.
"""

from __future__ import annotations

import functools
import os
from typing import Any


@functools.cache
def client(service: str) -> Any:
    """The shared client for `service` (dynamodb, s3, secretsmanager, sqs, ...)."""
    import boto3
    from botocore.config import Config

    options: dict[str, Any] = {"retries": {"mode": "standard", "max_attempts": 4}}
    if service == "s3":
        options["signature_version"] = "s3v4"
        if os.environ.get("AWS_ENDPOINT_URL") or os.environ.get("AWS_ENDPOINT_URL_S3"):
            # A local endpoint has no per-bucket DNS names.
            options["s3"] = {"addressing_style": "path"}
    return boto3.client(service, config=Config(**options))  # type: ignore[call-overload]


def reset_clients() -> None:
    """Forget cached clients and the credentials boto3's default session resolved (tests that
    move the endpoint call this, and so does a copy restored from a SnapStart snapshot)."""
    import boto3

    client.cache_clear()
    boto3.DEFAULT_SESSION = None

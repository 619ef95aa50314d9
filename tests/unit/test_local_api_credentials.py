"""SAM's runner in the local stack: the credentials each invocation is given."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from samcli.commands.local.lib.local_lambda import LocalLambdaRunner

from local.api import _with_local_credentials
from local.endpoint import LOCAL_ENVIRONMENT


def test_each_invocation_gets_the_local_endpoints_credentials_without_a_session(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a machine without AWS credentials, where SAM builds a boto3 session per invocation
    sessions: list[Any] = []
    monkeypatch.setattr(boto3.session, "Session", lambda *a, **k: sessions.append(k))
    runner = _with_local_credentials(LocalLambdaRunner).__new__(
        _with_local_credentials(LocalLambdaRunner)
    )

    # When two invocations ask for the credentials to give the function
    answers = [runner.get_aws_creds(), runner.get_aws_creds()]

    # Then both get the local endpoint's, and no session was built
    assert (
        answers
        == [
            {
                "region": LOCAL_ENVIRONMENT["AWS_REGION"],
                "key": LOCAL_ENVIRONMENT["AWS_ACCESS_KEY_ID"],
                "secret": LOCAL_ENVIRONMENT["AWS_SECRET_ACCESS_KEY"],
            }
        ]
        * 2
    )
    assert sessions == []

"""Where the local API's HTTP server writes its own lines (werkzeug's, such as a 414)."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from werkzeug._internal import _log

from local.api import _server_log_to


@pytest.fixture
def werkzeug_handlers() -> Iterator[None]:
    logger = logging.getLogger("werkzeug")
    before = list(logger.handlers)
    yield
    logger.handlers[:] = before


def test_the_servers_lines_go_to_the_stacks_log_not_the_terminal(
    werkzeug_handlers: None, capfd: pytest.CaptureFixture[str]
) -> None:
    # Given werkzeug's logger once it has written a line to standard error (as the embedded
    # endpoint's server does before the API starts)
    logger = logging.getLogger("werkzeug")
    logger.addHandler(logging.StreamHandler())  # what werkzeug adds at its first line
    log = io.StringIO()

    # When the API's server is given the stack's log, and refuses a request line
    _server_log_to(log)
    _log("error", '127.0.0.1 - - "GET /v1/calls?x=..." code 414, message URI Too Long')

    # Then the line is in the log, and not on the terminal
    assert "code 414" in log.getvalue()
    assert "code 414" not in capfd.readouterr().err

    # And a later stack without a log takes its predecessor's log handler away
    _server_log_to(None)
    assert not [h for h in logger.handlers if getattr(h, "stream", None) is log]

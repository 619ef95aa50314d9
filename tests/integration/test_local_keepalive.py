"""The local servers keep connections alive (`local.keepalive`): a request's body is read whole
before the application runs, so the next request on the connection is read as a request."""

from __future__ import annotations

import http.client
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from local.endpoint import EmbeddedAws
from local.keepalive import KeepAliveServer


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    """Answers with the client's port and the body it was sent, unless asked not to read it."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    unread = environ["PATH_INFO"] == "/unread"
    body = b"" if unread else environ["wsgi.input"].read(length)
    answer = json.dumps({"port": environ["REMOTE_PORT"], "body": body.decode()}).encode()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [answer]


@pytest.fixture
def server() -> Iterator[KeepAliveServer]:
    running = KeepAliveServer(app).start()
    yield running
    running.stop()


def _ask(
    connection: http.client.HTTPConnection, path: str, body: bytes | None = None
) -> tuple[http.client.HTTPResponse, dict[str, Any]]:
    connection.request("POST" if body is not None else "GET", path, body=body)
    response = connection.getresponse()
    return response, json.loads(response.read())


def test_requests_share_a_connection_and_each_gets_its_body(server: KeepAliveServer) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    answers = [_ask(connection, "/", b"one"), _ask(connection, "/", b"two"), _ask(connection, "/")]
    (_, one), (_, two), (_, empty) = answers

    assert [response.getheader("Connection") for response, _ in answers] == [None] * 3
    assert (one["body"], two["body"], empty["body"]) == ("one", "two", "")
    assert one["port"] == two["port"] == empty["port"]  # one connection, one client port


def test_a_body_the_application_leaves_unread_is_not_taken_for_the_next_request(
    server: KeepAliveServer,
) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    _, skipped = _ask(connection, "/unread", b"GET /not-a-request HTTP/1.1\r\n\r\n")
    response, after = _ask(connection, "/", b"after")

    assert response.status == 200
    assert after == {"port": skipped["port"], "body": "after"}


def test_a_chunked_body_closes_its_connection(server: KeepAliveServer) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("POST", "/", body=iter([b"chu", b"nked"]), encode_chunked=True)
    response = connection.getresponse()
    response.read()

    assert response.getheader("Connection") == "close"


def test_stop_closes_the_connections_kept_open(server: KeepAliveServer) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    _ask(connection, "/", b"before")

    server.stop()

    with pytest.raises((ConnectionError, http.client.HTTPException)):
        _ask(connection, "/", b"after")


def test_the_embedded_endpoint_keeps_its_clients_connections() -> None:
    aws = EmbeddedAws().start()
    try:
        sqs = aws.session().client("sqs")
        answers = [sqs.list_queues() for _ in range(3)]
    finally:
        aws.stop()

    headers = [answer["ResponseMetadata"]["HTTPHeaders"] for answer in answers]
    assert all("connection" not in h for h in headers), headers

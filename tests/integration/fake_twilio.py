"""A local stand-in for the part of Twilio's REST API the provider uses, on 127.0.0.1.

POST /2010-04-01/Accounts/{AccountSid}/Calls.json creates a call, GET …/Calls.json lists them
(To, From, PageSize), GET …/Calls/{CallSid}.json fetches one, GET /2010-04-01/Accounts/
{AccountSid}.json is the account itself; every request must carry the account's Basic auth, as
Twilio requires. Answers have Twilio's shapes (call resources, list pages, `{"code", "message",
"more_info", "status"}` errors), and any request can be made to fail once with a given status
and Twilio error code, or to answer slowly.

Connections are kept alive (HTTP/1.1), as Twilio's are, and counted; each request is recorded
with the moment it arrived (`received_at`, read as soon as its body is in), so the pacing of
the calls created can be measured where they arrive (`call_arrivals`).
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

API = "/2010-04-01/Accounts/"
CALLS = re.compile(r"^/2010-04-01/Accounts/(?P<account>[^/]+)/Calls\.json$")
CALL = re.compile(r"^/2010-04-01/Accounts/(?P<account>[^/]+)/Calls/(?P<sid>[^/]+)\.json$")
ACCOUNT = re.compile(r"^/2010-04-01/Accounts/(?P<account>[^/]+)\.json$")


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    form: dict[str, list[str]]
    authorization: str
    received_at: float = 0.0  # time.time() when the request was read


@dataclass
class Failure:
    method: str
    status: int
    code: int | None
    message: str


def twilio_time(moment: datetime) -> str:
    """Twilio's RFC 2822 timestamps: `Sat, 21 Nov 2026 13:37:00 +0000`."""
    return format_datetime(moment.astimezone(UTC))


@dataclass
class FakeTwilio:
    account_sid: str
    auth_token: str
    calls: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[RecordedRequest] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    delay_seconds: float = 0.0
    base_url: str = ""
    connections: int = 0  # connections accepted

    def call_arrivals(self) -> list[float]:
        """When each request creating a call arrived (epoch seconds), in order."""
        return sorted(
            r.received_at for r in self.requests if r.method == "POST" and CALLS.match(r.path)
        )

    def fail_next(self, method: str, status: int, code: int | None, message: str) -> None:
        """Answer the next `method` request with this Twilio error (once)."""
        self.failures.append(Failure(method, status, code, message))

    def add_call(
        self,
        to: str,
        from_: str,
        created: datetime,
        status: str = "completed",
        duration: str | None = "12",
    ) -> dict[str, Any]:
        """A call the account already has (placed by someone else, or earlier)."""
        resource = self._resource(to, from_, created)
        resource.update(status=status, duration=duration)
        if status in ("in-progress", "completed"):
            resource["start_time"] = twilio_time(created)
        self.calls[resource["sid"]] = resource
        return resource

    def _resource(self, to: str, from_: str, created: datetime) -> dict[str, Any]:
        sid = "CA" + secrets.token_hex(16)
        return {
            "sid": sid,
            "account_sid": self.account_sid,
            "annotation": None,
            "answered_by": None,
            "api_version": "2010-04-01",
            "caller_name": None,
            "date_created": twilio_time(created),
            "date_updated": twilio_time(created),
            "direction": "outbound-api",
            "duration": None,
            "end_time": None,
            "forwarded_from": None,
            "from": from_,
            "from_formatted": from_,
            "group_sid": None,
            "parent_call_sid": None,
            "phone_number_sid": "PN" + "0" * 32,
            "price": None,
            "price_unit": "USD",
            "queue_time": "0",
            "start_time": None,
            "status": "queued",
            "subresource_uris": {},
            "to": to,
            "to_formatted": to,
            "trunk_sid": None,
            "uri": f"{API}{self.account_sid}/Calls/{sid}.json",
        }

    # Serving

    def respond(self, request: RecordedRequest) -> tuple[int, dict[str, Any]]:
        self.requests.append(request)
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if request.authorization != f"Basic {expected}":
            return self._error(401, 20003, "Authenticate")
        failure = next((f for f in self.failures if f.method == request.method), None)
        if failure is not None:
            self.failures.remove(failure)
            return self._error(failure.status, failure.code, failure.message)
        account = ACCOUNT.match(request.path)
        if account and request.method == "GET" and account["account"] == self.account_sid:
            return 200, self._account()
        calls = CALLS.match(request.path)
        call = CALL.match(request.path)
        match = calls or call
        if match is None or match["account"] != self.account_sid:
            return self._error(404, 20404, f"The requested resource {request.path} was not found")
        if calls and request.method == "POST":
            return self._create(request.form)
        if calls and request.method == "GET":
            return 200, self._page(request.query)
        if call and request.method == "GET":
            resource = self.calls.get(call["sid"])
            if resource is None:
                return self._error(
                    404, 20404, f"The requested resource {request.path} was not found"
                )
            return 200, resource
        return self._error(405, None, "Method not allowed")

    def _account(self) -> dict[str, Any]:
        created = twilio_time(datetime(2024, 1, 1, tzinfo=UTC))
        return {
            "sid": self.account_sid,
            "owner_account_sid": self.account_sid,
            "friendly_name": "Fake Twilio account",
            "status": "active",
            "type": "Full",
            "auth_token": self.auth_token,
            "date_created": created,
            "date_updated": created,
            "subresource_uris": {},
            "uri": f"{API}{self.account_sid}.json",
        }

    def _create(self, form: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        to, from_ = form.get("To", [""])[0], form.get("From", [""])[0]
        if not re.fullmatch(r"\+[1-9]\d{6,14}", to):
            return self._error(400, 21211, f"Invalid 'To' Phone Number: {to}")
        if not from_:
            return self._error(400, 21213, "No 'From' number is specified")
        if not any(k in form for k in ("Url", "Twiml", "ApplicationSid")):
            return self._error(400, 21205, "Url parameter is required.")
        resource = self._resource(to, from_, datetime.now(UTC))
        self.calls[resource["sid"]] = resource
        return 201, resource

    def _page(self, query: dict[str, list[str]]) -> dict[str, Any]:
        wanted = {"to": query.get("To", [None])[0], "from": query.get("From", [None])[0]}
        size = int(query.get("PageSize", ["50"])[0])
        matching = [
            c
            for c in self.calls.values()
            if all(value is None or c[key] == value for key, value in wanted.items())
        ]
        matching.sort(
            key=lambda c: datetime.strptime(c["date_created"], "%a, %d %b %Y %H:%M:%S %z"),
            reverse=True,
        )
        uri = f"{API}{self.account_sid}/Calls.json?PageSize={size}&Page=0"
        return {
            "calls": matching[:size],
            "end": min(size, len(matching)) - 1,
            "first_page_uri": uri,
            "next_page_uri": None,
            "page": 0,
            "page_size": size,
            "previous_page_uri": None,
            "start": 0,
            "uri": uri,
        }

    @staticmethod
    def _error(status: int, code: int | None, message: str) -> tuple[int, dict[str, Any]]:
        return status, {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}" if code else None,
            "status": status,
        }


@contextmanager
def serve(fake: FakeTwilio) -> Iterator[FakeTwilio]:
    """Serve `fake` on 127.0.0.1 (a free port) for the duration of the block."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive: a client's connection serves many requests

        def setup(self) -> None:
            super().setup()
            fake.connections += 1

        def _handle(self) -> None:
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            received_at = time.time()
            if fake.delay_seconds:
                time.sleep(fake.delay_seconds)
            status, payload = fake.respond(
                RecordedRequest(
                    method=self.command,
                    path=url.path,
                    query=parse_qs(url.query, keep_blank_values=True),
                    form=parse_qs(body, keep_blank_values=True),
                    authorization=self.headers.get("Authorization", ""),
                    received_at=received_at,
                )
            )
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

        do_GET = do_POST = _handle

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    fake.base_url = f"http://127.0.0.1:{server.server_port}"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

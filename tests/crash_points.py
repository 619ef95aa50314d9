"""A Lambda killed between two of its steps, or a service it calls unreachable: every AWS
request dialtone's clients make is counted, the k-th can be made to stop the function just
before it is sent, and a service's requests can be made to fail as an unreachable endpoint does.

The stop is a BaseException, so no handler (nor powertools' batch processor) catches it: the
invocation ends there, as a function whose sandbox is killed ends, and its event source delivers
the event again. A test runs a clean invocation to count its requests, then for every k kills
an invocation of a fresh copy of the input before its k-th request and delivers it again."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import EndpointConnectionError

from dialtone import aws


class Killed(BaseException):
    """The function stopped before an AWS request, as a killed Lambda stops."""


@dataclass
class Requests:
    """The AWS requests made so far (`service.Operation`), and which one kills the function."""

    kill_at: int | None = None
    unreachable: frozenset[str] = frozenset()
    made: list[str] = field(default_factory=list)

    def before(self, model: Any, **_: Any) -> None:
        service = model.service_model.service_name
        if {service, f"{service}.{model.name}"} & self.unreachable:
            raise EndpointConnectionError(endpoint_url=f"https://{service}.unreachable.test")
        if self.kill_at is not None and len(self.made) >= self.kill_at:
            # A killed function makes no request after (one made by a thread of its own, such
            # as s3transfer's, whose stop its main thread may not see, stops too).
            raise Killed(f"killed before request {self.kill_at}: {self.made[-1]}")
        self.made.append(f"{model.service_model.service_name}.{model.name}")
        if len(self.made) == self.kill_at:
            raise Killed(f"killed before request {self.kill_at}: {self.made[-1]}")


@contextmanager
def aws_requests(
    kill_at: int | None = None, unreachable: tuple[str, ...] = ()
) -> Iterator[Requests]:
    """Count the requests of the clients dialtone creates meanwhile (`dialtone.aws.client`),
    killing the function before the `kill_at`-th; the services or operations `unreachable`
    (`s3`, `s3.GetObject`, ...) fail as an endpoint that cannot be reached does."""
    requests = Requests(kill_at, frozenset(unreachable))
    aws.reset_clients()
    aws.session().register("before-call", requests.before)
    try:
        yield requests
    finally:
        aws.reset_clients()  # the next clients are made without the hook

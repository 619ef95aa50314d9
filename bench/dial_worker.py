"""One dialer process of the pacing benchmark (`bench.dialing`), run as
`python -m bench.dial_worker <spec.json>`.

It runs the dialer of `dialtone.dialing.dialer` as the dialer function would run it (the same
wiring, from the same environment), with the real Twilio provider pointed at a fake Twilio REST
API on 127.0.0.1, and takes the dial queue's messages as Lambda's SQS event source hands them to one
concurrent invocation: up to 5 at a time, each message deleted once processed, a message given
back (DialRetryLater, a poison message) left for its next delivery. It stops at `stop_at`.

`connect_delay` makes every new connection to the fake Twilio pay that many seconds before its
first request can leave (a slow TLS handshake, a cold DNS cache), as a real first request may.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import time
from typing import Any

BATCH_SIZE = 5  # the template's BatchSize for the dial queue
INVOCATION_SECONDS = 60  # the dialer function's Timeout
SAFETY_SECONDS = 2.0  # as functions/dialer/app.py keeps back


def slow_down_connections(port: int, seconds: float) -> None:
    """Every new HTTP connection to 127.0.0.1:`port` waits `seconds` before it connects."""
    from urllib3.connection import HTTPConnection

    connect = HTTPConnection.connect

    def slow_connect(self: HTTPConnection) -> None:
        if self.port == port:
            time.sleep(seconds)
        connect(self)

    HTTPConnection.connect = slow_connect  # type: ignore[method-assign]


def main() -> None:
    with open(sys.argv[1]) as file:
        spec: dict[str, Any] = json.load(file)
    os.environ.update(spec["environment"])
    if spec["connect_delay"]:
        slow_down_connections(spec["twilio_port"], spec["connect_delay"])

    from dialtone import aws
    from dialtone.dialing.dialer import DialRetryLater, dialer
    from dialtone.dialing.queue import PoisonMessage
    from dialtone.telephony.twilio import TwilioProvider

    provider = TwilioProvider(
        spec["account_sid"], spec["auth_token"], base_url=spec["twilio_url"], timeout_seconds=10
    )
    worker = dataclasses.replace(dialer(), provider=provider)
    sqs = aws.client("sqs")
    queue_url = worker.queue_url
    while time.time() < spec["stop_at"]:
        messages = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=BATCH_SIZE, WaitTimeSeconds=1
        ).get("Messages", [])
        deadline = time.time() + INVOCATION_SECONDS - SAFETY_SECONDS
        for message in messages:
            try:
                worker.handle(message["Body"], message["ReceiptHandle"], deadline=deadline)
            except (DialRetryLater, PoisonMessage):
                continue
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


if __name__ == "__main__":
    main()

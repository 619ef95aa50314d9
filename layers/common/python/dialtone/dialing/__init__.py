"""Outbound dialing: from an accepted request to a placed call.

- `accept`: accepting a call or a batch (stored, then queued), batch progress, cancelation;
- `queue`: the dial queue's one message format and its one writer;
- `limiter`: the calls-per-second slots of each telephony account;
- `dialer`: takes a dial message, claims the call, waits for a slot and places it;
- `sweeper`: settles calls a lost message or a dead dialer left behind;
- `suppressions`: the tenant's do-not-call list;
- `status`: the dialer and the dial queue as a tenant sees them (`GET /v1/dialer/status`).

Dependencies go one way: `accept`, `dialer` and `sweeper` write through `queue`; `dialer` and
`sweeper` place and look up calls through `dialtone.telephony`, which knows nothing of dialing.
"""

"""A telephony provider that places no real call: the local default.

`SimulatorProvider.place_call` answers at once with a Twilio-style SID ("CA" + 32 hex digits),
records the placement in a state directory (so that `find_call`, `get_call` and `placements`
work from any process on the machine), then, from a background thread, drives the same path a
real call does: Twilio-style status callbacks (initiated → ringing → in-progress → completed,
or busy / no-answer / failed), form-encoded and signed with `X-Twilio-Signature` by
`dialtone.telephony.signing` (the signer the status callback receiver checks), POSTed to the
order's status callback URL.

The outcome depends on the number dialed: SIMULATOR_OUTCOMES ("+15005550002=busy,…") first,
then numbers ending 0486 (busy), 0487 (no-answer), 0488 (failed), 0489 (voicemail), 0490
(declined), 0491 (invalid-number); every other call is answered and completed. Each outcome
reaches its final Twilio status with the SIP response code Twilio reports for it, and answered
calls carry `AnsweredBy` as with Twilio's answering machine detection on (`OUTCOME_SIGNALS`), so
that the status callback receiver derives the end reason from the same fields as for Twilio.
`get_call` follows the same schedule, so it tells the truth even where a
callback was lost (a frozen Lambda execution environment runs no background thread: in a
deployed stack the simulator's callbacks arrive only while its environment is running).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import secrets
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import urlencode

from dialtone.model_types import CallStatus
from dialtone.observability import logger
from dialtone.telephony.base import PROVIDER_STATUS, DialOrder, ProviderCall, ProviderError
from dialtone.telephony.credentials import TelephonySettings, simulator_auth_token
from dialtone.telephony.signing import twilio_signature

# Each outcome: its final Twilio CallStatus, the SipResponseCode of that callback, and what
# answering machine detection says (`AnsweredBy`) of an answered call.
OUTCOME_SIGNALS: dict[str, tuple[str, str, str | None]] = {
    "completed": ("completed", "200", "human"),
    "voicemail": ("completed", "200", "machine_end_beep"),
    "busy": ("busy", "486", None),
    "declined": ("busy", "603", None),
    "no-answer": ("no-answer", "487", None),
    "failed": ("failed", "500", None),
    "invalid-number": ("failed", "404", None),
}
OUTCOMES = tuple(OUTCOME_SIGNALS)
# Numbers that end like this are not answered by a person, whatever SIMULATOR_OUTCOMES says
# of others.
BUILT_IN_OUTCOMES = {
    "0486": "busy",
    "0487": "no-answer",
    "0488": "failed",
    "0489": "voicemail",
    "0490": "declined",
    "0491": "invalid-number",
}
CALLBACK_TIMEOUT_SECONDS = 10.0


def parse_outcomes(spec: str) -> dict[str, str]:
    """`"+15005550002=busy,+15005550003=no-answer"` as {number: outcome}; ValueError names a
    malformed entry or an unknown outcome."""
    outcomes: dict[str, str] = {}
    for entry in filter(None, (part.strip() for part in spec.split(","))):
        number, separator, outcome = entry.partition("=")
        if not separator or not number.strip():
            raise ValueError(f"SIMULATOR_OUTCOMES entry {entry!r} is not <number>=<outcome>")
        if outcome.strip() not in OUTCOMES:
            expected = ", ".join(OUTCOMES)
            raise ValueError(
                f"SIMULATOR_OUTCOMES outcome {outcome.strip()!r} is not one of {expected}"
            )
        outcomes[number.strip()] = outcome.strip()
    return outcomes


def simulator_account_sid(account: str) -> str:
    """A stable Twilio-style account SID ("AC" + 32 hex digits) for a simulator account name."""
    return "AC" + hashlib.sha256(account.encode("utf-8")).hexdigest()[:32]


def default_state_dir() -> Path:
    """Where placements are kept when DIALTONE_SIMULATOR_DIR is not set: one directory per
    machine, shared by every process (the dialer's workers and the tests that inspect them)."""
    return Path(tempfile.gettempdir()) / "dialtone-simulator"


@dataclass(frozen=True)
class Placement:
    """One simulated call, as recorded in the state directory."""

    sid: str
    account_sid: str
    tenant_id: str
    call_id: str
    to_number: str
    from_number: str
    status_callback_url: str
    placed_at: float
    outcome: str
    ring_seconds: float
    talk_seconds: float

    @property
    def final_status(self) -> str:
        """The Twilio CallStatus the call ends in."""
        return OUTCOME_SIGNALS[self.outcome][0]

    @property
    def answered(self) -> bool:
        return self.final_status == "completed"

    def schedule(self) -> list[tuple[float, str]]:
        """(seconds after placement, Twilio CallStatus) of every progress event of the call."""
        events = [(0.0, "initiated")]
        if self.final_status == "failed":
            return [*events, (0.0, "failed")]
        events.append((0.0, "ringing"))
        if not self.answered:
            return [*events, (self.ring_seconds, self.final_status)]
        return [
            *events,
            (self.ring_seconds, "in-progress"),
            (self.ring_seconds + self.talk_seconds, "completed"),
        ]

    @property
    def call_duration(self) -> int:
        """Whole seconds talked (Twilio's CallDuration)."""
        return round(self.talk_seconds) if self.answered else 0

    def provider_call(self, now: float) -> ProviderCall:
        """What Twilio would say of this call at `now`."""
        elapsed = now - self.placed_at
        reached = [status for offset, status in self.schedule() if offset <= elapsed]
        provider_status = reached[-1] if reached else "queued"
        status = PROVIDER_STATUS[provider_status]
        answered_at = self.placed_at + self.ring_seconds
        ended_at = self.placed_at + self.schedule()[-1][0]
        answered = self.answered and elapsed >= self.ring_seconds
        final = provider_status == self.schedule()[-1][1]
        return ProviderCall(
            sid=self.sid,
            status=status,
            start_time=datetime.fromtimestamp(answered_at, UTC) if answered else None,
            end_time=datetime.fromtimestamp(ended_at, UTC) if final else None,
            duration_seconds=float(self.call_duration) if final else None,
            extra={"account_sid": self.account_sid, "provider_status": provider_status},
        )


class SimulatorProvider:
    """Places simulated calls and sends their status callbacks, as Twilio would."""

    def __init__(
        self,
        auth_token: str | Callable[[], str],
        account: str = "local",
        state_dir: str | Path | None = None,
        ring_seconds: float = 1.0,
        talk_seconds: float = 2.0,
        outcomes: dict[str, str] | None = None,
    ) -> None:
        if not auth_token:
            raise ValueError("the simulator signs its callbacks: it needs an auth token")
        # A callable is asked on the first callback (a secret is read only when needed).
        self._auth_token = auth_token
        self.account = account
        self.account_sid = simulator_account_sid(account)
        self.state_dir = Path(state_dir) if state_dir else default_state_dir()
        self.ring_seconds = ring_seconds
        self.talk_seconds = talk_seconds
        self.outcomes = dict(outcomes or {})
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    @property
    def auth_token(self) -> str:
        """The token its callbacks are signed with (asked for once, when first needed)."""
        with self._lock:
            if not isinstance(self._auth_token, str):
                self._auth_token = self._auth_token()
            return self._auth_token

    @classmethod
    def from_settings(cls, config: TelephonySettings) -> SimulatorProvider:
        """The simulator the environment describes (SIMULATOR_* and DIALTONE_SIMULATOR_DIR); its
        token is read from SIMULATOR_SECRET_ARN on the first callback, once."""
        return cls(
            auth_token=functools.partial(simulator_auth_token, config.simulator_secret_arn),
            account=config.simulator_account,
            state_dir=config.simulator_dir or None,
            ring_seconds=config.simulator_ring_seconds,
            talk_seconds=config.simulator_talk_seconds,
            outcomes=parse_outcomes(config.simulator_outcomes),
        )

    @property
    def account_id(self) -> str:
        """`simulator-<account>`: the account whose calls-per-second limit applies."""
        return f"simulator-{self.account}"

    @property
    def _calls_dir(self) -> Path:
        return self.state_dir / "calls"

    def outcome_for(self, to_number: str) -> str:
        """How a call to `to_number` ends: configured numbers first, then the built-in endings."""
        if to_number in self.outcomes:
            return self.outcomes[to_number]
        for ending, outcome in BUILT_IN_OUTCOMES.items():
            if to_number.endswith(ending):
                return outcome
        return "completed"

    # The provider interface

    def prepare(self, order: DialOrder) -> None:
        """Read the token the callbacks are signed with, so the first call does not wait for
        it; no connection to open. A token that cannot be read fails `place_call`, not this."""
        from botocore.exceptions import BotoCoreError, ClientError

        with contextlib.suppress(BotoCoreError, ClientError):
            self.auth_token  # noqa: B018 (read for its cache)

    def place_call(self, order: DialOrder) -> ProviderCall:
        """Record the call and start its status callbacks. Fails (retryably) only if the token
        the callbacks are signed with cannot be read, and then places nothing."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.auth_token  # noqa: B018 (read here, once, rather than by each callback thread)
        except (BotoCoreError, ClientError) as error:
            raise ProviderError(
                f"The simulator's token could not be read: {error}",
                retryable=True,
                code="simulator_token",
            ) from error
        placement = Placement(
            sid="CA" + secrets.token_hex(16),
            account_sid=self.account_sid,
            tenant_id=order.tenant_id,
            call_id=order.call_id,
            to_number=order.to_number,
            from_number=order.from_number,
            status_callback_url=order.status_callback_url,
            placed_at=time.time(),
            outcome=self.outcome_for(order.to_number),
            ring_seconds=self.ring_seconds,
            talk_seconds=self.talk_seconds,
        )
        self._record(placement)
        thread = threading.Thread(
            target=self._send_callbacks, args=(placement,), name=placement.sid, daemon=True
        )
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()]
            self._threads.append(thread)
        thread.start()
        return ProviderCall(
            sid=placement.sid,
            status=CallStatus.INITIATED,
            extra={"account_sid": self.account_sid, "provider_status": "queued"},
        )

    def find_call(self, order: DialOrder, placed_after: datetime) -> ProviderCall | None:
        """The first call placed for this order's call since `placed_after`, if any."""
        since = placed_after.timestamp()
        matches = [
            p
            for p in self._placements()
            if (p.tenant_id, p.call_id) == (order.tenant_id, order.call_id) and p.placed_at >= since
        ]
        if not matches:
            return None
        return min(matches, key=lambda p: p.placed_at).provider_call(time.time())

    def get_call(self, sid: str) -> ProviderCall | None:
        """The simulated call's status now, from its schedule; None for an unknown SID."""
        placement = self._load(self._calls_dir / f"{sid}.json")
        return placement.provider_call(time.time()) if placement else None

    # For tests and benchmarks

    def placements(self) -> list[tuple[float, str]]:
        """(time.time() of the provider call, call id) of every placement, oldest first: the
        gaps between them are the dial pacing."""
        return sorted((p.placed_at, p.call_id) for p in self._placements())

    def drain(self, timeout: float = 30.0) -> bool:
        """Wait until every callback this provider started has been sent; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return not any(t.is_alive() for t in threads)

    def clear(self) -> None:
        """Forget every recorded placement."""
        for path in self._calls_dir.glob("*.json"):
            path.unlink(missing_ok=True)

    # State

    def _record(self, placement: Placement) -> None:
        self._calls_dir.mkdir(parents=True, exist_ok=True)
        target = self._calls_dir / f"{placement.sid}.json"
        handle, temporary = tempfile.mkstemp(dir=self._calls_dir, prefix=".", suffix=".tmp")
        with os.fdopen(handle, "w") as file:
            json.dump(asdict(placement), file)
        os.replace(temporary, target)  # readers never see half a file

    @staticmethod
    def _load(path: Path) -> Placement | None:
        try:
            return Placement(**json.loads(path.read_text()))
        except (FileNotFoundError, ValueError, TypeError):
            return None

    def _placements(self) -> list[Placement]:
        if not self._calls_dir.is_dir():
            return []
        loaded = (self._load(path) for path in self._calls_dir.glob("CA*.json"))
        return [p for p in loaded if p is not None]

    # Callbacks

    def callback_form(
        self, placement: Placement, provider_status: str, sequence: int
    ) -> dict[str, str]:
        """The form Twilio posts for one progress event of a call."""
        form = {
            "AccountSid": placement.account_sid,
            "ApiVersion": "2010-04-01",
            "CallSid": placement.sid,
            "CallStatus": provider_status,
            "CallbackSource": "call-progress-events",
            "Called": placement.to_number,
            "Caller": placement.from_number,
            "Direction": "outbound-api",
            "From": placement.from_number,
            "SequenceNumber": str(sequence),
            "Timestamp": format_datetime(datetime.now(UTC)),
            "To": placement.to_number,
        }
        _, sip_code, answered_by = OUTCOME_SIGNALS[placement.outcome]
        if provider_status in ("in-progress", "completed") and answered_by:
            form["AnsweredBy"] = answered_by
        if provider_status in ("completed", "busy", "no-answer", "failed"):
            form["CallDuration"] = str(placement.call_duration)
            form["Duration"] = str(-(-placement.call_duration // 60))  # billed minutes
            form["SipResponseCode"] = sip_code
        return form

    def sign(self, url: str, form: dict[str, str]) -> str:
        """`X-Twilio-Signature` of a callback, by the signer the status callback receiver
        checks."""
        return twilio_signature(
            self.auth_token, url, {name: [value] for name, value in form.items()}
        )

    def _send_callbacks(self, placement: Placement) -> None:
        for sequence, (offset, provider_status) in enumerate(placement.schedule()):
            delay = placement.placed_at + offset - time.time()
            if delay > 0:
                time.sleep(delay)
            form = self.callback_form(placement, provider_status, sequence)
            self._post(placement, form)

    def _post(self, placement: Placement, form: dict[str, str]) -> None:
        url = placement.status_callback_url
        request = urllib.request.Request(  # noqa: S310 - the dialer's own callback URL
            url,
            data=urlencode(form).encode("utf-8"),
            method="POST",
            headers={
                "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                "X-Twilio-Signature": self.sign(url, form),
                "User-Agent": "TwilioProxy/1.1 (dialtone-simulator)",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=CALLBACK_TIMEOUT_SECONDS) as response:  # noqa: S310
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
            with contextlib.suppress(Exception):
                error.close()
        except (urllib.error.URLError, OSError) as error:
            logger.warning(
                "Simulated status callback not delivered",
                extra={"call_sid": placement.sid, "url": url, "error": str(error)},
            )
            return
        if status >= 300:
            logger.warning(
                "Simulated status callback refused",
                extra={
                    "call_sid": placement.sid,
                    "status": status,
                    "call_status": form["CallStatus"],
                },
            )

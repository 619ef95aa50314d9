"""Why calls end: the one published `end_reason` vocabulary, and how the provider's codes and
the voice runtime's words map onto it.

Every `end_reason` the API stores is one of `END_REASONS`. The provider's raw codes stay beside
it on the call (`sip_response_code`, `q850_cause`, `answered_by`), so a reason can always be
checked against what the network said. The README's "End reasons" table is this module.

- Provider status callbacks (`reason_from_provider`): the Twilio error code first, then the SIP
  response code, then the Q.850 cause, then answering machine detection, then the status alone.
- The voice runtime (`PUT /v1/calls/{id}` `end_reason`, an `ended` event's `reason`): a value of
  the vocabulary, or one of the names other platforms use for it (`RUNTIME_ALIASES`, e.g.
  Retell's `user_hangup`, Vapi's `customer-ended-call`); anything else is refused (422) with
  the vocabulary, so that no reason outside it is ever stored.
"""

from __future__ import annotations

from dialtone.model_types import CallStatus

# The vocabulary, with what each reason means: the README and the 422 list these.
END_REASONS: dict[str, str] = {
    "caller_hangup": "the remote party hung up (reported by the voice runtime)",
    "agent_hangup": "the agent ended the call (reported by the voice runtime)",
    "hangup": "answered and ended normally; the provider does not say which side hung up",
    "transferred": "the agent transferred the call elsewhere",
    "voicemail": "answered by an answering machine or voicemail",
    "busy": "the callee's line was busy",
    "no_answer": "it rang and nobody answered",
    "declined": "the callee rejected the call",
    "invalid_number": "the number does not exist or cannot be dialed",
    "blocked": "the provider or a carrier refused to place the call (permissions, spam "
    "blocking, an unverified caller ID)",
    "network_error": "the call failed or dropped in the network",
    "timeout": "no final status came in time, or the call reached its maximum duration",
    "canceled": "canceled before it was answered",
    "suppressed": "the number is on the tenant's do-not-call list: never dialed",
    "error": "Dialtone, the provider or the agent failed (`error_reason` says how)",
}

# Names other platforms and runtimes use, and the reason each one is.
RUNTIME_ALIASES: dict[str, str] = {
    "user_hangup": "caller_hangup",
    "customer_hangup": "caller_hangup",
    "customer-ended-call": "caller_hangup",
    "user_hung_up": "caller_hangup",
    "client_initiated": "caller_hangup",
    "assistant-ended-call": "agent_hangup",
    "assistant_hangup": "agent_hangup",
    "call_transfer": "transferred",
    "assistant-forwarded-call": "transferred",
    "voicemail_reached": "voicemail",
    "machine_detected": "voicemail",
    "dial_busy": "busy",
    "customer-busy": "busy",
    "dial_no_answer": "no_answer",
    "customer-did-not-answer": "no_answer",
    "rejected": "declined",
    "user_rejected": "declined",
    "dial_failed": "network_error",
    "inactivity": "timeout",
    "silence-timed-out": "timeout",
    "max_duration_reached": "timeout",
    "exceeded-max-duration": "timeout",
    "cancelled": "canceled",
}

# Twilio's error codes on a failed call (its `ErrorCode` field, or the REST API's refusal).
TWILIO_ERRORS: dict[str, str] = {
    "13223": "invalid_number",  # Dial: invalid phone number format
    "13224": "invalid_number",  # Dial: invalid phone number
    "13226": "invalid_number",  # Dial: invalid country code
    "21211": "invalid_number",  # invalid 'To' phone number
    "21214": "invalid_number",  # 'To' phone number cannot be reached
    "21217": "invalid_number",  # phone number does not appear to be valid
    "13225": "blocked",  # Dial: forbidden phone number
    "13227": "blocked",  # Dial: no international authorization (geo permissions)
    "21210": "blocked",  # 'From' phone number not verified
    "21212": "blocked",  # invalid 'From' phone number (caller ID)
    "21215": "blocked",  # geo permissions do not allow the call
    "21216": "blocked",  # the account may not call this number
    "32009": "network_error",  # SIP: your trunk is not reachable
    "32011": "network_error",  # SIP: error forwarding the call
}

# Final SIP response codes (RFC 3261, RFC 8197, RFC 8688).
SIP_CODES: dict[int, str] = {
    404: "invalid_number",  # Not Found
    410: "invalid_number",  # Gone
    484: "invalid_number",  # Address Incomplete
    604: "invalid_number",  # Does Not Exist Anywhere
    486: "busy",  # Busy Here
    600: "busy",  # Busy Everywhere
    408: "no_answer",  # Request Timeout
    480: "no_answer",  # Temporarily Unavailable
    487: "no_answer",  # Request Terminated (the caller gave up ringing)
    603: "declined",  # Decline
    607: "declined",  # Unwanted
    403: "blocked",  # Forbidden
    608: "blocked",  # Rejected (by an intermediary)
}

# ISDN Q.850 cause codes.
Q850_CAUSES: dict[int, str] = {
    1: "invalid_number",  # unallocated number
    3: "invalid_number",  # no route to destination
    22: "invalid_number",  # number changed
    28: "invalid_number",  # invalid number format
    17: "busy",  # user busy
    18: "no_answer",  # no user responding
    19: "no_answer",  # no answer from user
    21: "declined",  # call rejected
    16: "hangup",  # normal call clearing
    27: "network_error",  # destination out of order
    34: "network_error",  # no circuit available
    38: "network_error",  # network out of order
    41: "network_error",  # temporary failure
    102: "timeout",  # recovery on timer expiry
}

# What answering machine detection says that means a machine answered.
MACHINE_ANSWERS = frozenset(
    {"machine_start", "machine_end_beep", "machine_end_silence", "machine_end_other"}
)

# The reason a final status gives when nothing more specific is known.
STATUS_REASONS: dict[CallStatus, str] = {
    CallStatus.COMPLETED: "hangup",
    CallStatus.BUSY: "busy",
    CallStatus.NO_ANSWER: "no_answer",
    CallStatus.FAILED: "error",
    CallStatus.CANCELED: "canceled",
}

# A reason that says less than the voice runtime may know: it may replace it.
GENERIC_REASONS = frozenset({"hangup"})


def _canonical(text: str) -> str:
    """A word as compared: lower case, underscores for spaces and hyphens."""
    return text.strip().lower().replace(" ", "_").replace("-", "_")


# The reasons and their aliases, by canonical form.
_READINGS = {
    **{_canonical(alias): reason for alias, reason in RUNTIME_ALIASES.items()},
    **{reason: reason for reason in END_REASONS},
}


def normalize(value: str) -> str | None:
    """The vocabulary's reason for `value` (a reason, or an alias, in any case, with spaces
    or hyphens for underscores); None when it is neither."""
    return _READINGS.get(_canonical(value))


def unknown_reason_message(value: str) -> str:
    """Why `value` is refused: it names the vocabulary."""
    return f"Unknown end_reason {value[:60]!r}: use one of " + ", ".join(END_REASONS)


def _from_codes(
    sip_response_code: int | None, q850_cause: int | None, error_code: str | None
) -> str | None:
    if error_code and error_code in TWILIO_ERRORS:
        return TWILIO_ERRORS[error_code]
    if sip_response_code is not None:
        if sip_response_code in SIP_CODES:
            return SIP_CODES[sip_response_code]
        if 500 <= sip_response_code < 600:
            return "network_error"
    if q850_cause is not None:
        return Q850_CAUSES.get(q850_cause)
    return None


def reason_from_provider(
    status: CallStatus,
    *,
    sip_response_code: int | None = None,
    q850_cause: int | None = None,
    error_code: str | None = None,
    answered_by: str | None = None,
) -> str:
    """The end reason of a call the provider reports in the final `status`, from its codes.

    A completed call keeps `hangup` (or `voicemail` when a machine answered) whatever its SIP
    code (200, or a BYE's): it was answered. Otherwise the codes are more precise than the
    status (a `busy` with SIP 603 was declined; a `failed` with 404, an unknown number); a
    `canceled` call stays canceled."""
    if status is CallStatus.COMPLETED:
        return "voicemail" if answered_by in MACHINE_ANSWERS else "hangup"
    if status is CallStatus.CANCELED:
        return "canceled"
    coded = _from_codes(sip_response_code, q850_cause, error_code)
    if coded is not None and coded != "hangup":
        return coded
    return STATUS_REASONS.get(status, "error")

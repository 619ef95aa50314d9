from enum import StrEnum

class HistoryEventType(StrEnum):
    ACKNOWLEDGEMENT = "acknowledgement"
    COMPLETION = "completion"
    ENDED = "ended"
    ESCALATED = "escalated"
    FUNCTION_CALL = "function_call"
    FUNCTION_RESPONSE = "function_response"
    INTERRUPT = "interrupt"
    PATCH = "patch"
    SPAN = "span"
    STARTED = "started"

    def __str__(self) -> str:
        return str(self.value)

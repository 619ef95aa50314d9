from enum import StrEnum

class CallStatus(StrEnum):
    BUSY = "busy"
    CANCELED = "canceled"
    COMPLETED = "completed"
    FAILED = "failed"
    INITIATED = "initiated"
    IN_PROGRESS = "in_progress"
    NO_ANSWER = "no_answer"
    QUEUED = "queued"
    RINGING = "ringing"

    def __str__(self) -> str:
        return str(self.value)

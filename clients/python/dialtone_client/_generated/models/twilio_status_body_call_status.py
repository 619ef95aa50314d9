from enum import StrEnum

class TwilioStatusBodyCallStatus(StrEnum):
    BUSY = "busy"
    CANCELED = "canceled"
    COMPLETED = "completed"
    FAILED = "failed"
    INITIATED = "initiated"
    IN_PROGRESS = "in-progress"
    NO_ANSWER = "no-answer"
    QUEUED = "queued"
    RINGING = "ringing"

    def __str__(self) -> str:
        return str(self.value)

from enum import StrEnum

class CallOutcome(StrEnum):
    ABANDONED = "abandoned"
    ERROR = "error"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    TRANSFERRED = "transferred"
    UNRESOLVED = "unresolved"
    VOICEMAIL = "voicemail"

    def __str__(self) -> str:
        return str(self.value)

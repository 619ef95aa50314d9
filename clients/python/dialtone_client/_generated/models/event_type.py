from enum import StrEnum

class EventType(StrEnum):
    BATCH_COMPLETED = "batch.completed"
    CALL_COMPLETED = "call.completed"
    CALL_ESCALATED = "call.escalated"
    CALL_FAILED = "call.failed"
    CALL_GRADED = "call.graded"
    CALL_RECORDING_READY = "call.recording.ready"
    CALL_STARTED = "call.started"
    PING = "ping"

    def __str__(self) -> str:
        return str(self.value)

from enum import StrEnum

class TranscriptFormat(StrEnum):
    EXCHANGES = "exchanges"
    TURNS = "turns"
    VTT = "vtt"

    def __str__(self) -> str:
        return str(self.value)

from enum import StrEnum

class Direction(StrEnum):
    INBOUND = "inbound"
    MIC = "mic"
    OUTBOUND = "outbound"
    WEB = "web"

    def __str__(self) -> str:
        return str(self.value)

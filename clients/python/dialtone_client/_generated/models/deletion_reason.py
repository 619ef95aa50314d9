from enum import StrEnum

class DeletionReason(StrEnum):
    ERASED = "erased"
    EXPIRED = "expired"

    def __str__(self) -> str:
        return str(self.value)

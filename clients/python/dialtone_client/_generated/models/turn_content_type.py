from enum import StrEnum

class TurnContentType(StrEnum):
    FUNCTION = "function"
    FUNCTION_RESPONSE = "function_response"
    TEXT = "text"

    def __str__(self) -> str:
        return str(self.value)

from enum import StrEnum

class TurnRole(StrEnum):
    ASSISTANT = "assistant"
    TOOL_CALL = "tool_call"
    TOOL_RESPONSE = "tool_response"
    USER = "user"

    def __str__(self) -> str:
        return str(self.value)

from enum import StrEnum

class IssueSource(StrEnum):
    API = "api"
    GRADING = "grading"

    def __str__(self) -> str:
        return str(self.value)

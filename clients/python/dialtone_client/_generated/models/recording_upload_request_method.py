from enum import StrEnum

class RecordingUploadRequestMethod(StrEnum):
    POST = "POST"
    PUT = "PUT"

    def __str__(self) -> str:
        return str(self.value)

from enum import StrEnum

class RecordingUploadRequestFormat(StrEnum):
    M4A = "m4a"
    MP3 = "mp3"
    OGG = "ogg"
    WAV = "wav"

    def __str__(self) -> str:
        return str(self.value)

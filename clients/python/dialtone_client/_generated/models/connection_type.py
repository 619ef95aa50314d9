from enum import StrEnum

class ConnectionType(StrEnum):
    MEDIA_STREAM = "media_stream"
    SIP = "sip"
    TWIML_URL = "twiml_url"

    def __str__(self) -> str:
        return str(self.value)

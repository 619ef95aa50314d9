"""Domain errors. The store and the services raise these; `dialtone.http` maps them to HTTP once."""

from __future__ import annotations


class DialtoneError(Exception):
    """Base class of every error the API reports to a client."""

    detail = "Request failed"

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail or self.detail)
        self.detail = detail or self.detail


class CallNotFound(DialtoneError):
    detail = "Call not found"


class RecordingNotAvailable(DialtoneError):
    detail = "Recording not available"


class InvalidCursor(DialtoneError):
    detail = "Invalid cursor"


class MissingScope(DialtoneError):
    def __init__(self, scope: str) -> None:
        super().__init__(f"Missing scope {scope}")
        self.scope = scope


class Unauthenticated(DialtoneError):
    detail = "Not authenticated"


class InvalidParameter(DialtoneError):
    """A request value that passed type validation but breaks a rule (reported as 422)."""

    def __init__(self, location: tuple[str, ...], message: str, kind: str = "value_error") -> None:
        super().__init__(message)
        self.location = location
        self.kind = kind


class TenantNotFound(DialtoneError):
    detail = "Tenant not found"


class ApiKeyNotFound(DialtoneError):
    detail = "API key not found"

"""Dialtone's Python SDK: `Dialtone` (sync) and `AsyncDialtone`, over the API's generated models."""

from . import models
from .client import AsyncChangeFeed, AsyncDialtone, ChangeFeed, Dialtone
from .errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    DialtoneError,
    GoneError,
    NotFoundError,
    RateLimitError,
    ServerError,
    ValidationError,
)
from .webhooks import WebhookVerificationError, verify_webhook

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncChangeFeed",
    "AsyncDialtone",
    "AuthenticationError",
    "BadRequestError",
    "ChangeFeed",
    "ConflictError",
    "Dialtone",
    "DialtoneError",
    "GoneError",
    "NotFoundError",
    "RateLimitError",
    "ServerError",
    "ValidationError",
    "WebhookVerificationError",
    "models",
    "verify_webhook",
]

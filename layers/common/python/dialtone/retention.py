"""How long a call is kept.

A tenant's `retention_days` becomes `expires_at` (epoch seconds, the calls table's TTL
attribute) on every item of each of its calls, counted from the call's start (from its
creation when the start is still to come). Recordings carry
a tag naming the smallest retention class that covers the tenant's period; the recordings
bucket has one lifecycle rule per class (template.yaml), so S3 expires them as DynamoDB expires
the records (counted from the upload, and rounded up to the class). Erasing a call before then
is `dialtone.erasure`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

# Retention periods, in days, that the recordings bucket's lifecycle rules know; a tenant's
# period is rounded up to one of them (or kept indefinitely above the largest).
RETENTION_CLASSES = (1, 7, 14, 30, 60, 90, 180, 365, 730, 1095, 1825, 2555, 3650)
RETENTION_TAG = "dialtone-retention-days"


def expires_at(start_time: datetime, retention_days: int | None) -> int | None:
    """When a call started at `start_time` expires (epoch seconds); None to keep it."""
    if not retention_days:
        return None
    return int((start_time + timedelta(days=retention_days)).timestamp())


def retention_class(retention_days: int | None) -> int | None:
    """The lifecycle class a recording is tagged with: the smallest that keeps it at least
    `retention_days`; None to keep it indefinitely."""
    if not retention_days:
        return None
    return next((days for days in RETENTION_CLASSES if days >= retention_days), None)


def call_prefix(tenant_id: str, call_id: str) -> str:
    """Where every object of a call lives in the recordings bucket."""
    return f"tenants/{tenant_id}/calls/{call_id}/"

"""Every minute (an EventBridge schedule): brings calls stuck in a non-final status to a final
one, reconciling with the provider before anything is dialed again."""

from __future__ import annotations

import time
from typing import Any

from dialtone.dialing import sweeper
from dialtone.observability import event_handler, logger

# Seconds kept back from the invocation's remaining time: a sweep stops between tenants.
SAFETY_SECONDS = 5.0


@event_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    deadline = time.time() + context.get_remaining_time_in_millis() / 1000 - SAFETY_SECONDS
    report = sweeper.sweeper().sweep(deadline=deadline).as_dict()
    logger.info("Sweep done", extra=report)
    return report

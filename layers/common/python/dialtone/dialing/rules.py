"""The rules the dialer applies before it claims a call that depend on the number alone: the
tenant's calling window in the callee's time zones, and the do-not-call list. The dialer
(`dialer`) applies them to each queued call; a batch's dry run (`screen_numbers`) to numbers
not yet stored, through the same functions.

Kept apart from `dialer` so that a function that only screens numbers imports neither the
dialer nor the telephony providers (it needs `phonenumbers` with its time-zone data).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from dialtone import settings
from dialtone.dialing.config import DialingSettings

if TYPE_CHECKING:
    from dialtone.accounts import CallingWindow, Tenant


# (tenant_id, distinct E.164 numbers, now) -> (suppressed, outside the calling window now)
Screen = Callable[[str, list[str], datetime], tuple[set[str], set[str]]]


def callee_zones(e164: str) -> list[ZoneInfo]:
    """Every time zone the callee may be in, from the number (`phonenumbers`); UTC when it
    knows none. A non-geographic number (toll-free, mobile in a large country) has several."""
    import phonenumbers
    from phonenumbers import timezone

    try:
        names = timezone.time_zones_for_number(phonenumbers.parse(e164, None))
    except phonenumbers.NumberParseException:
        names = ()
    zones = []
    for name in names:
        if name != "Etc/Unknown":
            try:
                zones.append(ZoneInfo(name))
            except (KeyError, ValueError):
                continue
    return zones or [ZoneInfo("UTC")]


def callee_zone(e164: str) -> ZoneInfo:
    """The callee's most likely time zone: the first `phonenumbers` gives for the number."""
    return callee_zones(e164)[0]


def window_opening_everywhere(
    window: CallingWindow, zones: list[ZoneInfo], now: datetime
) -> datetime | None:
    """None when `window` is open at `now` in every zone the callee may be in; else the first
    moment it is (UTC). When the zones share no open hour, the first zone decides."""
    moment = now
    for _ in range(2 * len(zones) + 2):
        openings = [window_opening(window, zone, moment) for zone in zones]
        later = [o for o in openings if o is not None]
        if not later:
            return None if moment == now else moment
        moment = max(later)
    return window_opening(window, zones[0], now)


def window_closed_until(tenant: Tenant, to_number: str, now: datetime) -> datetime | None:
    """When the tenant's calling window next opens for this number, if it is closed at `now`
    (the dialer then defers the call until that moment); None when the call may be placed.
    The one rule of the dialer and of a batch's dry run."""
    if tenant.calling_window is None:
        return None
    return window_opening_everywhere(tenant.calling_window, callee_zones(to_number), now)


def window_opening(window: CallingWindow, zone: ZoneInfo, now: datetime) -> datetime | None:
    """None when `window` is open at `now` in `zone`; else when it next opens (UTC)."""
    local = now.astimezone(zone)
    if window.allows(local.time()):
        return None
    start = clock_time.fromisoformat(window.start)
    day: date = local.date()
    opening = datetime.combine(day, start, tzinfo=zone)
    if opening <= local:
        opening = datetime.combine(day + timedelta(days=1), start, tzinfo=zone)
    return opening.astimezone(UTC)


def screen_numbers(accounts_table: str) -> Screen:
    """(tenant_id, numbers, now) -> (suppressed, outside the calling window now): the rules
    the dialer applies to each call before it claims it, for numbers not yet stored."""

    def screen(tenant_id: str, numbers: list[str], now: datetime) -> tuple[set[str], set[str]]:
        from dialtone.accounts import AccountStore
        from dialtone.dialing.suppressions import SuppressionStore

        tenant = AccountStore(accounts_table).get_tenant(tenant_id)
        suppressed = SuppressionStore(accounts_table).suppressed_among(tenant_id, numbers)
        closed = {n for n in numbers if window_closed_until(tenant, n, now) is not None}
        return suppressed, closed

    return screen


@settings.per_environment
def screen() -> Screen:
    """The screen of this execution environment (`POST /v1/calls/batch?dry_run=true`)."""
    config = settings.load(DialingSettings)
    return screen_numbers(config.accounts_table)

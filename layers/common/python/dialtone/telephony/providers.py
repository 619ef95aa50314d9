"""The telephony provider the environment names, built once per execution environment.

This module sits above the backends: it imports each only when it builds it, so neither the
Twilio SDK nor the simulator is loaded by anything that merely imports the interface.
"""

from __future__ import annotations

from dialtone import settings
from dialtone.telephony.base import TelephonyProvider
from dialtone.telephony.credentials import TelephonySettings


@settings.per_environment
def provider_from_environment() -> TelephonyProvider:
    """The provider DIALTONE_TELEPHONY names (`simulator`, the default, or `twilio` with
    TWILIO_SECRET_ARN), built once per execution environment. The Twilio SDK is imported only
    when a Twilio call is placed or looked up."""

    config = settings.load(TelephonySettings)
    if config.telephony == "twilio":
        from dialtone.telephony.twilio import TwilioProvider

        return TwilioProvider.from_secret(config.twilio_secret_arn)
    from dialtone.telephony.simulator import SimulatorProvider

    return SimulatorProvider.from_settings(config)

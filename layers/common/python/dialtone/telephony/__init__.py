"""Telephony: placing calls through a provider and hearing back from it.

- `base`: the provider interface (`TelephonyProvider`, `DialOrder`, `ProviderCall`,
  `ProviderError`), which imports no provider;
- `twilio`, `simulator`: one module per provider, each importing `base` and never each other;
- `providers`: `provider_from_environment`, which builds the one the environment names (not
  exported here, so that importing the interface never reaches a backend, even lazily);
- `signing`: Twilio's request signature (`X-Twilio-Signature`), computed by the simulator and
  checked by the status callback receiver;
- `credentials`: the Twilio account's credentials and the simulator's token, from Secrets
  Manager or SSM;
- `status_callbacks`: the status callback receiver, which moves a call through its statuses.

Importing this package loads only the interface: never the Twilio SDK, never a backend.
"""

from dialtone.telephony.base import (
    PROVIDER_STATUS,
    Connection,
    DialOrder,
    ProviderCall,
    ProviderError,
    TelephonyProvider,
)

__all__ = [
    "PROVIDER_STATUS",
    "Connection",
    "DialOrder",
    "ProviderCall",
    "ProviderError",
    "TelephonyProvider",
]

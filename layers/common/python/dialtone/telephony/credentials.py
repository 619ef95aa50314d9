"""Telephony credentials: the Twilio account's, and the simulator's token.

Twilio's are JSON {"account_sid", "auth_token"} in a Secrets Manager secret, or in an SSM
SecureString parameter; the simulator's token is a Secrets Manager secret generated for each
stack. Each is read on first use and kept for the life of the execution environment.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from dialtone import aws, settings


@dataclass(frozen=True)
class TwilioCredentials:
    account_sid: str
    auth_token: str = field(repr=False)


def _ssm_parameter_name(arn: str) -> str | None:
    """The parameter name of an SSM parameter ARN (`arn:aws:ssm:<region>:<account>:parameter/x`),
    or None for anything else. A hierarchical name (`/dialtone/twilio`) loses its leading slash
    in the ARN."""
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn" or parts[2] != "ssm":
        return None
    resource = parts[5]
    if not resource.startswith("parameter/"):
        return None
    name = resource.removeprefix("parameter/")
    return f"/{name}" if "/" in name else name


@settings.per_environment
def load_twilio_credentials(secret_arn: str) -> TwilioCredentials:
    """The Twilio account's SID and auth token, read once per execution environment from a
    Secrets Manager secret or, for an SSM parameter ARN, a SecureString parameter (decrypted)."""
    parameter = _ssm_parameter_name(secret_arn)
    if parameter is not None:
        response = aws.client("ssm").get_parameter(Name=parameter, WithDecryption=True)
        text = response["Parameter"]["Value"]
    else:
        text = aws.client("secretsmanager").get_secret_value(SecretId=secret_arn)["SecretString"]
    try:
        values = json.loads(text)
        return TwilioCredentials(
            account_sid=str(values["account_sid"]), auth_token=str(values["auth_token"])
        )
    except (ValueError, TypeError, KeyError) as error:
        raise ValueError(
            f'{secret_arn} must hold JSON {{"account_sid": ..., "auth_token": ...}}'
        ) from error


def simulator_auth_token(secret_arn: str) -> str:
    """The token the simulator signs its status callbacks with (SIMULATOR_SECRET_ARN's value),
    read once per execution environment."""
    return settings.secret_string(secret_arn)


def callback_auth_token(config: settings.TelephonySettings) -> str:
    """The secret status callbacks are signed with: the Twilio account's auth token, or the
    simulator's token (the stack's generated SimulatorSecret). Read on the first callback and
    kept for the life of the execution environment."""
    if config.telephony == "twilio":
        return load_twilio_credentials(config.twilio_secret_arn).auth_token
    return simulator_auth_token(config.simulator_secret_arn)

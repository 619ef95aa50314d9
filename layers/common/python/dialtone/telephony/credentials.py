"""Telephony credentials: the Twilio account's, and the simulator's token.

Twilio's are JSON {"account_sid", "auth_token"} in a Secrets Manager secret, or in an SSM
SecureString parameter; the simulator's token is a Secrets Manager secret generated for each
stack. Each is read on first use and kept for the life of the execution environment.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Literal

from pydantic import Field, model_validator

from dialtone import aws, settings
from dialtone.settings import EnvSettings


class TelephonySettings(EnvSettings):
    """Who places outbound calls, and the secret their status callbacks are signed with.

    `simulator` (the default) places no real call and signs its callbacks with the token held
    by the Secrets Manager secret SIMULATOR_SECRET_ARN (generated for each stack); `twilio`
    reads {"account_sid", "auth_token"} from TWILIO_SECRET_ARN (a Secrets Manager secret, or an
    SSM SecureString parameter ARN). Either secret is read on first use, not here.
    """

    telephony: Literal["simulator", "twilio"] = Field(
        alias="DIALTONE_TELEPHONY", default="simulator"
    )
    twilio_secret_arn: str = Field(alias="TWILIO_SECRET_ARN", default="")
    simulator_secret_arn: str = Field(alias="SIMULATOR_SECRET_ARN", default="")
    simulator_account: str = Field(alias="SIMULATOR_ACCOUNT", default="local", min_length=1)
    simulator_dir: str = Field(alias="DIALTONE_SIMULATOR_DIR", default="")
    simulator_ring_seconds: float = Field(alias="SIMULATOR_RING_SECONDS", default=1.0, ge=0, le=600)
    simulator_talk_seconds: float = Field(
        alias="SIMULATOR_TALK_SECONDS", default=2.0, ge=0, le=3600
    )
    simulator_outcomes: str = Field(alias="SIMULATOR_OUTCOMES", default="")

    @model_validator(mode="after")
    def _credentials_named(self) -> TelephonySettings:
        if self.telephony == "twilio" and not self.twilio_secret_arn:
            raise ValueError("DIALTONE_TELEPHONY=twilio needs TWILIO_SECRET_ARN")
        if self.telephony == "simulator" and not self.simulator_secret_arn:
            raise ValueError("DIALTONE_TELEPHONY=simulator needs SIMULATOR_SECRET_ARN")
        return self


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


def callback_auth_token(config: TelephonySettings) -> str:
    """The secret status callbacks are signed with: the Twilio account's auth token, or the
    simulator's token (the stack's generated SimulatorSecret). Read on the first callback and
    kept for the life of the execution environment."""
    if config.telephony == "twilio":
        return load_twilio_credentials(config.twilio_secret_arn).auth_token
    return simulator_auth_token(config.simulator_secret_arn)

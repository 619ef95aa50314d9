"""What template.yaml promises about secrets and the dial queue, read from the template itself."""

from __future__ import annotations

from typing import Any

import pytest

from dialtone.dialer import MAX_DELAY_SECONDS
from dialtone.sweeper import QUEUED_STALE_AFTER
from local.provision import load_template, resources_of


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template()


def telephony_functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The functions that place calls or check status callbacks (they name the provider)."""
    return {
        name: properties
        for name, properties in resources_of(template, "AWS::Serverless::Function").items()
        if "DIALTONE_TELEPHONY" in properties.get("Environment", {}).get("Variables", {})
    }


def test_simulator_callbacks_are_signed_with_a_secret_generated_per_stack(
    template: dict[str, Any],
) -> None:
    # Given the template's parameters and secrets
    parameters = template.get("Parameters", {})
    secret = template["Resources"]["SimulatorSecret"]

    # Then no parameter carries a signing token with a public default
    assert not [name for name, p in parameters.items() if "Token" in name and "Default" in p]
    # And the simulator's token is a secret CloudFormation generates for each stack
    assert secret["Type"] == "AWS::SecretsManager::Secret"
    assert secret["Properties"]["GenerateSecretString"]["PasswordLength"] >= 32


def test_every_telephony_function_reads_only_the_simulator_secret_it_needs(
    template: dict[str, Any],
) -> None:
    # Given the functions that place calls or receive status callbacks
    functions = telephony_functions(template)
    assert set(functions) == {"TwilioStatusFunction", "DialerFunction", "SweeperFunction"}

    for name, properties in functions.items():
        variables = properties["Environment"]["Variables"]
        # Then each is told where the simulator's token is, never the token itself
        assert variables["SIMULATOR_SECRET_ARN"] == {"Ref": "SimulatorSecret"}, name
        assert "SIMULATOR_AUTH_TOKEN" not in variables, name
        # And may read that one secret
        assert {
            "AWSSecretsManagerGetSecretValuePolicy": {"SecretArn": {"Ref": "SimulatorSecret"}}
        } in properties["Policies"], name


def test_a_queued_call_is_deemed_stale_only_after_its_message_had_every_chance(
    template: dict[str, Any],
) -> None:
    # Given the dial queue: how long a received message hides, and how often it is received
    queue = template["Resources"]["DialQueue"]["Properties"]
    received_for = int(queue["VisibilityTimeout"]) * int(queue["RedrivePolicy"]["maxReceiveCount"])

    # Then the sweeper sends a new message only once the longest delay and every receive of
    # the old one have passed
    assert QUEUED_STALE_AFTER.total_seconds() >= MAX_DELAY_SECONDS + received_for

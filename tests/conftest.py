"""Fixtures shared by integration and e2e tests: an embedded AWS endpoint, the template's
resources on it, handler environments, and tenants that clean up after themselves."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from dialtone import aws as dialtone_aws
from dialtone import settings
from dialtone.accounts import AccountStore
from dialtone.store import CallStore
from local.endpoint import EmbeddedAws, environment
from local.provision import Stack, provision
from tests.streams import watch_calls_stream
from tests.tenants import TenantFixture, erase_account_items


@pytest.fixture(scope="session")
def embedded_aws() -> Iterator[EmbeddedAws]:
    endpoint = EmbeddedAws().start()
    yield endpoint
    endpoint.stop()


@pytest.fixture(scope="session")
def stack(embedded_aws: EmbeddedAws) -> Stack:
    """Every table, bucket and secret of template.yaml, created from its own definitions."""
    return provision(embedded_aws.session(), prefix=f"test-{uuid.uuid4().hex[:8]}")


@pytest.fixture(scope="session")
def handler_environment(embedded_aws: EmbeddedAws, stack: Stack) -> Iterator[dict[str, str]]:
    """The environment every function gets from the template, pointed at the embedded endpoint."""
    values = {**embedded_aws.environment(), "POWERTOOLS_METRICS_DISABLED": "true"}
    for function in stack.functions():
        values.update(stack.function_environment(function))
    with environment(values):
        settings.reset()
        dialtone_aws.reset_clients()
        yield values
    settings.reset()
    dialtone_aws.reset_clients()


@pytest.fixture(scope="session")
def simulator_token(embedded_aws: EmbeddedAws, handler_environment: dict[str, str]) -> str:
    """The token the simulator signs status callbacks with: the value generated into the
    stack's SimulatorSecret, read the way the functions read it."""
    secretsmanager = embedded_aws.session().client("secretsmanager")
    secret = secretsmanager.get_secret_value(SecretId=handler_environment["SIMULATOR_SECRET_ARN"])
    token: str = secret["SecretString"]
    return token


@pytest.fixture
def call_store(handler_environment: dict[str, str]) -> CallStore:
    return CallStore(handler_environment["CALLS_TABLE"])


@pytest.fixture
def account_store(handler_environment: dict[str, str]) -> AccountStore:
    return AccountStore(handler_environment["ACCOUNTS_TABLE"])


@pytest.fixture
def make_tenant(call_store: CallStore, account_store: AccountStore) -> Iterator[Any]:
    """Create tenants on demand; every call they stored, and everything the accounts table holds
    for them, is deleted when the test ends."""
    created: list[TenantFixture] = []

    def factory(seed: int = 7) -> TenantFixture:
        tenant = account_store.create_tenant(name=f"Tenant {len(created) + 1}")
        watch_calls_stream(tenant.tenant_id)  # its drains read only what it writes
        fixture = TenantFixture(
            tenant_id=tenant.tenant_id, store=call_store, rng=random.Random(seed)
        )
        created.append(fixture)
        return fixture

    yield factory
    for fixture in created:
        for call_id in fixture.call_ids:
            call_store.delete_call_items(fixture.tenant_id, call_id)
        erase_account_items(account_store, fixture.tenant_id)


@pytest.fixture
def tenant(make_tenant: Any) -> TenantFixture:
    fixture: TenantFixture = make_tenant()
    return fixture

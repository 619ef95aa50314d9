"""The rules of agents and tenant dial settings: what an agent may look like, which number an
outbound call comes from, and when a calling window lets a call through."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

import pytest
from pydantic import ValidationError

from dialtone.accounts import CallingWindow, Tenant, TenantSettingsUpdate
from dialtone.agents import Agent, AgentConnection, AgentCreate, AgentUpdate, resolve_from_number
from dialtone.errors import InvalidParameter

T0 = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)
STREAM = {"type": "media_stream", "url": "wss://voice.example.com/agents/a"}


def tenant(default_from: str | None = None) -> Tenant:
    return Tenant(tenant_id="t1", name="Acme", created_at=T0, default_from_number=default_from)


def agent(*numbers: str) -> Agent:
    return Agent(
        agent_id="a",
        name="A",
        phone_numbers=list(numbers),
        connection=AgentConnection.model_validate(STREAM),
        created_at=T0,
        updated_at=T0,
    )


def errors_of(model: type[Any], values: dict[str, Any]) -> list[tuple[tuple[Any, ...], str]]:
    with pytest.raises(ValidationError) as raised:
        model.model_validate(values)
    return [(e["loc"], e["msg"]) for e in raised.value.errors()]


# Which number a call comes from


@pytest.mark.parametrize(
    ("requested", "agent_numbers", "default_from", "expected"),
    [
        ("+14155550001", ("+14155550002",), "+14155550003", "+14155550001"),
        (None, ("+14155550002", "+14155550004"), "+14155550003", "+14155550002"),
        (None, (), "+14155550003", "+14155550003"),
        ("", (), "+14155550003", "+14155550003"),
    ],
    ids=["the-request", "the-agents-first", "agent-without-numbers", "empty-request"],
)
def test_the_from_number_is_the_requests_then_the_agents_then_the_tenants(
    requested: str | None, agent_numbers: tuple[str, ...], default_from: str, expected: str
) -> None:
    assert resolve_from_number(tenant(default_from), agent(*agent_numbers), requested) == expected


def test_without_an_agent_the_tenants_default_is_used() -> None:
    assert resolve_from_number(tenant("+14155550003"), None, None) == "+14155550003"


def test_no_from_number_anywhere_is_a_422_on_from_number() -> None:
    with pytest.raises(InvalidParameter) as raised:
        resolve_from_number(tenant(None), agent(), None)

    assert raised.value.location == ("body", "from_number")
    assert raised.value.detail == "no from_number: the request, the agent and the tenant have none"


# What an agent may look like


@pytest.mark.parametrize(
    ("kind", "url"),
    [
        ("twiml_url", "https://voice.example.com/twiml?agent=a"),
        ("media_stream", "wss://voice.example.com:8443/stream"),
        ("sip", "sip:agent@pbx.example.com"),
        ("sip", "sips:+14155550100@trunk.example.com;transport=tls"),
        ("sip", "sip:pbx.example.com"),
    ],
)
def test_a_connection_url_that_fits_its_type_is_accepted(kind: str, url: str) -> None:
    connection = AgentConnection.model_validate({"type": kind, "url": url})
    assert (connection.type.value, connection.url) == (kind, url)


@pytest.mark.parametrize(
    ("kind", "url", "message"),
    [
        ("twiml_url", "http://voice.example.com/twiml", "needs an https:// URL"),
        ("twiml_url", "https://", "needs an https:// URL"),
        ("twiml_url", "wss://voice.example.com", "needs an https:// URL"),
        ("media_stream", "ws://voice.example.com/stream", "needs a wss:// URL"),
        ("media_stream", "https://voice.example.com/stream", "needs a wss:// URL"),
        ("sip", "https://pbx.example.com", "needs a sip: or sips: URI"),
        ("sip", "sip:", "needs a sip: or sips: URI"),
        ("sip", "sip:agent@", "needs a sip: or sips: URI"),
        ("sip", "sip:agent @pbx.example.com", "needs a sip: or sips: URI"),
    ],
)
def test_a_connection_url_that_does_not_fit_its_type_says_what_it_needs(
    kind: str, url: str, message: str
) -> None:
    [(loc, msg)] = errors_of(AgentConnection, {"type": kind, "url": url})
    assert loc == ("url",)
    assert message in msg
    assert not msg.startswith("Value error")


def test_an_unknown_connection_type_is_named_once() -> None:
    [(loc, _)] = errors_of(AgentConnection, {"type": "pstn", "url": "tel:+14155550100"})
    assert loc == ("type",)


def test_a_new_agents_numbers_become_e164_once_each_in_order() -> None:
    created = AgentCreate.model_validate(
        {
            "name": "  Support  ",
            "phone_numbers": ["+44 20 7946 0000", "+1 (415) 555-0100", "+442079460000"],
            "connection": STREAM,
        }
    )
    assert created.phone_numbers == ["+442079460000", "+14155550100"]
    assert created.name == "Support"
    assert created.agent_id is None


@pytest.mark.parametrize(
    "agent_id", ["a", "support-bot", "bot_2", "0b7e2c1a-5d4f-4e3b-9a8c-1f2e3d4c5b6a", "a" * 64]
)
def test_agent_ids_are_lower_case_slugs(agent_id: str) -> None:
    created = AgentCreate.model_validate({"agent_id": agent_id, "name": "A", "connection": STREAM})
    assert created.agent_id == agent_id


@pytest.mark.parametrize("agent_id", ["", "A", "-a", "_a", "a b", "a#b", "a/b", "a" * 65])
def test_other_agent_ids_are_refused(agent_id: str) -> None:
    [(loc, _)] = errors_of(AgentCreate, {"agent_id": agent_id, "name": "A", "connection": STREAM})
    assert loc == ("agent_id",)


def test_an_update_knows_which_fields_were_given() -> None:
    update = AgentUpdate.model_validate({"phone_numbers": ["+14155550100", "+14155550100"]})
    assert update.model_fields_set == {"phone_numbers"}
    assert update.phone_numbers == ["+14155550100"]


@pytest.mark.parametrize("field", ["name", "phone_numbers", "connection"])
def test_an_update_may_leave_a_field_out_but_not_null_it(field: str) -> None:
    [(loc, msg)] = errors_of(AgentUpdate, {field: None})
    assert loc == (field,)
    assert msg == "may be left out, but not null"


def test_an_agent_shows_its_timestamps_in_utc_with_z() -> None:
    shown = agent("+14155550100").model_dump(mode="json")
    assert shown["created_at"] == shown["updated_at"] == "2026-11-01T10:00:00Z"


# Tenant dial settings


@pytest.mark.parametrize(
    ("window", "moment", "allowed"),
    [
        (("08:00", "21:00"), time(8, 0), True),
        (("08:00", "21:00"), time(20, 59, 59), True),
        (("08:00", "21:00"), time(21, 0), False),
        (("08:00", "21:00"), time(7, 59), False),
        (("21:00", "08:00"), time(23, 30), True),
        (("21:00", "08:00"), time(0, 0), True),
        (("21:00", "08:00"), time(7, 59), True),
        (("21:00", "08:00"), time(8, 0), False),
        (("21:00", "08:00"), time(12, 0), False),
    ],
)
def test_a_calling_window_includes_its_start_excludes_its_end_and_may_wrap_midnight(
    window: tuple[str, str], moment: time, allowed: bool
) -> None:
    start, end = window
    assert CallingWindow(start=start, end=end).allows(moment) is allowed


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("08:00-08:00", "start and end must differ"),
        ("8:00-21:00", "must be a 24-hour time HH:MM"),
        ("08:00-24:00", "must be a 24-hour time HH:MM"),
        ("08:60-21:00", "must be a 24-hour time HH:MM"),
        ("0800", "a calling window is START-END"),
    ],
)
def test_a_calling_window_that_is_not_one_says_why(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CallingWindow.parse(text)


def test_a_tenant_dials_through_the_deployments_account_unless_it_names_its_own() -> None:
    # Given a tenant with no dial settings
    plain = tenant()
    assert (plain.dial_rate_per_second, plain.calling_window, plain.default_from_number) == (
        1,
        None,
        None,
    )
    # Then it shares the deployment's account, at that account's rate, whatever its own says
    assert plain.telephony_account == "default"
    assert plain.model_copy(update={"dial_rate_per_second": 9}).dial_rate(2) == 2
    # And a tenant naming its own account dials at its own rate there
    own = plain.model_copy(update={"telephony_account_id": "acct-own", "dial_rate_per_second": 9})
    assert own.telephony_account == "acct-own"
    assert own.dial_rate(2) == 9


def test_a_dial_settings_update_changes_only_what_it_names() -> None:
    update = TenantSettingsUpdate.model_validate(
        {"default_from_number": "+1 415 555 0100", "calling_window": None}
    )
    assert update.changes() == {"calling_window": None, "default_from_number": "+14155550100"}


def test_a_settings_update_sets_or_clears_retention_and_sets_the_opt_out() -> None:
    update = TenantSettingsUpdate(retention_days=3650, opt_out_sensitive_data_storage=False)
    assert update.changes() == {"opt_out_sensitive_data_storage": False, "retention_days": 3650}
    assert TenantSettingsUpdate(retention_days=None).changes() == {"retention_days": None}


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"dial_rate_per_second": 0}, "dial_rate_per_second"),
        ({"dial_rate_per_second": 101}, "dial_rate_per_second"),
        ({"dial_rate_per_second": None}, "dial_rate_per_second"),
        ({"default_from_number": "4155550100"}, "default_from_number"),
        ({"telephony_account_id": ""}, "telephony_account_id"),
        ({"calling_window": {"start": "09:00", "end": "09:00"}}, "calling_window"),
        ({"retention_days": 0}, "retention_days"),
        ({"retention_days": 3651}, "retention_days"),
        ({"opt_out_sensitive_data_storage": None}, "opt_out_sensitive_data_storage"),
        ({"retention": 30}, "retention"),
    ],
)
def test_a_dial_settings_update_refuses_bad_values(values: dict[str, Any], field: str) -> None:
    assert [loc[0] for loc, _ in errors_of(TenantSettingsUpdate, values)] == [field]

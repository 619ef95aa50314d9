"""The fuzzer's generators for the contract's `e164`, `date-time` and `uri` formats draw only
values the API accepts: otherwise no call or subscription would be created and the links from
it never followed."""

from __future__ import annotations

from datetime import datetime

import phonenumbers
from hypothesis import given, settings

from dialtone import phones
from dialtone.ingest import CallUpdate
from dialtone.webhooks.service import WebhookCreate
from dialtone.webhooks.urls import check_url
from tools import fuzz_hooks


@settings(max_examples=300, deadline=None)
@given(fuzz_hooks.E164)
def test_every_generated_phone_number_is_accepted(number: str) -> None:
    e164 = phones.to_e164(number)
    assert e164.startswith("+")
    assert e164[1:].isdigit()


@settings(max_examples=300, deadline=None)
@given(fuzz_hooks.DATE_TIME)
def test_every_generated_instant_is_one_the_api_stores(text: str) -> None:
    moment = datetime.fromisoformat(text)
    assert moment.tzinfo is not None
    # The ingestion API's own validation (1970 to 2099, any offset)
    update = CallUpdate.model_validate({"start_time": text})
    assert update.start_time == moment


def test_numbers_come_from_every_region_and_both_ways_of_writing() -> None:
    assert len(fuzz_hooks.EXAMPLES) > 400
    regions = {
        phonenumbers.region_code_for_number(phonenumbers.parse(n)) for n in fuzz_hooks.EXAMPLES
    }
    assert len(regions) > 200
    number = phonenumbers.parse("+442079460958")
    assert fuzz_hooks.written(number, international=False) == "+442079460958"
    assert fuzz_hooks.written(number, international=True) == "+44 20 7946 0958"
    assert phones.to_e164(fuzz_hooks.written(number, international=True)) == "+442079460958"


def _no_dns(host: str, port: int, **_: object) -> list[object]:
    raise AssertionError(f"{host} was looked up: the fuzzer's machine may have no DNS")


@settings(max_examples=300, deadline=None)
@given(fuzz_hooks.URI)
def test_every_generated_webhook_url_is_accepted_without_a_name_lookup(url: str) -> None:
    # The production check (public addresses only, https), with no resolver to call
    addresses = check_url(url, resolver=_no_dns)
    assert addresses
    assert all(address.is_global for address in addresses)
    request = WebhookCreate.model_validate({"url": url, "events": ["call.completed"]})
    assert request.url == url

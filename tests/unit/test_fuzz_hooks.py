"""The fuzzer's generators for the contract's `e164` and `date-time` formats draw only values
the API accepts: otherwise no call would be created and the links from it never followed."""

from __future__ import annotations

from datetime import datetime

import phonenumbers
from hypothesis import given, settings

from dialtone import phones
from dialtone.ingest import CallUpdate
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

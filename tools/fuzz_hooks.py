"""What schemathesis generates for the contract's formats that JSON Schema cannot spell out
(`SCHEMATHESIS_HOOKS=tools.fuzz_hooks`, set by `tools.fuzz`).

- `e164`: phone numbers the API accepts (valid for their country, per `phonenumbers`), in
  E.164 and sometimes written with spaces and dashes, so that the operations that create
  calls, agents and suppressions get past validation and their links can be followed.
- `date-time`: instants the API stores, from 1970 to 2099 with any UTC offset (schemathesis
  would draw years 0001 to 9999, which the API refuses, so no call would ever be created).
- `uri` (a webhook's URL): https URLs whose host is a public IP address, written out, with a
  path, a query, a port sometimes. A host name would have to resolve to public addresses, and
  the fuzzer's machine may have no DNS: no subscription would be created, and the operations on
  one (read, change, rotate its secret, test, its deliveries) never reached. Deliveries to
  these addresses fail (nothing listens, or no route), as a receiver that is down would.

Values outside these (other strings, other types) are still sent by the negative phase.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import phonenumbers
import schemathesis
from hypothesis import strategies as st

_TYPES = (
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
)


def _examples() -> list[str]:
    """phonenumbers' example numbers of every region it knows, mobile and fixed line, in
    E.164."""
    numbers = set()
    for region in phonenumbers.SUPPORTED_REGIONS:
        for kind in _TYPES:
            number = phonenumbers.example_number_for_type(region, kind)
            if number is not None:
                numbers.add(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    return sorted(numbers)


def _with_last_digits(e164: str, digits: int) -> phonenumbers.PhoneNumber:
    """The number with its last three digits replaced by `digits` (0 to 999)."""
    return phonenumbers.parse(f"{e164[:-3]}{digits:03d}" if len(e164) > 7 else e164)


def written(number: phonenumbers.PhoneNumber, international: bool) -> str:
    """The number in E.164, or as people write it (`+44 7400 123456`)."""
    style = phonenumbers.PhoneNumberFormat
    return phonenumbers.format_number(number, style.INTERNATIONAL if international else style.E164)


EXAMPLES = _examples()
E164 = (
    st.builds(_with_last_digits, st.sampled_from(EXAMPLES), st.integers(0, 999))
    .filter(phonenumbers.is_valid_number)
    .flatmap(lambda number: st.builds(written, st.just(number), st.booleans()))
)

_OFFSETS = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
DATE_TIME = st.builds(
    lambda moment, zone: moment.replace(tzinfo=UTC).astimezone(zone).isoformat(),
    st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2099, 12, 30)),
    _OFFSETS,
)

# Public addresses of well-known anycast resolvers: no DNS needed, and no private network.
PUBLIC_HOSTS = ("1.1.1.1", "8.8.8.8", "9.9.9.9", "208.67.222.222", "[2606:4700:4700::1111]")
_SEGMENT = st.text("abcdefghijklmnopqrstuvwxyz0123456789-_~", min_size=1, max_size=12)
URI = st.builds(
    lambda host, port, path, query: f"https://{host}{port}/{'/'.join(path)}{query}",
    st.sampled_from(PUBLIC_HOSTS),
    st.sampled_from(["", ":443", ":8443"]),
    st.lists(_SEGMENT, max_size=4),
    st.sampled_from(["", "?source=dialtone", "?a=1&b=two"]),
)

schemathesis.openapi.format("e164", E164)
schemathesis.openapi.format("uri", URI)
schemathesis.openapi.format("date-time", DATE_TIME)

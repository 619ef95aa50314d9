"""`GET /v1/calls` parameters: validation, and their interpretation as list filters."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from dialtone.call_filters import build_filters
from dialtone.calls import ListCallsParams, resolve_paging
from dialtone.errors import InvalidParameter
from dialtone.model_types import CallStatus, Direction, SortOrder

# ListCallsParams validation


def test_defaults() -> None:
    # Given / When: no parameters
    params = ListCallsParams()

    # Then: the first page of 20, newest first
    assert (params.limit, params.offset, params.order) == (20, 0, SortOrder.DESC)


@pytest.mark.parametrize("limit", [0, 101, -1])
def test_limit_outside_1_to_100_is_rejected(limit: int) -> None:
    # Given: a limit outside 1-100
    # When / Then: validation fails on `limit`
    with pytest.raises(ValidationError) as raised:
        ListCallsParams.model_validate({"limit": limit})
    assert [e["loc"] for e in raised.value.errors()] == [("limit",)]


@pytest.mark.parametrize("limit", [1, 100])
def test_limit_bounds_are_accepted(limit: int) -> None:
    # Given / When: a limit at either bound, as a query string gives it
    params = ListCallsParams.model_validate({"limit": str(limit)})

    # Then: it is taken
    assert params.limit == limit


def test_unknown_parameters_are_ignored() -> None:
    # Given / When: a parameter the API does not know
    params = ListCallsParams.model_validate({"colour": "blue", "status": "completed"})

    # Then: it is ignored and the known ones are read
    assert params.status is CallStatus.COMPLETED
    assert not hasattr(params, "colour")


@pytest.mark.parametrize(
    ("name", "value"),
    [("status", "done"), ("direction", "sideways"), ("order", "up"), ("offset", "-1")],
)
def test_bad_values_are_rejected(name: str, value: str) -> None:
    # Given: a value outside what a parameter allows
    # When / Then: validation fails on that parameter
    with pytest.raises(ValidationError) as raised:
        ListCallsParams.model_validate({name: value})
    assert raised.value.errors()[0]["loc"] == (name,)


def test_date_only_value_is_a_calendar_date() -> None:
    # Given / When: a bare YYYY-MM-DD
    params = ListCallsParams.model_validate({"start_date": "2026-11-01"})

    # Then: it is kept as a date, not as midnight
    assert type(params.start_date) is date
    assert params.start_date == date(2026, 11, 1)


def test_date_time_value_is_a_datetime() -> None:
    # Given / When: a full timestamp, even one at midnight
    params = ListCallsParams.model_validate({"start_date": "2026-11-01T00:00:00Z"})

    # Then: it is an aware datetime in UTC
    assert isinstance(params.start_date, datetime)
    assert params.start_date == datetime(2026, 11, 1, tzinfo=UTC)


def test_invalid_date_is_rejected() -> None:
    # Given / When / Then: a date that does not exist fails validation on that parameter
    with pytest.raises(ValidationError) as raised:
        ListCallsParams.model_validate({"end_date": "2026-02-30"})
    assert raised.value.errors()[0]["loc"][0] == "end_date"


# build_filters


def test_date_only_range_covers_whole_days() -> None:
    # Given: start and end as the same calendar day
    params = ListCallsParams.model_validate({"start_date": "2026-11-01", "end_date": "2026-11-01"})

    # When: filters are built
    filters = build_filters(params)

    # Then: the range runs from the first to the last instant of that day in UTC
    assert filters.start == datetime(2026, 11, 1, tzinfo=UTC)
    assert filters.end is not None
    assert filters.end >= datetime(2026, 11, 1, 23, 59, 59, 999000, tzinfo=UTC)
    assert filters.end < datetime(2026, 11, 2, tzinfo=UTC)


def test_date_time_bounds_are_kept_as_given() -> None:
    # Given: exact instants, one with an offset and one without a zone
    params = ListCallsParams.model_validate(
        {"start_date": "2026-11-01T10:00:00+02:00", "end_date": "2026-11-01T12:30:00"}
    )

    # When: filters are built
    filters = build_filters(params)

    # Then: the offset is honoured and a zone-less time is read as UTC
    assert filters.start == datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
    assert filters.start.utcoffset() == timedelta(hours=2)
    assert filters.end == datetime(2026, 11, 1, 12, 30, tzinfo=UTC)
    assert filters.end.tzinfo is not None


def test_start_after_end_is_invalid() -> None:
    # Given: a range that ends before it starts
    params = ListCallsParams.model_validate({"start_date": "2026-11-02", "end_date": "2026-11-01"})

    # When / Then: it is refused, naming end_date
    with pytest.raises(InvalidParameter) as raised:
        build_filters(params)
    assert raised.value.location == ("query", "end_date")


def test_start_after_end_is_invalid_across_time_zones() -> None:
    # Given: 10:00 at UTC+5 is 05:00 UTC, after an end of 04:00 UTC
    params = ListCallsParams(
        start_date=datetime(2026, 11, 1, 10, tzinfo=timezone(timedelta(hours=5))),
        end_date=datetime(2026, 11, 1, 4, tzinfo=UTC),
    )

    # When / Then: it is refused
    with pytest.raises(InvalidParameter):
        build_filters(params)


@pytest.mark.parametrize("name", ["from_number", "to_number", "phone_number"])
def test_bad_phone_filter_is_invalid_parameter_at_its_location(name: str) -> None:
    # Given: a phone filter that is not an international number
    params = ListCallsParams.model_validate({name: "415-555"})

    # When / Then: it is refused at ("query", name) with a reason naming it
    with pytest.raises(InvalidParameter) as raised:
        build_filters(params)
    assert raised.value.location == ("query", name)
    assert raised.value.detail.startswith(f"{name} ")


def test_phone_filters_are_normalised_to_e164() -> None:
    # Given: phone filters written the way people write them
    params = ListCallsParams.model_validate(
        {"from_number": "+1 (415) 555-2671", "to_number": "+44 20 7946 0958"}
    )

    # When: filters are built
    filters = build_filters(params)

    # Then: both are E.164
    assert filters.from_number == "+14155552671"
    assert filters.to_number == "+442079460958"


def test_other_filters_pass_through() -> None:
    # Given: plain equality filters
    params = ListCallsParams.model_validate(
        {"direction": "outbound", "status": "completed", "agent_id": "a1", "is_test_call": "false"}
    )

    # When: filters are built
    filters = build_filters(params)

    # Then: they are carried as given
    assert filters.direction is Direction.OUTBOUND
    assert filters.status is CallStatus.COMPLETED
    assert filters.agent_id == "a1"
    assert filters.is_test_call is False


@pytest.mark.parametrize("search", ["+14155552671", "+1 (415) 555-2671", " +1 415 555 2671 "])
def test_search_for_a_phone_number_filters_on_either_side(search: str) -> None:
    # Given: a search that is a phone number
    params = ListCallsParams.model_validate({"search": search})

    # When: filters are built
    filters = build_filters(params)

    # Then: it becomes the phone_number filter, not a call id fragment
    assert filters.phone_number == "+14155552671"
    assert filters.call_id_prefix is None


@pytest.mark.parametrize(
    ("search", "prefix"),
    [
        ("3f2a9c", "3f2a9c"),
        ("3F2A9C", "3f2a9c"),
        ("3f2a9c1e-0b7d", "3f2a9c1e-0b7d"),
        ("1234", "1234"),
    ],
)
def test_search_for_a_call_id_fragment_is_a_prefix(search: str, prefix: str) -> None:
    # Given: a search that is part of a call id
    params = ListCallsParams.model_validate({"search": search})

    # When: filters are built
    filters = build_filters(params)

    # Then: it becomes a lower-case call id prefix, and no phone filter
    assert filters.call_id_prefix == prefix
    assert filters.phone_number is None


@pytest.mark.parametrize("search", ["ab", "abc", "hello world", "zzzz", "+1 555"])
def test_search_that_is_neither_is_invalid(search: str) -> None:
    # Given: a search too short for a call id, not hex, or an invalid number
    params = ListCallsParams.model_validate({"search": search})

    # When / Then: it is refused at ("query", "search")
    with pytest.raises(InvalidParameter) as raised:
        build_filters(params)
    assert raised.value.location == ("query", "search")


def test_blank_search_is_no_filter() -> None:
    # Given / When: a search of only spaces
    filters = build_filters(ListCallsParams.model_validate({"search": "   "}))

    # Then: nothing is filtered
    assert filters.phone_number is None
    assert filters.call_id_prefix is None


def test_search_agreeing_with_phone_number_is_accepted() -> None:
    # Given: search and phone_number naming the same number, written differently
    params = ListCallsParams.model_validate(
        {"search": "+1 415 555 2671", "phone_number": "+14155552671"}
    )

    # When: filters are built
    filters = build_filters(params)

    # Then: the one number is the filter
    assert filters.phone_number == "+14155552671"


def test_search_disagreeing_with_phone_number_is_invalid() -> None:
    # Given: search and phone_number naming different numbers
    params = ListCallsParams.model_validate(
        {"search": "+442079460958", "phone_number": "+14155552671"}
    )

    # When / Then: no call can match both, and the request says so
    with pytest.raises(InvalidParameter) as raised:
        build_filters(params)
    assert raised.value.location == ("query", "search")


# Paging by page and page_size, with limit and offset as generated clients send them


def paged(query: dict[str, str]) -> tuple[int | None, int | None, int, int]:
    """(page, page_size, limit, offset) that a query string's paging resolves to."""
    params = resolve_paging(ListCallsParams.model_validate(query))
    return params.page, params.page_size, params.limit, params.offset


@pytest.mark.parametrize(
    ("query", "resolved"),
    [
        # the defaults a generated client sends on every request are taken as not sent
        ({"page": "3", "page_size": "50", "limit": "20", "offset": "0"}, (3, 50, 50, 100)),
        ({"page": "2", "limit": "20", "offset": "0"}, (2, 20, 20, 20)),
        ({"page_size": "5", "limit": "20", "offset": "0"}, (1, 5, 5, 0)),
        # values that say what the page says add nothing
        ({"page": "3", "page_size": "10", "limit": "10"}, (3, 10, 10, 20)),
        ({"page": "3", "page_size": "10", "offset": "20"}, (3, 10, 10, 20)),
        ({"page": "3", "page_size": "10", "limit": "10", "offset": "20"}, (3, 10, 10, 20)),
        # without page or page_size, limit and offset page as they always did
        ({"limit": "7", "offset": "14"}, (None, None, 7, 14)),
    ],
    ids=[
        "defaults with page and page_size",
        "defaults with page",
        "defaults with page_size",
        "limit equal to page_size",
        "offset at the page's start",
        "both agreeing",
        "limit and offset alone",
    ],
)
def test_limit_and_offset_that_agree_with_the_page_are_accepted(
    query: dict[str, str], resolved: tuple[int | None, int | None, int, int]
) -> None:
    # Given / When: page paging with limit and offset that do not contradict it
    # Then: the page is served as page and page_size say
    assert paged(query) == resolved


@pytest.mark.parametrize(
    ("query", "named", "agreeing"),
    [
        ({"page": "2", "limit": "10"}, "limit", "only 20, its default, or page_size 20"),
        ({"page": "2", "page_size": "50", "limit": "40"}, "limit", "page_size 50"),
        ({"page_size": "10", "limit": "5", "offset": "0"}, "limit", "page_size 10"),
        ({"page": "2", "page_size": "10", "offset": "5"}, "offset", "page's start 10"),
        ({"page": "1", "page_size": "10", "offset": "10"}, "offset", "page's start 0"),
        ({"page": "1", "cursor": "abc", "limit": "20", "offset": "0"}, "cursor", "cursor"),
    ],
    ids=[
        "limit against page's default size",
        "limit against page_size",
        "limit with page_size alone",
        "offset inside another page",
        "offset past the first page",
        "cursor",
    ],
)
def test_limit_offset_or_cursor_contradicting_the_page_is_refused(
    query: dict[str, str], named: str, agreeing: str
) -> None:
    # Given: page paging with a limit, offset or cursor that says otherwise
    params = ListCallsParams.model_validate(query)

    # When / Then: refused, naming the parameter and which values would do
    with pytest.raises(InvalidParameter) as raised:
        resolve_paging(params)
    assert raised.value.location == ("query", named)
    assert "not both" in str(raised.value)
    assert agreeing in str(raised.value)

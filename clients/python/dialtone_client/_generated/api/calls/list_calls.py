from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.call_list import CallList
from ...models.call_outcome import CallOutcome
from ...models.call_status import CallStatus
from ...models.direction import Direction
from ...models.error_body import ErrorBody
from ...models.gateway_error_body import GatewayErrorBody
from ...models.sort_order import SortOrder
from ...models.validation_error_body import ValidationErrorBody
from ...types import UNSET, Unset
from typing import cast
import datetime



def _get_kwargs(
    *,
    start_date: datetime.date | datetime.datetime | None | Unset = UNSET,
    end_date: datetime.date | datetime.datetime | None | Unset = UNSET,
    direction: Direction | None | Unset = UNSET,
    status: CallStatus | None | Unset = UNSET,
    outcome: CallOutcome | None | Unset = UNSET,
    agent_id: None | str | Unset = UNSET,
    batch_id: None | str | Unset = UNSET,
    from_number: None | str | Unset = UNSET,
    to_number: None | str | Unset = UNSET,
    phone_number: None | str | Unset = UNSET,
    search: None | str | Unset = UNSET,
    is_test_call: bool | None | Unset = UNSET,
    limit: int | Unset = 20,
    offset: int | Unset = 0,
    page: int | None | Unset = UNSET,
    page_size: int | None | Unset = UNSET,
    cursor: None | str | Unset = UNSET,
    order: SortOrder | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    json_start_date: None | str | Unset
    if isinstance(start_date, Unset):
        json_start_date = UNSET
    elif isinstance(start_date, datetime.datetime):
        json_start_date = start_date.isoformat()
    elif isinstance(start_date, datetime.date):
        json_start_date = start_date.isoformat()
    else:
        json_start_date = start_date
    params["start_date"] = json_start_date

    json_end_date: None | str | Unset
    if isinstance(end_date, Unset):
        json_end_date = UNSET
    elif isinstance(end_date, datetime.datetime):
        json_end_date = end_date.isoformat()
    elif isinstance(end_date, datetime.date):
        json_end_date = end_date.isoformat()
    else:
        json_end_date = end_date
    params["end_date"] = json_end_date

    json_direction: None | str | Unset
    if isinstance(direction, Unset):
        json_direction = UNSET
    elif isinstance(direction, Direction):
        json_direction = direction.value
    else:
        json_direction = direction
    params["direction"] = json_direction

    json_status: None | str | Unset
    if isinstance(status, Unset):
        json_status = UNSET
    elif isinstance(status, CallStatus):
        json_status = status.value
    else:
        json_status = status
    params["status"] = json_status

    json_outcome: None | str | Unset
    if isinstance(outcome, Unset):
        json_outcome = UNSET
    elif isinstance(outcome, CallOutcome):
        json_outcome = outcome.value
    else:
        json_outcome = outcome
    params["outcome"] = json_outcome

    json_agent_id: None | str | Unset
    if isinstance(agent_id, Unset):
        json_agent_id = UNSET
    else:
        json_agent_id = agent_id
    params["agent_id"] = json_agent_id

    json_batch_id: None | str | Unset
    if isinstance(batch_id, Unset):
        json_batch_id = UNSET
    else:
        json_batch_id = batch_id
    params["batch_id"] = json_batch_id

    json_from_number: None | str | Unset
    if isinstance(from_number, Unset):
        json_from_number = UNSET
    else:
        json_from_number = from_number
    params["from_number"] = json_from_number

    json_to_number: None | str | Unset
    if isinstance(to_number, Unset):
        json_to_number = UNSET
    else:
        json_to_number = to_number
    params["to_number"] = json_to_number

    json_phone_number: None | str | Unset
    if isinstance(phone_number, Unset):
        json_phone_number = UNSET
    else:
        json_phone_number = phone_number
    params["phone_number"] = json_phone_number

    json_search: None | str | Unset
    if isinstance(search, Unset):
        json_search = UNSET
    else:
        json_search = search
    params["search"] = json_search

    json_is_test_call: bool | None | Unset
    if isinstance(is_test_call, Unset):
        json_is_test_call = UNSET
    else:
        json_is_test_call = is_test_call
    params["is_test_call"] = json_is_test_call

    params["limit"] = limit

    params["offset"] = offset

    json_page: int | None | Unset
    if isinstance(page, Unset):
        json_page = UNSET
    else:
        json_page = page
    params["page"] = json_page

    json_page_size: int | None | Unset
    if isinstance(page_size, Unset):
        json_page_size = UNSET
    else:
        json_page_size = page_size
    params["page_size"] = json_page_size

    json_cursor: None | str | Unset
    if isinstance(cursor, Unset):
        json_cursor = UNSET
    else:
        json_cursor = cursor
    params["cursor"] = json_cursor

    json_order: str | Unset = UNSET
    if not isinstance(order, Unset):
        json_order = order.value

    params["order"] = json_order


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/calls",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Any | CallList | ErrorBody | ErrorBody | GatewayErrorBody | ValidationErrorBody | None:
    if response.status_code == 200:
        response_200 = CallList.from_dict(response.json())



        return response_200

    if response.status_code == 400:
        response_400 = ErrorBody.from_dict(response.json())



        return response_400

    if response.status_code == 401:
        response_401 = ErrorBody.from_dict(response.json())



        return response_401

    if response.status_code == 403:
        def _parse_response_403(data: object) -> ErrorBody | GatewayErrorBody:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                response_403_type_0 = ErrorBody.from_dict(data)



                return response_403_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            response_403_type_1 = GatewayErrorBody.from_dict(data)



            return response_403_type_1

        response_403 = _parse_response_403(response.json())

        return response_403

    if response.status_code == 414:
        response_414 = cast(Any, None)
        return response_414

    if response.status_code == 422:
        response_422 = ValidationErrorBody.from_dict(response.json())



        return response_422

    if response.status_code == 503:
        response_503 = ErrorBody.from_dict(response.json())



        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Any | CallList | ErrorBody | ErrorBody | GatewayErrorBody | ValidationErrorBody]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    start_date: datetime.date | datetime.datetime | None | Unset = UNSET,
    end_date: datetime.date | datetime.datetime | None | Unset = UNSET,
    direction: Direction | None | Unset = UNSET,
    status: CallStatus | None | Unset = UNSET,
    outcome: CallOutcome | None | Unset = UNSET,
    agent_id: None | str | Unset = UNSET,
    batch_id: None | str | Unset = UNSET,
    from_number: None | str | Unset = UNSET,
    to_number: None | str | Unset = UNSET,
    phone_number: None | str | Unset = UNSET,
    search: None | str | Unset = UNSET,
    is_test_call: bool | None | Unset = UNSET,
    limit: int | Unset = 20,
    offset: int | Unset = 0,
    page: int | None | Unset = UNSET,
    page_size: int | None | Unset = UNSET,
    cursor: None | str | Unset = UNSET,
    order: SortOrder | Unset = UNSET,

) -> Response[Any | CallList | ErrorBody | ErrorBody | GatewayErrorBody | ValidationErrorBody]:
    """ List calls

    Args:
        start_date (datetime.date | datetime.datetime | None | Unset):
        end_date (datetime.date | datetime.datetime | None | Unset):
        direction (Direction | None | Unset):
        status (CallStatus | None | Unset):
        outcome (CallOutcome | None | Unset):
        agent_id (None | str | Unset):
        batch_id (None | str | Unset):
        from_number (None | str | Unset):
        to_number (None | str | Unset):
        phone_number (None | str | Unset):
        search (None | str | Unset):
        is_test_call (bool | None | Unset):
        limit (int | Unset): Calls per page. With `page`/`page_size` it may be sent only as its
            default (20), which is then ignored, or equal to `page_size`; any other value is a
            conflict (422). Default: 20.
        offset (int | Unset): Calls to skip, at most 1000: deeper pages come from `next_cursor`,
            whose cost does not grow with the depth. With `page`/`page_size` it may be sent only as 0,
            which is then ignored, or equal to the page's start ((`page` - 1) * `page_size`); any
            other value is a conflict (422). Default: 0.
        page (int | None | Unset): Page number of `page_size` calls; the page must start within
            the first 1000 calls (deeper: `next_cursor`). Not with `cursor`; `limit` and `offset` only
            at their defaults or equal to what the page means.
        page_size (int | None | Unset): Calls per page with `page` (default 20).
        cursor (None | str | Unset):
        order (SortOrder | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | CallList | ErrorBody | ErrorBody | GatewayErrorBody | ValidationErrorBody]
     """


    kwargs = _get_kwargs(
        start_date=start_date,
end_date=end_date,
direction=direction,
status=status,
outcome=outcome,
agent_id=agent_id,
batch_id=batch_id,
from_number=from_number,
to_number=to_number,
phone_number=phone_number,
search=search,
is_test_call=is_test_call,
limit=limit,
offset=offset,
page=page,
page_size=page_size,
cursor=cursor,
order=order,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient,
    start_date: datetime.date | datetime.datetime | None | Unset = UNSET,
    end_date: datetime.date | datetime.datetime | None | Unset = UNSET,
    direction: Direction | None | Unset = UNSET,
    status: CallStatus | None | Unset = UNSET,
    outcome: CallOutcome | None | Unset = UNSET,
    agent_id: None | str | Unset = UNSET,
    batch_id: None | str | Unset = UNSET,
    from_number: None | str | Unset = UNSET,
    to_number: None | str | Unset = UNSET,
    phone_number: None | str | Unset = UNSET,
    search: None | str | Unset = UNSET,
    is_test_call: bool | None | Unset = UNSET,
    limit: int | Unset = 20,
    offset: int | Unset = 0,
    page: int | None | Unset = UNSET,
    page_size: int | None | Unset = UNSET,
    cursor: None | str | Unset = UNSET,
    order: SortOrder | Unset = UNSET,

) -> Any | CallList | ErrorBody | ErrorBody | GatewayErrorBody | ValidationErrorBody | None:
    """ List calls

    Args:
        start_date (datetime.date | datetime.datetime | None | Unset):
        end_date (datetime.date | datetime.datetime | None | Unset):
        direction (Direction | None | Unset):
        status (CallStatus | None | Unset):
        outcome (CallOutcome | None | Unset):
        agent_id (None | str | Unset):
        batch_id (None | str | Unset):
        from_number (None | str | Unset):
        to_number (None | str | Unset):
        phone_number (None | str | Unset):
        search (None | str | Unset):
        is_test_call (bool | None | Unset):
        limit (int | Unset): Calls per page. With `page`/`page_size` it may be sent only as its
            default (20), which is then ignored, or equal to `page_size`; any other value is a
            conflict (422). Default: 20.
        offset (int | Unset): Calls to skip, at most 1000: deeper pages come from `next_cursor`,
            whose cost does not grow with the depth. With `page`/`page_size` it may be sent only as 0,
            which is then ignored, or equal to the page's start ((`page` - 1) * `page_size`); any
            other value is a conflict (422). Default: 0.
        page (int | None | Unset): Page number of `page_size` calls; the page must start within
            the first 1000 calls (deeper: `next_cursor`). Not with `cursor`; `limit` and `offset` only
            at their defaults or equal to what the page means.
        page_size (int | None | Unset): Calls per page with `page` (default 20).
        cursor (None | str | Unset):
        order (SortOrder | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | CallList | ErrorBody | ErrorBody | GatewayErrorBody | ValidationErrorBody
     """


    return sync_detailed(
        client=client,
start_date=start_date,
end_date=end_date,
direction=direction,
status=status,
outcome=outcome,
agent_id=agent_id,
batch_id=batch_id,
from_number=from_number,
to_number=to_number,
phone_number=phone_number,
search=search,
is_test_call=is_test_call,
limit=limit,
offset=offset,
page=page,
page_size=page_size,
cursor=cursor,
order=order,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    start_date: datetime.date | datetime.datetime | None | Unset = UNSET,
    end_date: datetime.date | datetime.datetime | None | Unset = UNSET,
    direction: Direction | None | Unset = UNSET,
    status: CallStatus | None | Unset = UNSET,
    outcome: CallOutcome | None | Unset = UNSET,
    agent_id: None | str | Unset = UNSET,
    batch_id: None | str | Unset = UNSET,
    from_number: None | str | Unset = UNSET,
    to_number: None | str | Unset = UNSET,
    phone_number: None | str | Unset = UNSET,
    search: None | str | Unset = UNSET,
    is_test_call: bool | None | Unset = UNSET,
    limit: int | Unset = 20,
    offset: int | Unset = 0,
    page: int | None | Unset = UNSET,
    page_size: int | None | Unset = UNSET,
    cursor: None | str | Unset = UNSET,
    order: SortOrder | Unset = UNSET,

) -> Response[Any | CallList | ErrorBody | ErrorBody | GatewayErrorBody | ValidationErrorBody]:
    """ List calls

    Args:
        start_date (datetime.date | datetime.datetime | None | Unset):
        end_date (datetime.date | datetime.datetime | None | Unset):
        direction (Direction | None | Unset):
        status (CallStatus | None | Unset):
        outcome (CallOutcome | None | Unset):
        agent_id (None | str | Unset):
        batch_id (None | str | Unset):
        from_number (None | str | Unset):
        to_number (None | str | Unset):
        phone_number (None | str | Unset):
        search (None | str | Unset):
        is_test_call (bool | None | Unset):
        limit (int | Unset): Calls per page. With `page`/`page_size` it may be sent only as its
            default (20), which is then ignored, or equal to `page_size`; any other value is a
            conflict (422). Default: 20.
        offset (int | Unset): Calls to skip, at most 1000: deeper pages come from `next_cursor`,
            whose cost does not grow with the depth. With `page`/`page_size` it may be sent only as 0,
            which is then ignored, or equal to the page's start ((`page` - 1) * `page_size`); any
            other value is a conflict (422). Default: 0.
        page (int | None | Unset): Page number of `page_size` calls; the page must start within
            the first 1000 calls (deeper: `next_cursor`). Not with `cursor`; `limit` and `offset` only
            at their defaults or equal to what the page means.
        page_size (int | None | Unset): Calls per page with `page` (default 20).
        cursor (None | str | Unset):
        order (SortOrder | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | CallList | ErrorBody | ErrorBody | GatewayErrorBody | ValidationErrorBody]
     """


    kwargs = _get_kwargs(
        start_date=start_date,
end_date=end_date,
direction=direction,
status=status,
outcome=outcome,
agent_id=agent_id,
batch_id=batch_id,
from_number=from_number,
to_number=to_number,
phone_number=phone_number,
search=search,
is_test_call=is_test_call,
limit=limit,
offset=offset,
page=page,
page_size=page_size,
cursor=cursor,
order=order,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient,
    start_date: datetime.date | datetime.datetime | None | Unset = UNSET,
    end_date: datetime.date | datetime.datetime | None | Unset = UNSET,
    direction: Direction | None | Unset = UNSET,
    status: CallStatus | None | Unset = UNSET,
    outcome: CallOutcome | None | Unset = UNSET,
    agent_id: None | str | Unset = UNSET,
    batch_id: None | str | Unset = UNSET,
    from_number: None | str | Unset = UNSET,
    to_number: None | str | Unset = UNSET,
    phone_number: None | str | Unset = UNSET,
    search: None | str | Unset = UNSET,
    is_test_call: bool | None | Unset = UNSET,
    limit: int | Unset = 20,
    offset: int | Unset = 0,
    page: int | None | Unset = UNSET,
    page_size: int | None | Unset = UNSET,
    cursor: None | str | Unset = UNSET,
    order: SortOrder | Unset = UNSET,

) -> Any | CallList | ErrorBody | ErrorBody | GatewayErrorBody | ValidationErrorBody | None:
    """ List calls

    Args:
        start_date (datetime.date | datetime.datetime | None | Unset):
        end_date (datetime.date | datetime.datetime | None | Unset):
        direction (Direction | None | Unset):
        status (CallStatus | None | Unset):
        outcome (CallOutcome | None | Unset):
        agent_id (None | str | Unset):
        batch_id (None | str | Unset):
        from_number (None | str | Unset):
        to_number (None | str | Unset):
        phone_number (None | str | Unset):
        search (None | str | Unset):
        is_test_call (bool | None | Unset):
        limit (int | Unset): Calls per page. With `page`/`page_size` it may be sent only as its
            default (20), which is then ignored, or equal to `page_size`; any other value is a
            conflict (422). Default: 20.
        offset (int | Unset): Calls to skip, at most 1000: deeper pages come from `next_cursor`,
            whose cost does not grow with the depth. With `page`/`page_size` it may be sent only as 0,
            which is then ignored, or equal to the page's start ((`page` - 1) * `page_size`); any
            other value is a conflict (422). Default: 0.
        page (int | None | Unset): Page number of `page_size` calls; the page must start within
            the first 1000 calls (deeper: `next_cursor`). Not with `cursor`; `limit` and `offset` only
            at their defaults or equal to what the page means.
        page_size (int | None | Unset): Calls per page with `page` (default 20).
        cursor (None | str | Unset):
        order (SortOrder | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | CallList | ErrorBody | ErrorBody | GatewayErrorBody | ValidationErrorBody
     """


    return (await asyncio_detailed(
        client=client,
start_date=start_date,
end_date=end_date,
direction=direction,
status=status,
outcome=outcome,
agent_id=agent_id,
batch_id=batch_id,
from_number=from_number,
to_number=to_number,
phone_number=phone_number,
search=search,
is_test_call=is_test_call,
limit=limit,
offset=offset,
page=page,
page_size=page_size,
cursor=cursor,
order=order,

    )).parsed

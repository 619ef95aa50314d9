from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.call_changes import CallChanges
from ...models.error_body import ErrorBody
from ...models.gateway_error_body import GatewayErrorBody
from ...models.validation_error_body import ValidationErrorBody
from ...types import UNSET, Unset
from typing import cast
import datetime



def _get_kwargs(
    *,
    cursor: None | str | Unset = UNSET,
    since: datetime.datetime | None | Unset = UNSET,
    limit: int | Unset = 100,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    json_cursor: None | str | Unset
    if isinstance(cursor, Unset):
        json_cursor = UNSET
    else:
        json_cursor = cursor
    params["cursor"] = json_cursor

    json_since: None | str | Unset
    if isinstance(since, Unset):
        json_since = UNSET
    elif isinstance(since, datetime.datetime):
        json_since = since.isoformat()
    else:
        json_since = since
    params["since"] = json_since

    params["limit"] = limit


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/calls/changes",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Any | CallChanges | ErrorBody | ErrorBody | GatewayErrorBody | ValidationErrorBody | None:
    if response.status_code == 200:
        response_200 = CallChanges.from_dict(response.json())



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

    if response.status_code == 410:
        response_410 = ErrorBody.from_dict(response.json())



        return response_410

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Any | CallChanges | ErrorBody | ErrorBody | GatewayErrorBody | ValidationErrorBody]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    cursor: None | str | Unset = UNSET,
    since: datetime.datetime | None | Unset = UNSET,
    limit: int | Unset = 100,

) -> Response[Any | CallChanges | ErrorBody | ErrorBody | GatewayErrorBody | ValidationErrorBody]:
    """ List call changes

     Every call of the tenant at its latest change (created, updated, or deleted: a tombstone), in change
    order. Start without cursor to replay the whole feed, or with `since`; then pass each page's
    `next_cursor` (always present, also on an empty page) to read on. A change is readable about 5
    seconds after it happened. A cursor older than the feed keeps deletions (max(7 days, the retention))
    is answered 410: start over without cursor.

    Args:
        cursor (None | str | Unset):
        since (datetime.datetime | None | Unset):
        limit (int | Unset):  Default: 100.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | CallChanges | ErrorBody | ErrorBody | GatewayErrorBody | ValidationErrorBody]
     """


    kwargs = _get_kwargs(
        cursor=cursor,
since=since,
limit=limit,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient,
    cursor: None | str | Unset = UNSET,
    since: datetime.datetime | None | Unset = UNSET,
    limit: int | Unset = 100,

) -> Any | CallChanges | ErrorBody | ErrorBody | GatewayErrorBody | ValidationErrorBody | None:
    """ List call changes

     Every call of the tenant at its latest change (created, updated, or deleted: a tombstone), in change
    order. Start without cursor to replay the whole feed, or with `since`; then pass each page's
    `next_cursor` (always present, also on an empty page) to read on. A change is readable about 5
    seconds after it happened. A cursor older than the feed keeps deletions (max(7 days, the retention))
    is answered 410: start over without cursor.

    Args:
        cursor (None | str | Unset):
        since (datetime.datetime | None | Unset):
        limit (int | Unset):  Default: 100.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | CallChanges | ErrorBody | ErrorBody | GatewayErrorBody | ValidationErrorBody
     """


    return sync_detailed(
        client=client,
cursor=cursor,
since=since,
limit=limit,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    cursor: None | str | Unset = UNSET,
    since: datetime.datetime | None | Unset = UNSET,
    limit: int | Unset = 100,

) -> Response[Any | CallChanges | ErrorBody | ErrorBody | GatewayErrorBody | ValidationErrorBody]:
    """ List call changes

     Every call of the tenant at its latest change (created, updated, or deleted: a tombstone), in change
    order. Start without cursor to replay the whole feed, or with `since`; then pass each page's
    `next_cursor` (always present, also on an empty page) to read on. A change is readable about 5
    seconds after it happened. A cursor older than the feed keeps deletions (max(7 days, the retention))
    is answered 410: start over without cursor.

    Args:
        cursor (None | str | Unset):
        since (datetime.datetime | None | Unset):
        limit (int | Unset):  Default: 100.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | CallChanges | ErrorBody | ErrorBody | GatewayErrorBody | ValidationErrorBody]
     """


    kwargs = _get_kwargs(
        cursor=cursor,
since=since,
limit=limit,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient,
    cursor: None | str | Unset = UNSET,
    since: datetime.datetime | None | Unset = UNSET,
    limit: int | Unset = 100,

) -> Any | CallChanges | ErrorBody | ErrorBody | GatewayErrorBody | ValidationErrorBody | None:
    """ List call changes

     Every call of the tenant at its latest change (created, updated, or deleted: a tombstone), in change
    order. Start without cursor to replay the whole feed, or with `since`; then pass each page's
    `next_cursor` (always present, also on an empty page) to read on. A change is readable about 5
    seconds after it happened. A cursor older than the feed keeps deletions (max(7 days, the retention))
    is answered 410: start over without cursor.

    Args:
        cursor (None | str | Unset):
        since (datetime.datetime | None | Unset):
        limit (int | Unset):  Default: 100.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | CallChanges | ErrorBody | ErrorBody | GatewayErrorBody | ValidationErrorBody
     """


    return (await asyncio_detailed(
        client=client,
cursor=cursor,
since=since,
limit=limit,

    )).parsed

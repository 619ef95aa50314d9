from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error_body import ErrorBody
from ...models.gateway_error_body import GatewayErrorBody
from ...models.transcript_exchanges import TranscriptExchanges
from ...models.transcript_format import TranscriptFormat
from ...models.transcript_turns import TranscriptTurns
from ...models.validation_error_body import ValidationErrorBody
from ...types import UNSET, Unset
from typing import cast
from uuid import UUID



def _get_kwargs(
    call_id: UUID,
    *,
    format_: TranscriptFormat | Unset = UNSET,
    limit: int | Unset = 1000,
    cursor: None | str | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    json_format_: str | Unset = UNSET
    if not isinstance(format_, Unset):
        json_format_ = format_.value

    params["format"] = json_format_

    params["limit"] = limit

    json_cursor: None | str | Unset
    if isinstance(cursor, Unset):
        json_cursor = UNSET
    else:
        json_cursor = cursor
    params["cursor"] = json_cursor


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/calls/{call_id}/transcript".format(call_id=quote(str(call_id), safe=""),),
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Any | ErrorBody | ErrorBody | GatewayErrorBody | TranscriptExchanges | TranscriptTurns | ValidationErrorBody | None:
    if response.status_code == 200:
        def _parse_response_200(data: object) -> TranscriptExchanges | TranscriptTurns:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                response_200_type_0 = TranscriptExchanges.from_dict(data)



                return response_200_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            response_200_type_1 = TranscriptTurns.from_dict(data)



            return response_200_type_1

        response_200 = _parse_response_200(response.json())

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

    if response.status_code == 404:
        response_404 = ErrorBody.from_dict(response.json())



        return response_404

    if response.status_code == 413:
        response_413 = ErrorBody.from_dict(response.json())



        return response_413

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Any | ErrorBody | ErrorBody | GatewayErrorBody | TranscriptExchanges | TranscriptTurns | ValidationErrorBody]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    call_id: UUID,
    *,
    client: AuthenticatedClient,
    format_: TranscriptFormat | Unset = UNSET,
    limit: int | Unset = 1000,
    cursor: None | str | Unset = UNSET,

) -> Response[Any | ErrorBody | ErrorBody | GatewayErrorBody | TranscriptExchanges | TranscriptTurns | ValidationErrorBody]:
    """ Get a call's transcript

    Args:
        call_id (UUID):
        format_ (TranscriptFormat | Unset):
        limit (int | Unset): Exchanges per page (not for `format=vtt`) Default: 1000.
        cursor (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorBody | ErrorBody | GatewayErrorBody | TranscriptExchanges | TranscriptTurns | ValidationErrorBody]
     """


    kwargs = _get_kwargs(
        call_id=call_id,
format_=format_,
limit=limit,
cursor=cursor,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    call_id: UUID,
    *,
    client: AuthenticatedClient,
    format_: TranscriptFormat | Unset = UNSET,
    limit: int | Unset = 1000,
    cursor: None | str | Unset = UNSET,

) -> Any | ErrorBody | ErrorBody | GatewayErrorBody | TranscriptExchanges | TranscriptTurns | ValidationErrorBody | None:
    """ Get a call's transcript

    Args:
        call_id (UUID):
        format_ (TranscriptFormat | Unset):
        limit (int | Unset): Exchanges per page (not for `format=vtt`) Default: 1000.
        cursor (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorBody | ErrorBody | GatewayErrorBody | TranscriptExchanges | TranscriptTurns | ValidationErrorBody
     """


    return sync_detailed(
        call_id=call_id,
client=client,
format_=format_,
limit=limit,
cursor=cursor,

    ).parsed

async def asyncio_detailed(
    call_id: UUID,
    *,
    client: AuthenticatedClient,
    format_: TranscriptFormat | Unset = UNSET,
    limit: int | Unset = 1000,
    cursor: None | str | Unset = UNSET,

) -> Response[Any | ErrorBody | ErrorBody | GatewayErrorBody | TranscriptExchanges | TranscriptTurns | ValidationErrorBody]:
    """ Get a call's transcript

    Args:
        call_id (UUID):
        format_ (TranscriptFormat | Unset):
        limit (int | Unset): Exchanges per page (not for `format=vtt`) Default: 1000.
        cursor (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorBody | ErrorBody | GatewayErrorBody | TranscriptExchanges | TranscriptTurns | ValidationErrorBody]
     """


    kwargs = _get_kwargs(
        call_id=call_id,
format_=format_,
limit=limit,
cursor=cursor,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    call_id: UUID,
    *,
    client: AuthenticatedClient,
    format_: TranscriptFormat | Unset = UNSET,
    limit: int | Unset = 1000,
    cursor: None | str | Unset = UNSET,

) -> Any | ErrorBody | ErrorBody | GatewayErrorBody | TranscriptExchanges | TranscriptTurns | ValidationErrorBody | None:
    """ Get a call's transcript

    Args:
        call_id (UUID):
        format_ (TranscriptFormat | Unset):
        limit (int | Unset): Exchanges per page (not for `format=vtt`) Default: 1000.
        cursor (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorBody | ErrorBody | GatewayErrorBody | TranscriptExchanges | TranscriptTurns | ValidationErrorBody
     """


    return (await asyncio_detailed(
        call_id=call_id,
client=client,
format_=format_,
limit=limit,
cursor=cursor,

    )).parsed

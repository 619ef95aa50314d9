from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.call import Call
from ...models.call_update import CallUpdate
from ...models.error_body import ErrorBody
from ...models.gateway_error_body import GatewayErrorBody
from ...models.validation_error_body import ValidationErrorBody
from typing import cast
from uuid import UUID



def _get_kwargs(
    call_id: UUID,
    *,
    body: CallUpdate,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/v1/calls/{call_id}".format(call_id=quote(str(call_id), safe=""),),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Any | Call | ErrorBody | ErrorBody | GatewayErrorBody | ValidationErrorBody | None:
    if response.status_code == 200:
        response_200 = Call.from_dict(response.json())



        return response_200

    if response.status_code == 201:
        response_201 = Call.from_dict(response.json())



        return response_201

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

    if response.status_code == 409:
        response_409 = ErrorBody.from_dict(response.json())



        return response_409

    if response.status_code == 414:
        response_414 = cast(Any, None)
        return response_414

    if response.status_code == 415:
        response_415 = ErrorBody.from_dict(response.json())



        return response_415

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Any | Call | ErrorBody | ErrorBody | GatewayErrorBody | ValidationErrorBody]:
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
    body: CallUpdate,

) -> Response[Any | Call | ErrorBody | ErrorBody | GatewayErrorBody | ValidationErrorBody]:
    """ Create or update a call record

    Args:
        call_id (UUID):
        body (CallUpdate): `PUT /v1/calls/{call_id}`: the fields the runtime reports; only those
            sent change.

            `metadata`, `provider_usage` and `analysis` merge key by key (a key sent as null is
            removed); other fields are replaced, or cleared by an explicit null.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Call | ErrorBody | ErrorBody | GatewayErrorBody | ValidationErrorBody]
     """


    kwargs = _get_kwargs(
        call_id=call_id,
body=body,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    call_id: UUID,
    *,
    client: AuthenticatedClient,
    body: CallUpdate,

) -> Any | Call | ErrorBody | ErrorBody | GatewayErrorBody | ValidationErrorBody | None:
    """ Create or update a call record

    Args:
        call_id (UUID):
        body (CallUpdate): `PUT /v1/calls/{call_id}`: the fields the runtime reports; only those
            sent change.

            `metadata`, `provider_usage` and `analysis` merge key by key (a key sent as null is
            removed); other fields are replaced, or cleared by an explicit null.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Call | ErrorBody | ErrorBody | GatewayErrorBody | ValidationErrorBody
     """


    return sync_detailed(
        call_id=call_id,
client=client,
body=body,

    ).parsed

async def asyncio_detailed(
    call_id: UUID,
    *,
    client: AuthenticatedClient,
    body: CallUpdate,

) -> Response[Any | Call | ErrorBody | ErrorBody | GatewayErrorBody | ValidationErrorBody]:
    """ Create or update a call record

    Args:
        call_id (UUID):
        body (CallUpdate): `PUT /v1/calls/{call_id}`: the fields the runtime reports; only those
            sent change.

            `metadata`, `provider_usage` and `analysis` merge key by key (a key sent as null is
            removed); other fields are replaced, or cleared by an explicit null.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Call | ErrorBody | ErrorBody | GatewayErrorBody | ValidationErrorBody]
     """


    kwargs = _get_kwargs(
        call_id=call_id,
body=body,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    call_id: UUID,
    *,
    client: AuthenticatedClient,
    body: CallUpdate,

) -> Any | Call | ErrorBody | ErrorBody | GatewayErrorBody | ValidationErrorBody | None:
    """ Create or update a call record

    Args:
        call_id (UUID):
        body (CallUpdate): `PUT /v1/calls/{call_id}`: the fields the runtime reports; only those
            sent change.

            `metadata`, `provider_usage` and `analysis` merge key by key (a key sent as null is
            removed); other fields are replaced, or cleared by an explicit null.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Call | ErrorBody | ErrorBody | GatewayErrorBody | ValidationErrorBody
     """


    return (await asyncio_detailed(
        call_id=call_id,
client=client,
body=body,

    )).parsed

from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error_body import ErrorBody
from ...models.twilio_status_body import TwilioStatusBody
from ...models.validation_error_body import ValidationErrorBody
from typing import cast
from uuid import UUID



def _get_kwargs(
    *,
    body: TwilioStatusBody,
    tenant_id: str,
    call_id: UUID,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    params: dict[str, Any] = {}

    params["tenant_id"] = tenant_id

    json_call_id = str(call_id)
    params["call_id"] = json_call_id


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/telephony/twilio/status",
        "params": params,
    }

    _kwargs["data"] = body.to_dict()
    headers["Content-Type"] = "application/x-www-form-urlencoded"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Any | ErrorBody | ValidationErrorBody | None:
    if response.status_code == 204:
        response_204 = cast(Any, None)
        return response_204

    if response.status_code == 400:
        response_400 = ErrorBody.from_dict(response.json())



        return response_400

    if response.status_code == 403:
        response_403 = ErrorBody.from_dict(response.json())



        return response_403

    if response.status_code == 404:
        response_404 = ErrorBody.from_dict(response.json())



        return response_404

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Any | ErrorBody | ValidationErrorBody]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: TwilioStatusBody,
    tenant_id: str,
    call_id: UUID,

) -> Response[Any | ErrorBody | ValidationErrorBody]:
    """ Receive a Twilio status callback

     Public: no API key; Twilio signs the form body it posts, and a request whose `X-Twilio-Signature`
    does not match is refused (403).

    Args:
        tenant_id (str):
        call_id (UUID):
        body (TwilioStatusBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorBody | ValidationErrorBody]
     """


    kwargs = _get_kwargs(
        body=body,
tenant_id=tenant_id,
call_id=call_id,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient | Client,
    body: TwilioStatusBody,
    tenant_id: str,
    call_id: UUID,

) -> Any | ErrorBody | ValidationErrorBody | None:
    """ Receive a Twilio status callback

     Public: no API key; Twilio signs the form body it posts, and a request whose `X-Twilio-Signature`
    does not match is refused (403).

    Args:
        tenant_id (str):
        call_id (UUID):
        body (TwilioStatusBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorBody | ValidationErrorBody
     """


    return sync_detailed(
        client=client,
body=body,
tenant_id=tenant_id,
call_id=call_id,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: TwilioStatusBody,
    tenant_id: str,
    call_id: UUID,

) -> Response[Any | ErrorBody | ValidationErrorBody]:
    """ Receive a Twilio status callback

     Public: no API key; Twilio signs the form body it posts, and a request whose `X-Twilio-Signature`
    does not match is refused (403).

    Args:
        tenant_id (str):
        call_id (UUID):
        body (TwilioStatusBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorBody | ValidationErrorBody]
     """


    kwargs = _get_kwargs(
        body=body,
tenant_id=tenant_id,
call_id=call_id,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: TwilioStatusBody,
    tenant_id: str,
    call_id: UUID,

) -> Any | ErrorBody | ValidationErrorBody | None:
    """ Receive a Twilio status callback

     Public: no API key; Twilio signs the form body it posts, and a request whose `X-Twilio-Signature`
    does not match is refused (403).

    Args:
        tenant_id (str):
        call_id (UUID):
        body (TwilioStatusBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorBody | ValidationErrorBody
     """


    return (await asyncio_detailed(
        client=client,
body=body,
tenant_id=tenant_id,
call_id=call_id,

    )).parsed

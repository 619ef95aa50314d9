from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error_body import ErrorBody
from ...models.gateway_error_body import GatewayErrorBody
from ...models.validation_error_body import ValidationErrorBody
from ...models.webhook_create import WebhookCreate
from ...models.webhook_created import WebhookCreated
from typing import cast



def _get_kwargs(
    *,
    body: WebhookCreate,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/webhooks",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorBody | ErrorBody | GatewayErrorBody | ValidationErrorBody | WebhookCreated | None:
    if response.status_code == 201:
        response_201 = WebhookCreated.from_dict(response.json())



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

    if response.status_code == 409:
        response_409 = ErrorBody.from_dict(response.json())



        return response_409

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ErrorBody | ErrorBody | GatewayErrorBody | ValidationErrorBody | WebhookCreated]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: WebhookCreate,

) -> Response[ErrorBody | ErrorBody | GatewayErrorBody | ValidationErrorBody | WebhookCreated]:
    """ Create a webhook

     Subscribes an https:// URL to the event types chosen. The URL's host must resolve to public
    addresses only (422 with the reason otherwise); the signing secret is in this answer only. A tenant
    may have 20 webhooks (409 beyond).

    Args:
        body (WebhookCreate): `POST /v1/webhooks`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | ErrorBody | GatewayErrorBody | ValidationErrorBody | WebhookCreated]
     """


    kwargs = _get_kwargs(
        body=body,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient,
    body: WebhookCreate,

) -> ErrorBody | ErrorBody | GatewayErrorBody | ValidationErrorBody | WebhookCreated | None:
    """ Create a webhook

     Subscribes an https:// URL to the event types chosen. The URL's host must resolve to public
    addresses only (422 with the reason otherwise); the signing secret is in this answer only. A tenant
    may have 20 webhooks (409 beyond).

    Args:
        body (WebhookCreate): `POST /v1/webhooks`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | ErrorBody | GatewayErrorBody | ValidationErrorBody | WebhookCreated
     """


    return sync_detailed(
        client=client,
body=body,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: WebhookCreate,

) -> Response[ErrorBody | ErrorBody | GatewayErrorBody | ValidationErrorBody | WebhookCreated]:
    """ Create a webhook

     Subscribes an https:// URL to the event types chosen. The URL's host must resolve to public
    addresses only (422 with the reason otherwise); the signing secret is in this answer only. A tenant
    may have 20 webhooks (409 beyond).

    Args:
        body (WebhookCreate): `POST /v1/webhooks`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | ErrorBody | GatewayErrorBody | ValidationErrorBody | WebhookCreated]
     """


    kwargs = _get_kwargs(
        body=body,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient,
    body: WebhookCreate,

) -> ErrorBody | ErrorBody | GatewayErrorBody | ValidationErrorBody | WebhookCreated | None:
    """ Create a webhook

     Subscribes an https:// URL to the event types chosen. The URL's host must resolve to public
    addresses only (422 with the reason otherwise); the signing secret is in this answer only. A tenant
    may have 20 webhooks (409 beyond).

    Args:
        body (WebhookCreate): `POST /v1/webhooks`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | ErrorBody | GatewayErrorBody | ValidationErrorBody | WebhookCreated
     """


    return (await asyncio_detailed(
        client=client,
body=body,

    )).parsed

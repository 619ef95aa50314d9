from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.batch_accepted import BatchAccepted
from ...models.batch_dial_request import BatchDialRequest
from ...models.batch_dry_run import BatchDryRun
from ...models.error_body import ErrorBody
from ...models.gateway_error_body import GatewayErrorBody
from ...models.validation_error_body import ValidationErrorBody
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    *,
    body: BatchDialRequest,
    dry_run: bool | Unset = False,
    idempotency_key: None | str | Unset = UNSET,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["idempotency-key"] = idempotency_key



    

    params: dict[str, Any] = {}

    params["dry_run"] = dry_run


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/calls/batch",
        "params": params,
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Any | BatchAccepted | BatchDryRun | ErrorBody | ErrorBody | GatewayErrorBody | ErrorBody | ValidationErrorBody | None:
    if response.status_code == 200:
        response_200 = BatchDryRun.from_dict(response.json())



        return response_200

    if response.status_code == 202:
        response_202 = BatchAccepted.from_dict(response.json())



        return response_202

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
        def _parse_response_422(data: object) -> ErrorBody | ValidationErrorBody:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                response_422_type_0 = ValidationErrorBody.from_dict(data)



                return response_422_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            response_422_type_1 = ErrorBody.from_dict(data)



            return response_422_type_1

        response_422 = _parse_response_422(response.json())

        return response_422

    if response.status_code == 503:
        response_503 = ErrorBody.from_dict(response.json())



        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Any | BatchAccepted | BatchDryRun | ErrorBody | ErrorBody | GatewayErrorBody | ErrorBody | ValidationErrorBody]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: BatchDialRequest,
    dry_run: bool | Unset = False,
    idempotency_key: None | str | Unset = UNSET,

) -> Response[Any | BatchAccepted | BatchDryRun | ErrorBody | ErrorBody | GatewayErrorBody | ErrorBody | ValidationErrorBody]:
    """ Queue a batch of outbound calls

    Args:
        dry_run (bool | Unset): Answer what the batch would do; store and dial nothing Default:
            False.
        idempotency_key (None | str | Unset): A retry with the same key and body returns the first
            answer and queues the batch once (24 hours, per tenant); the same key with another body is
            refused (422). Not used by a dry run, which stores nothing
        body (BatchDialRequest): `POST /v1/calls/batch`: numbers are checked one by one, not
            rejected as a whole.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | BatchAccepted | BatchDryRun | ErrorBody | ErrorBody | GatewayErrorBody | ErrorBody | ValidationErrorBody]
     """


    kwargs = _get_kwargs(
        body=body,
dry_run=dry_run,
idempotency_key=idempotency_key,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient,
    body: BatchDialRequest,
    dry_run: bool | Unset = False,
    idempotency_key: None | str | Unset = UNSET,

) -> Any | BatchAccepted | BatchDryRun | ErrorBody | ErrorBody | GatewayErrorBody | ErrorBody | ValidationErrorBody | None:
    """ Queue a batch of outbound calls

    Args:
        dry_run (bool | Unset): Answer what the batch would do; store and dial nothing Default:
            False.
        idempotency_key (None | str | Unset): A retry with the same key and body returns the first
            answer and queues the batch once (24 hours, per tenant); the same key with another body is
            refused (422). Not used by a dry run, which stores nothing
        body (BatchDialRequest): `POST /v1/calls/batch`: numbers are checked one by one, not
            rejected as a whole.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | BatchAccepted | BatchDryRun | ErrorBody | ErrorBody | GatewayErrorBody | ErrorBody | ValidationErrorBody
     """


    return sync_detailed(
        client=client,
body=body,
dry_run=dry_run,
idempotency_key=idempotency_key,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: BatchDialRequest,
    dry_run: bool | Unset = False,
    idempotency_key: None | str | Unset = UNSET,

) -> Response[Any | BatchAccepted | BatchDryRun | ErrorBody | ErrorBody | GatewayErrorBody | ErrorBody | ValidationErrorBody]:
    """ Queue a batch of outbound calls

    Args:
        dry_run (bool | Unset): Answer what the batch would do; store and dial nothing Default:
            False.
        idempotency_key (None | str | Unset): A retry with the same key and body returns the first
            answer and queues the batch once (24 hours, per tenant); the same key with another body is
            refused (422). Not used by a dry run, which stores nothing
        body (BatchDialRequest): `POST /v1/calls/batch`: numbers are checked one by one, not
            rejected as a whole.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | BatchAccepted | BatchDryRun | ErrorBody | ErrorBody | GatewayErrorBody | ErrorBody | ValidationErrorBody]
     """


    kwargs = _get_kwargs(
        body=body,
dry_run=dry_run,
idempotency_key=idempotency_key,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient,
    body: BatchDialRequest,
    dry_run: bool | Unset = False,
    idempotency_key: None | str | Unset = UNSET,

) -> Any | BatchAccepted | BatchDryRun | ErrorBody | ErrorBody | GatewayErrorBody | ErrorBody | ValidationErrorBody | None:
    """ Queue a batch of outbound calls

    Args:
        dry_run (bool | Unset): Answer what the batch would do; store and dial nothing Default:
            False.
        idempotency_key (None | str | Unset): A retry with the same key and body returns the first
            answer and queues the batch once (24 hours, per tenant); the same key with another body is
            refused (422). Not used by a dry run, which stores nothing
        body (BatchDialRequest): `POST /v1/calls/batch`: numbers are checked one by one, not
            rejected as a whole.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | BatchAccepted | BatchDryRun | ErrorBody | ErrorBody | GatewayErrorBody | ErrorBody | ValidationErrorBody
     """


    return (await asyncio_detailed(
        client=client,
body=body,
dry_run=dry_run,
idempotency_key=idempotency_key,

    )).parsed

from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error_body import ErrorBody
from ...models.gateway_error_body import GatewayErrorBody
from ...models.issue_report import IssueReport
from ...models.issue_report_create import IssueReportCreate
from ...models.validation_error_body import ValidationErrorBody
from typing import cast
from uuid import UUID



def _get_kwargs(
    call_id: UUID,
    *,
    body: IssueReportCreate,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/calls/{call_id}/issue-reports".format(call_id=quote(str(call_id), safe=""),),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Any | ErrorBody | ErrorBody | GatewayErrorBody | IssueReport | ValidationErrorBody | None:
    if response.status_code == 201:
        response_201 = IssueReport.from_dict(response.json())



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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Any | ErrorBody | ErrorBody | GatewayErrorBody | IssueReport | ValidationErrorBody]:
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
    body: IssueReportCreate,

) -> Response[Any | ErrorBody | ErrorBody | GatewayErrorBody | IssueReport | ValidationErrorBody]:
    """ Report an issue with a call

    Args:
        call_id (UUID):
        body (IssueReportCreate): `POST /v1/calls/{call_id}/issue-reports`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorBody | ErrorBody | GatewayErrorBody | IssueReport | ValidationErrorBody]
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
    body: IssueReportCreate,

) -> Any | ErrorBody | ErrorBody | GatewayErrorBody | IssueReport | ValidationErrorBody | None:
    """ Report an issue with a call

    Args:
        call_id (UUID):
        body (IssueReportCreate): `POST /v1/calls/{call_id}/issue-reports`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorBody | ErrorBody | GatewayErrorBody | IssueReport | ValidationErrorBody
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
    body: IssueReportCreate,

) -> Response[Any | ErrorBody | ErrorBody | GatewayErrorBody | IssueReport | ValidationErrorBody]:
    """ Report an issue with a call

    Args:
        call_id (UUID):
        body (IssueReportCreate): `POST /v1/calls/{call_id}/issue-reports`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorBody | ErrorBody | GatewayErrorBody | IssueReport | ValidationErrorBody]
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
    body: IssueReportCreate,

) -> Any | ErrorBody | ErrorBody | GatewayErrorBody | IssueReport | ValidationErrorBody | None:
    """ Report an issue with a call

    Args:
        call_id (UUID):
        body (IssueReportCreate): `POST /v1/calls/{call_id}/issue-reports`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorBody | ErrorBody | GatewayErrorBody | IssueReport | ValidationErrorBody
     """


    return (await asyncio_detailed(
        call_id=call_id,
client=client,
body=body,

    )).parsed

from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error_body import ErrorBody
from ...models.gateway_error_body import GatewayErrorBody
from ...models.issue_category import IssueCategory
from ...models.issue_report_feed import IssueReportFeed
from ...models.issue_severity import IssueSeverity
from ...models.issue_source import IssueSource
from ...models.validation_error_body import ValidationErrorBody
from ...types import UNSET, Unset
from typing import cast
import datetime



def _get_kwargs(
    *,
    severity: IssueSeverity | None | Unset = UNSET,
    category: IssueCategory | None | Unset = UNSET,
    source: IssueSource | None | Unset = UNSET,
    start_date: datetime.date | datetime.datetime | None | Unset = UNSET,
    end_date: datetime.date | datetime.datetime | None | Unset = UNSET,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    json_severity: None | str | Unset
    if isinstance(severity, Unset):
        json_severity = UNSET
    elif isinstance(severity, IssueSeverity):
        json_severity = severity.value
    else:
        json_severity = severity
    params["severity"] = json_severity

    json_category: None | str | Unset
    if isinstance(category, Unset):
        json_category = UNSET
    elif isinstance(category, IssueCategory):
        json_category = category.value
    else:
        json_category = category
    params["category"] = json_category

    json_source: None | str | Unset
    if isinstance(source, Unset):
        json_source = UNSET
    elif isinstance(source, IssueSource):
        json_source = source.value
    else:
        json_source = source
    params["source"] = json_source

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
        "url": "/v1/issue-reports",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Any | ErrorBody | ErrorBody | GatewayErrorBody | IssueReportFeed | ValidationErrorBody | None:
    if response.status_code == 200:
        response_200 = IssueReportFeed.from_dict(response.json())



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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Any | ErrorBody | ErrorBody | GatewayErrorBody | IssueReportFeed | ValidationErrorBody]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    severity: IssueSeverity | None | Unset = UNSET,
    category: IssueCategory | None | Unset = UNSET,
    source: IssueSource | None | Unset = UNSET,
    start_date: datetime.date | datetime.datetime | None | Unset = UNSET,
    end_date: datetime.date | datetime.datetime | None | Unset = UNSET,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,

) -> Response[Any | ErrorBody | ErrorBody | GatewayErrorBody | IssueReportFeed | ValidationErrorBody]:
    """ List the tenant's issue reports

    Args:
        severity (IssueSeverity | None | Unset):
        category (IssueCategory | None | Unset):
        source (IssueSource | None | Unset):
        start_date (datetime.date | datetime.datetime | None | Unset):
        end_date (datetime.date | datetime.datetime | None | Unset):
        limit (int | Unset):  Default: 20.
        cursor (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorBody | ErrorBody | GatewayErrorBody | IssueReportFeed | ValidationErrorBody]
     """


    kwargs = _get_kwargs(
        severity=severity,
category=category,
source=source,
start_date=start_date,
end_date=end_date,
limit=limit,
cursor=cursor,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient,
    severity: IssueSeverity | None | Unset = UNSET,
    category: IssueCategory | None | Unset = UNSET,
    source: IssueSource | None | Unset = UNSET,
    start_date: datetime.date | datetime.datetime | None | Unset = UNSET,
    end_date: datetime.date | datetime.datetime | None | Unset = UNSET,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,

) -> Any | ErrorBody | ErrorBody | GatewayErrorBody | IssueReportFeed | ValidationErrorBody | None:
    """ List the tenant's issue reports

    Args:
        severity (IssueSeverity | None | Unset):
        category (IssueCategory | None | Unset):
        source (IssueSource | None | Unset):
        start_date (datetime.date | datetime.datetime | None | Unset):
        end_date (datetime.date | datetime.datetime | None | Unset):
        limit (int | Unset):  Default: 20.
        cursor (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorBody | ErrorBody | GatewayErrorBody | IssueReportFeed | ValidationErrorBody
     """


    return sync_detailed(
        client=client,
severity=severity,
category=category,
source=source,
start_date=start_date,
end_date=end_date,
limit=limit,
cursor=cursor,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    severity: IssueSeverity | None | Unset = UNSET,
    category: IssueCategory | None | Unset = UNSET,
    source: IssueSource | None | Unset = UNSET,
    start_date: datetime.date | datetime.datetime | None | Unset = UNSET,
    end_date: datetime.date | datetime.datetime | None | Unset = UNSET,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,

) -> Response[Any | ErrorBody | ErrorBody | GatewayErrorBody | IssueReportFeed | ValidationErrorBody]:
    """ List the tenant's issue reports

    Args:
        severity (IssueSeverity | None | Unset):
        category (IssueCategory | None | Unset):
        source (IssueSource | None | Unset):
        start_date (datetime.date | datetime.datetime | None | Unset):
        end_date (datetime.date | datetime.datetime | None | Unset):
        limit (int | Unset):  Default: 20.
        cursor (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorBody | ErrorBody | GatewayErrorBody | IssueReportFeed | ValidationErrorBody]
     """


    kwargs = _get_kwargs(
        severity=severity,
category=category,
source=source,
start_date=start_date,
end_date=end_date,
limit=limit,
cursor=cursor,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient,
    severity: IssueSeverity | None | Unset = UNSET,
    category: IssueCategory | None | Unset = UNSET,
    source: IssueSource | None | Unset = UNSET,
    start_date: datetime.date | datetime.datetime | None | Unset = UNSET,
    end_date: datetime.date | datetime.datetime | None | Unset = UNSET,
    limit: int | Unset = 20,
    cursor: None | str | Unset = UNSET,

) -> Any | ErrorBody | ErrorBody | GatewayErrorBody | IssueReportFeed | ValidationErrorBody | None:
    """ List the tenant's issue reports

    Args:
        severity (IssueSeverity | None | Unset):
        category (IssueCategory | None | Unset):
        source (IssueSource | None | Unset):
        start_date (datetime.date | datetime.datetime | None | Unset):
        end_date (datetime.date | datetime.datetime | None | Unset):
        limit (int | Unset):  Default: 20.
        cursor (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorBody | ErrorBody | GatewayErrorBody | IssueReportFeed | ValidationErrorBody
     """


    return (await asyncio_detailed(
        client=client,
severity=severity,
category=category,
source=source,
start_date=start_date,
end_date=end_date,
limit=limit,
cursor=cursor,

    )).parsed

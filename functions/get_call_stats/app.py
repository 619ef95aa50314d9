"""GET /v1/calls/stats: figures of the tenant's calls over a range, from the rollups."""

from __future__ import annotations

from typing import Annotated, Any

from dialtone import http
from dialtone.analytics.stats_models import CallStats, CallStatsParams
from dialtone.auth import Scope
from dialtone.errors import InvalidParameter
from dialtone.http import Query, Response
from dialtone.observability import api_handler

app = http.create_app()


@app.get(
    "/v1/calls/stats",
    **http.operation(
        "Call stats",
        tag=http.Tag.CALLS,
        scope=Scope.CALLS_READ,
        ok={200: CallStats},
        errors=(InvalidParameter,),
        description="Counts, rates, durations, cost and latency percentiles of the calls whose"
        " start_time is in the range (default the last 30 days), for no filter or one of"
        " direction, status, outcome, agent_id, batch_id, is_test_call; group_by a period or a"
        " dimension (at most 500 groups); compare=previous_period. Every figure's definition"
        " is in the response schema.",
    ),
)
def get_call_stats(params: Annotated[CallStatsParams, Query()]) -> Response[Any]:
    from dialtone.analytics import stats

    answer = stats.reader().call_stats(http.principal(app), params)
    return http.json_response(answer)


@api_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)

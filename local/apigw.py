"""SAM CLI's API Gateway emulator, answering as API Gateway (HTTP API) does where SAM's differs.

- No route for a request's path or method: API Gateway HTTP API answers 404 Not Found before any
  authorizer runs; SAM answers 403 "Missing Authentication Token" (a REST API's answer), and
  502 to a HEAD on a GET route (Flask serves HEAD wherever GET is; SAM then finds no route).
  AWS's body is `{"message": "Not Found"}`; here it is the API's own error shape,
  `{"detail": "Not Found"}`, the same as a handler's 404 for a path it does not serve.
- A body that is not UTF-8 text: API Gateway hands a binary body to the function base64-encoded
  (`isBase64Encoded: true`), so the function answers it (422); SAM fails decoding it as text
  and answers 502.

Imported only when the local API starts: SAM CLI is a heavy import.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, make_response
from samcli.local.apigw.event_constructor import construct_v2_event_http
from samcli.local.apigw.local_apigw_service import LocalApigwService
from samcli.local.apigw.path_converter import PathConverter
from samcli.local.apigw.route import Route
from werkzeug.exceptions import NotFound


def route_not_found(*_: Any) -> Response:
    """API Gateway's answer to a request that matches no route."""
    return make_response(jsonify({"detail": "Not Found"}), 404)


def is_text(data: bytes) -> bool:
    """Whether a request body is UTF-8 text (as the emulator needs it to be)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class ApiGatewayEmulator(LocalApigwService):  # type: ignore[misc]
    """SAM's LocalApigwService with API Gateway HTTP API's answers to unknown routes and to
    binary bodies."""

    def _construct_error_handling(self) -> None:
        super()._construct_error_handling()
        self._app.register_error_handler(404, route_not_found)
        self._app.register_error_handler(405, route_not_found)

    def _get_current_route(self, flask_request: Any) -> Route:
        try:
            route: Route = super()._get_current_route(flask_request)
        except KeyError:  # a method Flask added to a rule (HEAD): the template routes none
            raise NotFound() from None
        return route

    def _generate_lambda_event(
        self, flask_request: Any, route: Route, method: str, endpoint: str
    ) -> dict[str, Any]:
        http_api = route.event_type == Route.HTTP and route.payload_format_version in (None, "2.0")
        if not http_api or is_text(flask_request.get_data()):
            event: dict[str, Any] = super()._generate_lambda_event(
                flask_request, route, method, endpoint
            )
            return event
        apigw_endpoint = PathConverter.convert_path_to_api_gateway(endpoint)
        binary: dict[str, Any] = construct_v2_event_http(
            flask_request=flask_request,
            port=self.port,
            binary_types=["*/*"],  # this one request's body is binary: base64 it
            stage_name=self.api.stage_name,
            stage_variables=self.api.stage_variables,
            route_key=self._v2_route_key(method, apigw_endpoint, route.is_default_route),
        )
        return binary

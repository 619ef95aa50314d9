"""SAM CLI's API Gateway emulator, answering as API Gateway (HTTP API) does where SAM's differs.

- No route for a request's path or method: API Gateway HTTP API answers 404 Not Found before any
  authorizer runs; SAM answers 403 "Missing Authentication Token" (a REST API's answer), and
  502 to a HEAD on a GET route (Flask serves HEAD wherever GET is; SAM then finds no route).
  AWS's body is `{"message": "Not Found"}`; here it is the API's own error shape,
  `{"detail": "Not Found"}`, the same as a handler's 404 for a path it does not serve.
- A body that is not UTF-8 text: API Gateway hands a binary body to the function base64-encoded
  (`isBase64Encoded: true`), so the function answers it (422); SAM fails decoding it as text
  and answers 502.
- CORS: SAM answers preflights and adds the allowed origin, methods and headers from the
  template's CorsConfiguration, but not its ExposeHeaders; they are added here.

It also serves the web console's static files (console/) at /console/, where a deployment's
CloudFront distribution serves them: same origin as the API, so no CORS is needed locally.

Imported only when the local API starts: SAM CLI is a heavy import.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Response, jsonify, make_response, redirect, request, send_from_directory
from samcli.local.apigw.event_constructor import construct_v2_event_http
from samcli.local.apigw.local_apigw_service import LocalApigwService
from samcli.local.apigw.path_converter import PathConverter
from samcli.local.apigw.route import Route
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response as WerkzeugResponse


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


# Where the console is served (as CloudFront serves it: under the bucket's console/ prefix).
CONSOLE_PATH = "/console"


class ApiGatewayEmulator(LocalApigwService):  # type: ignore[misc]
    """SAM's LocalApigwService with API Gateway HTTP API's answers to unknown routes and to
    binary bodies, the CORS headers SAM leaves out, and the console's static files."""

    def __init__(
        self,
        *args: Any,
        console_dir: Path | None = None,
        expose_headers: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.console_dir = console_dir
        self.expose_headers = ", ".join(expose_headers or [])

    def create(self) -> None:
        super().create()
        self._app.after_request(self._expose_headers)
        if self.console_dir is not None:
            for rule in (CONSOLE_PATH, f"{CONSOLE_PATH}/", f"{CONSOLE_PATH}/<path:asset>"):
                self._app.add_url_rule(
                    rule, endpoint=f"console:{rule}", view_func=self._console, methods=["GET"]
                )

    def _console(self, asset: str = "") -> WerkzeugResponse:
        """A file of the console; its index for the folder itself (served only when the
        emulator has a console folder)."""
        if request.path == CONSOLE_PATH:  # relative links need the trailing slash
            return redirect(f"{CONSOLE_PATH}/", code=301)
        if self.console_dir is None:  # pragma: no cover - the rule exists only with a folder
            raise NotFound()
        response: Response = send_from_directory(self.console_dir, asset or "index.html")
        return response

    def _expose_headers(self, response: Response) -> Response:
        """API Gateway adds the configured ExposeHeaders to each CORS response (not preflights)."""
        allowed = "Access-Control-Allow-Origin" in response.headers
        if allowed and self.expose_headers and request.method != "OPTIONS":
            response.headers["Access-Control-Expose-Headers"] = self.expose_headers
        return response

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


def with_origin(cors: Any, origin: str) -> Any:
    """The template's CORS configuration with its allowed origin set: the template takes it from
    a parameter through a condition, which SAM's provider leaves unresolved (and so drops)."""
    if cors is None or not origin:
        return cors
    return cors._replace(allow_origin=origin)


def expose_headers(resources: dict[str, Any]) -> list[str]:
    """The HTTP API's CorsConfiguration.ExposeHeaders in the template (SAM does not read them)."""
    for resource in resources.values():
        if resource.get("Type") == "AWS::Serverless::HttpApi":
            cors = resource.get("Properties", {}).get("CorsConfiguration") or {}
            return [str(header) for header in cors.get("ExposeHeaders", [])]
    return []

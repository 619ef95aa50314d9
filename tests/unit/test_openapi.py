"""The OpenAPI contract: generated from the routes, committed up to date, valid OpenAPI 3.1,
and in step with the routes of template.yaml; its error answers come from dialtone.http's map."""

from __future__ import annotations

import json
from typing import Any

import pytest
from openapi_spec_validator import validate

from dialtone import http
from dialtone.auth import Scope
from dialtone.errors import (
    CallNotFound,
    DialtoneError,
    IdempotencyKeyReused,
    MissingScope,
    RecordingNotAvailable,
)
from dialtone.webhooks.models import SUBSCRIBABLE_EVENTS
from local.provision import load_template, resources_of
from tools import openapi

HTTP_METHODS = ("get", "put", "post", "patch", "delete")


@pytest.fixture(scope="module")
def generated() -> dict[str, Any]:
    return openapi.document()


@pytest.fixture(scope="module")
def template_routes() -> dict[tuple[str, str], dict[str, Any]]:
    """(METHOD, path) → the HttpApi event's properties, for every route of the template."""
    routes: dict[tuple[str, str], dict[str, Any]] = {}
    functions = resources_of(load_template(), "AWS::Serverless::Function")
    for properties in functions.values():
        for event in (properties.get("Events") or {}).values():
            if event["Type"] == "HttpApi":
                route = event["Properties"]
                routes[(route["Method"].upper(), route["Path"])] = route
    return routes


def documented_routes(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method.upper(), path): operation
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if method in HTTP_METHODS
    }


def test_committed_document_is_what_the_routes_declare(generated: dict[str, Any]) -> None:
    # Given the document generated from the code now
    text = openapi.render(generated)

    # Then openapi.json, and the copy the docs function serves, are that document
    assert openapi.stale_outputs(text) == [], "openapi.json is stale: run `make openapi`"


def test_document_is_valid_openapi_3_1(generated: dict[str, Any]) -> None:
    # When the document is checked against the OpenAPI 3.1 specification
    validate(json.loads(openapi.render(generated)))

    # Then it declares 3.1 and the two ways the authorizer reads the API key
    assert generated["openapi"].startswith("3.1")
    schemes = generated["components"]["securitySchemes"]
    assert schemes == {
        "ApiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
        "Bearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "The API key as a bearer token",
        },
    }


def test_every_template_route_is_documented_and_every_documented_route_is_routed(
    generated: dict[str, Any], template_routes: dict[tuple[str, str], dict[str, Any]]
) -> None:
    # Given the routes API Gateway has, and the routes the document describes
    documented = set(documented_routes(generated))
    routed = set(template_routes)

    # Then they are the same routes
    assert routed - documented == set(), "routed but not documented"
    assert documented - routed == set(), "documented but not routed"


def test_public_routes_are_exactly_the_routes_without_the_authorizer(
    generated: dict[str, Any], template_routes: dict[tuple[str, str], dict[str, Any]]
) -> None:
    # Given the template's routes that skip the API key authorizer
    public = {
        route
        for route, properties in template_routes.items()
        if properties.get("Auth", {}).get("Authorizer") == "NONE"
    }

    for route, operation in documented_routes(generated).items():
        if route in public:
            # Then the document asks no key of them, and claims no refused key
            assert operation["security"] == [], route
            assert "401" not in operation["responses"], route
        else:
            # And every other route names its scope (under either scheme), and answers 401
            # and 403
            schemes = [scheme for requirement in operation["security"] for scheme in requirement]
            assert schemes == ["ApiKey", "Bearer"], route
            roles = {
                tuple(roles)
                for requirement in operation["security"]
                for roles in requirement.values()
            }
            assert len(roles) == 1, route
            assert roles.pop()[0] in {scope.value for scope in Scope}, route
            assert {"401", "403"} <= set(operation["responses"]), route


def test_every_operation_has_a_summary_a_tag_and_a_success_answer(
    generated: dict[str, Any],
) -> None:
    tags = {tag["name"] for tag in generated["tags"]}
    for route, operation in documented_routes(generated).items():
        # (powertools' default summary is the route itself)
        assert operation["summary"], route
        assert not operation["summary"].startswith(route[0]), route
        assert set(operation["tags"]) <= tags, route
        assert any(code.startswith(("2", "3")) for code in operation["responses"]), route
        # operationIds are the handlers' names, unique across the API
        assert operation["operationId"].isidentifier(), route
    ids = [operation["operationId"] for operation in documented_routes(generated).values()]
    assert len(ids) == len(set(ids))


def test_success_answers_name_the_real_models(generated: dict[str, Any]) -> None:
    # Given routes whose handlers return known models
    operations = documented_routes(generated)

    def success_schema(route: tuple[str, str], status: str) -> Any:
        return operations[route]["responses"][status]["content"]["application/json"]["schema"]

    # Then the document names those models, not an untyped body
    assert success_schema(("GET", "/v1/calls"), "200") == {"$ref": "#/components/schemas/CallList"}
    assert success_schema(("POST", "/v1/calls"), "202") == {
        "$ref": "#/components/schemas/DialAccepted"
    }
    assert success_schema(("GET", "/v1/calls/{call_id}"), "200") == {
        "anyOf": [
            {"$ref": "#/components/schemas/Call"},
            {"$ref": "#/components/schemas/CallWithTranscript"},
        ]
    }
    # And a route with no body answers none
    assert "content" not in operations[("DELETE", "/v1/calls/{call_id}")]["responses"]["204"]
    # And the call's schema carries an example made like the demo data
    example = generated["components"]["schemas"]["Call"]["examples"][0]
    assert example["direction"] == "outbound"
    assert example["start_time"].endswith("Z")


def test_every_json_request_body_has_an_example_its_schema_accepts(
    generated: dict[str, Any],
) -> None:
    from jsonschema import Draft202012Validator

    # Given the JSON request bodies of the document
    bodies = {
        route: operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        for route, operation in documented_routes(generated).items()
        if "application/json" in operation.get("requestBody", {}).get("content", {})
    }
    assert len(bodies) >= 13

    for route, ref in bodies.items():
        # Then each body's schema shows an example (Swagger UI fills "Try it out" with it, and
        # the fuzzing sends it first), which that schema accepts
        name = ref.rsplit("/", 1)[-1]
        examples = generated["components"]["schemas"][name].get("examples")
        assert examples, route
        validator = Draft202012Validator({"$ref": ref, "components": generated["components"]})
        assert list(validator.iter_errors(examples[0])) == [], route


def test_error_answers_come_from_the_map_of_errors_to_statuses() -> None:
    # When a route declares the errors it raises
    declared = http.operation(
        "Get a recording",
        tag=http.Tag.CALLS,
        scope=Scope.CALLS_READ,
        ok={200: http.ErrorBody},
        errors=(CallNotFound, RecordingNotAvailable),
    )
    answers = declared["responses"]

    # Then both 404s share one answer, each with its own example
    examples = answers[404]["content"]["application/json"]["examples"]
    assert examples == {
        "CallNotFound": {"value": {"detail": "Call not found"}},
        "RecordingNotAvailable": {"value": {"detail": "Recording not available"}},
    }
    # And the missing scope joins API Gateway's refused key in 403
    examples = answers[403]["content"]["application/json"]["examples"]
    assert examples["MissingScope"] == {"value": {"detail": "Missing scope calls:read"}}
    assert examples["RefusedKey"] == {"value": {"message": "Forbidden"}}
    # And validation is always declared, and so is 503 for AWS throttling; 500 never is
    assert set(answers) == {200, 401, 403, 404, 422, 503}
    examples = answers[503]["content"]["application/json"]["examples"]
    assert examples == {"ServiceBusy": {"value": {"detail": "The service is busy; retry shortly"}}}
    # And each declared status is the one the exception handler answers with
    assert http.status_of(CallNotFound) == 404
    assert http.status_of(MissingScope) == 403


def test_a_route_that_calls_no_aws_service_declares_no_503() -> None:
    declared = http.operation(
        "Get a static page", tag=http.Tag.DOCS, ok={200: http.ErrorBody}, calls_aws=False
    )
    assert set(declared["responses"]) == {200, 422}


def test_a_422_domain_error_joins_the_validation_answer() -> None:
    answers = http.operation(
        "Queue a call",
        tag=http.Tag.DIALING,
        scope=Scope.CALLS_WRITE,
        ok={202: None},
        errors=(IdempotencyKeyReused,),
    )["responses"]

    media = answers[422]["content"]["application/json"]
    assert media["schema"] == {
        "anyOf": [
            {"$ref": "#/components/schemas/ValidationErrorBody"},
            {"$ref": "#/components/schemas/ErrorBody"},
        ]
    }
    assert set(media["examples"]) == {"IdempotencyKeyReused", "ValidationError"}


def test_an_error_the_map_does_not_name_cannot_be_declared() -> None:
    class Unmapped(DialtoneError):
        pass

    with pytest.raises(LookupError, match="Unmapped has no HTTP status"):
        http.operation("Anything", tag=http.Tag.CALLS, ok={200: None}, errors=(Unmapped,))


def test_every_event_a_subscription_can_choose_is_documented_as_a_webhook_with_its_payload(
    generated: dict[str, Any],
) -> None:
    # Given the document's webhooks and its schemas
    webhooks = generated["webhooks"]
    schemas = generated["components"]["schemas"]

    # Then every subscribable event type is there, and nothing else
    assert set(webhooks) == {event.value for event in SUBSCRIBABLE_EVENTS}
    for name, item in webhooks.items():
        operation = item["post"]
        assert operation["description"]
        headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
        assert headers == {"webhook-id", "webhook-timestamp", "webhook-signature"}
        assert "2XX" in operation["responses"]
        # And its body is `{"type", "timestamp", "data"}` with the type fixed to the event's
        ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        payload = schemas[ref.removeprefix("#/components/schemas/")]
        assert set(payload["required"]) == {"type", "timestamp", "data"}
        assert payload["properties"]["type"]["const"] == name
        # And its data carries the sequence and links, a call's data the whole call object
        data = schemas[payload["properties"]["data"]["$ref"].removeprefix("#/components/schemas/")]
        assert {"sequence", "links"} <= set(data["required"])
        assert "transcript" not in data["properties"]
        if name.startswith("call."):
            assert set(schemas["Call"]["properties"]) < set(data["properties"])
        else:
            assert {"batch_id", "status", "total", "completed", "failed"} <= set(data["required"])


def _links(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    """(path, status, response, link) of every link of the document."""
    return [
        (path, status, response, link)
        for path, methods in document["paths"].items()
        for operation in methods.values()
        for status, response in operation["responses"].items()
        for link in response.get("links", {}).values()
    ]


def test_every_link_reaches_an_operation_and_fills_its_path_parameters(
    generated: dict[str, Any],
) -> None:
    schemas = generated["components"]["schemas"]
    operations = {op["operationId"]: op for op in documented_routes(generated).values()}
    links = _links(generated)
    # Every id-taking resource is reachable from where it is created
    assert len(links) >= 30
    for path, status, response, link in links:
        # A link starts from a success and names an operation of the document
        assert status.startswith("2"), (path, status)
        target = operations[link["operationId"]]
        # And it fills every path parameter of the target, and only those
        needed = {p["name"] for p in target.get("parameters", []) if p["in"] == "path"}
        assert set(link["parameters"]) == needed, (path, link)
        for expression in link["parameters"].values():
            source, _, field = expression.partition("#/")
            if source == "$response.body":  # an id the answer's model has
                model = response["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
                assert field in schemas[model]["properties"], (path, expression)
            else:  # or a path parameter of the request it answers
                assert "{" + expression.removeprefix("$request.path.") + "}" in path, expression

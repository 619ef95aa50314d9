"""GET /v1/docs and GET /v1/openapi.json through their handler: public, read-only, and the
document served is the committed one."""

from __future__ import annotations

import json

import pytest

from dialtone import settings
from local.invoke import api_event, invoke, sample_event
from tools import openapi


def test_the_document_is_served_without_a_key() -> None:
    # Given a request with no key and no authorizer context
    event = api_event("get_api_docs", "GET /v1/openapi.json", "/v1/openapi.json")
    assert "authorizer" not in event["requestContext"]

    # When the document is asked for
    result = invoke("get_api_docs", event)

    # Then it is the committed openapi.json, as JSON
    assert result["statusCode"] == 200
    assert result["headers"]["Content-Type"] == "application/json"
    assert result["body"] == openapi.DOCUMENT.read_text()
    assert json.loads(result["body"])["info"]["title"] == "Dialtone Calls API"


def test_the_docs_page_loads_swagger_ui_on_the_served_document() -> None:
    # When the sample request for the docs page is handled
    result = invoke("get_api_docs", sample_event("get_api_docs"))

    # Then it is an HTML page that runs Swagger UI from the CDN on ./openapi.json
    assert result["statusCode"] == 200
    assert result["headers"]["Content-Type"].startswith("text/html")
    page = result["body"]
    assert 'src="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5.17.14/swagger-ui-bundle.js"' in page
    assert 'url: "openapi.json"' in page


def test_swagger_ui_can_be_loaded_from_a_mirror(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a deployment whose browsers reach Swagger UI at a mirror of its own
    monkeypatch.setenv("SWAGGER_UI_URL", "https://assets.example.com/swagger-ui/")
    settings.reset()

    # When the docs page is asked for
    result = invoke("get_api_docs", sample_event("get_api_docs"))
    settings.reset()

    # Then its script and style come from the mirror
    assert 'src="https://assets.example.com/swagger-ui/swagger-ui-bundle.js"' in result["body"]
    assert 'href="https://assets.example.com/swagger-ui/swagger-ui.css"' in result["body"]

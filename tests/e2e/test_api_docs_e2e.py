"""The API's documentation over real HTTP through the local stack: public, no key needed."""

from __future__ import annotations

import pytest
import requests

from local.stack import LocalStack
from tools import openapi

pytestmark = pytest.mark.e2e


def test_docs_and_document_are_served_without_a_key(local_stack: LocalStack) -> None:
    api_url = local_stack.info["api_url"]

    # When the document and the docs page are asked for with no API key
    document = requests.get(f"{api_url}/v1/openapi.json", timeout=30)
    page = requests.get(f"{api_url}/v1/docs", timeout=30)

    # Then the document is the committed openapi.json, routes and all
    assert document.status_code == 200
    assert document.headers["content-type"] == "application/json"
    assert document.text == openapi.DOCUMENT.read_text()
    assert "/v1/calls/{call_id}" in document.json()["paths"]
    # And the page is Swagger UI reading that document
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "swagger-ui-bundle.js" in page.text
    assert 'url: "openapi.json"' in page.text


def test_the_rest_of_the_api_still_needs_a_key(local_stack: LocalStack) -> None:
    # When a documented, protected route is called with no key
    response = requests.get(f"{local_stack.info['api_url']}/v1/calls", timeout=30)

    # Then it is refused as the document says: 403 (the authorizer sees requests without a key)
    assert response.status_code == 403

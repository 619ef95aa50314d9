"""GET /v1/docs (Swagger UI) and GET /v1/openapi.json (the API's OpenAPI document): public and
read-only. The document is the `openapi.json` that `make openapi` writes next to this file."""

from __future__ import annotations

import functools
import html
from pathlib import Path
from typing import Any

from pydantic import Field

from dialtone import http, settings
from dialtone.http import Response
from dialtone.observability import api_handler

app = http.create_app()


class DocsSettings(settings.EnvSettings):
    """Where the API docs page loads Swagger UI from: swagger-ui-dist on a public CDN by
    default; a mirror of it for browsers that cannot reach the CDN."""

    swagger_ui_url: str = Field(
        alias="SWAGGER_UI_URL",
        default="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5.17.14",
        min_length=1,
    )


DOCUMENT = Path(__file__).resolve().parent / "openapi.json"
CACHE_CONTROL = "public, max-age=300"

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Dialtone Calls API</title>
  <link rel="stylesheet" href="{ui}/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{ui}/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({{
      url: "openapi.json",
      dom_id: "#swagger-ui",
      persistAuthorization: true
    }});
  </script>
</body>
</html>
"""

PAGE_ANSWER = {
    "description": "Swagger UI for this API's document",
    "content": {"text/html": {"schema": {"type": "string"}}},
}
DOCUMENT_ANSWER = {
    "description": "This document: OpenAPI 3.1",
    "content": {"application/json": {"schema": {"type": "object"}}},
}


@functools.cache
def document() -> str:
    return DOCUMENT.read_text()


@settings.per_environment
def page() -> str:
    ui = settings.load(DocsSettings).swagger_ui_url.rstrip("/")
    return PAGE.format(ui=html.escape(ui, quote=True))


@app.get(
    "/v1/docs",
    **http.operation(
        "Browse this API's documentation (Swagger UI)",
        tag=http.Tag.DOCS,
        ok={200: PAGE_ANSWER},
        calls_aws=False,
    ),
)
def get_api_docs() -> Response[Any]:
    return Response(
        status_code=200,
        content_type="text/html; charset=utf-8",
        body=page(),
        headers={"Cache-Control": CACHE_CONTROL},
    )


@app.get(
    "/v1/openapi.json",
    **http.operation(
        "Get this API's OpenAPI document",
        tag=http.Tag.DOCS,
        ok={200: DOCUMENT_ANSWER},
        calls_aws=False,
    ),
)
def get_openapi_document() -> Response[Any]:
    return Response(
        status_code=200,
        content_type="application/json",
        body=document(),
        headers={"Cache-Control": CACHE_CONTROL},
    )


@api_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)

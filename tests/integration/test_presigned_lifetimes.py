"""Every presigned link the API hands out lives 15 minutes unless asked otherwise, and never more
than an hour: read from the links themselves (X-Amz-Expires, a POST policy's expiration)."""

from __future__ import annotations

import ast
import base64
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from pydantic import BaseModel, ValidationError

from dialtone.auth import Scope
from dialtone.calls import CallsReaderSettings
from dialtone.exports import ExportSettings
from dialtone.recordings import RecordingsSettings
from tests.call_routes import body, call_route, create_call

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SECONDS = 15 * 60
MAX_SECONDS = 60 * 60

# Each setting that sets a link's lifetime, with the environment the model needs besides.
LIFETIME_SETTINGS = [
    (CallsReaderSettings, "RECORDING_URL_TTL_SECONDS"),
    (ExportSettings, "EXPORT_URL_TTL_SECONDS"),
    (RecordingsSettings, "RECORDING_UPLOAD_TTL_SECONDS"),
]
REQUIRED = {"CALLS_TABLE": "calls", "RECORDINGS_BUCKET": "recordings"}

# Where the code presigns (file, function): uploads are checked here, recording and export links
# in their routes' tests (test_get_call_recording: 15 minutes by default, 3601 s refused;
# test_export_calls). A new place must be added here, and its links tested.
PRESIGNING_SITES = {
    ("layers/common/python/dialtone/recordings.py", "create_upload"),
    ("layers/common/python/dialtone/recordings.py", "presign_recording"),
    ("layers/common/python/dialtone/recordings.py", "store_export"),
}


def expires(url: str) -> int:
    return int(parse_qs(urlsplit(url).query)["X-Amz-Expires"][0])


def presigning_sites() -> set[tuple[str, str]]:
    """(file, function) of every call of boto3's generate_presigned_url/post in the code."""
    found = set()
    sources = [*ROOT.glob("layers/*/python/**/*.py"), *ROOT.glob("functions/*/app.py")]
    for path in sources:
        tree = ast.parse(path.read_text())
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef):
                continue
            for node in ast.walk(function):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr.startswith("generate_presigned")
                ):
                    found.add((str(path.relative_to(ROOT)), function.name))
    return found


def test_every_place_that_presigns_is_known() -> None:
    assert presigning_sites() == PRESIGNING_SITES


@pytest.mark.parametrize(("model", "variable"), LIFETIME_SETTINGS)
def test_link_lifetimes_default_to_15_minutes_and_cannot_exceed_an_hour(
    model: type[BaseModel], variable: str
) -> None:
    # Given a setting that sets a link's lifetime
    (name,) = [name for name, f in model.model_fields.items() if f.alias == variable]

    # Then it is 15 minutes unless set, an hour is allowed, and more is refused
    assert getattr(model.model_validate(REQUIRED), name) == DEFAULT_SECONDS
    assert getattr(model.model_validate({**REQUIRED, variable: "3600"}), name) == MAX_SECONDS
    with pytest.raises(ValidationError):
        model.model_validate({**REQUIRED, variable: str(MAX_SECONDS + 1)})


def test_the_template_sets_no_link_lifetime_beyond_an_hour(stack: Any) -> None:
    # Given every function's environment in the template (and its globals)
    environments = [stack.template.get("Globals", {}).get("Function", {}).get("Environment", {})]
    for resource in stack.template["Resources"].values():
        environments.append(resource.get("Properties", {}).get("Environment", {}))

    # Then none sets a lifetime above an hour (the settings would refuse to start)
    for environment in environments:
        for _, variable in LIFETIME_SETTINGS:
            value = environment.get("Variables", {}).get(variable)
            assert value is None or int(value) <= MAX_SECONDS, variable


UPLOAD_ROUTE = "POST /v1/calls/{call_id}/recording/upload"


def test_an_upload_link_lives_15_minutes(tenant: Any) -> None:
    # Given a call the runtime created
    call_id = create_call(tenant)
    ingest = tenant.authorizer(Scope.CALLS_INGEST)

    # When it asks for a PUT and a POST upload
    put = body(
        call_route("create_recording_upload", UPLOAD_ROUTE, call_id, ingest, {"format": "wav"})
    )
    post = body(
        call_route(
            "create_recording_upload",
            UPLOAD_ROUTE,
            call_id,
            ingest,
            {"format": "wav", "method": "POST"},
        )
    )

    # Then the PUT link is signed for 15 minutes, and the POST policy expires within them
    assert expires(put["upload_url"]) == DEFAULT_SECONDS
    policy = json.loads(base64.b64decode(post["fields"]["policy"]))
    expiration = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    assert 0 < (expiration - datetime.now(UTC)).total_seconds() <= DEFAULT_SECONDS

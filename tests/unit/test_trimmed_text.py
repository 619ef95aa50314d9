"""Free text of a request (titles, names, descriptions, reasons) is held to the contract's
length as it is sent, then kept without its surrounding whitespace."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from dialtone.agents import AgentUpdate
from dialtone.dialing.suppressions import SuppressionCreate
from dialtone.quality.models import IssueReportCreate
from dialtone.webhooks.service import WebhookUpdate

# (model, the field, its maxLength, what else the model needs)
FIELDS: list[tuple[type[BaseModel], str, int, dict[str, Any]]] = [
    (IssueReportCreate, "title", 120, {"severity": "critical"}),
    (IssueReportCreate, "description", 4000, {"title": "t", "severity": "critical"}),
    (SuppressionCreate, "reason", 500, {"phone_number": "+14155550123"}),
    (AgentUpdate, "name", 120, {}),
    (WebhookUpdate, "description", 500, {}),
]


def _schema_max_length(model: type[BaseModel], field: str) -> int:
    schema = model.model_json_schema()["properties"][field]
    options = schema.get("anyOf", [schema])
    return int(next(o["maxLength"] for o in options if "maxLength" in o))


@pytest.mark.parametrize(("model", "field", "limit", "extra"), FIELDS)
def test_text_over_the_contract_s_length_is_refused_even_when_trimmed_it_would_fit(
    model: type[BaseModel], field: str, limit: int, extra: dict[str, Any]
) -> None:
    # Given the length the contract declares for the field
    assert _schema_max_length(model, field) == limit

    # When a client sends one character more, of which the first is whitespace
    with pytest.raises(ValidationError) as refused:
        model.model_validate({**extra, field: "\f" + "*" * limit})

    # Then it is refused on that field, as too long
    assert [(e["loc"], e["type"]) for e in refused.value.errors()] == [
        ((field,), "string_too_long")
    ]


@pytest.mark.parametrize(("model", "field", "limit", "extra"), FIELDS)
def test_text_within_the_length_is_kept_without_its_surrounding_whitespace(
    model: type[BaseModel], field: str, limit: int, extra: dict[str, Any]
) -> None:
    sent = " \t" + "x" * (limit - 4) + "\n "
    assert getattr(model.model_validate({**extra, field: sent}), field) == "x" * (limit - 4)


@pytest.mark.parametrize(("model", "field"), [(IssueReportCreate, "title"), (AgentUpdate, "name")])
def test_required_text_of_whitespace_only_is_refused(model: type[BaseModel], field: str) -> None:
    extra = {"severity": "critical"} if model is IssueReportCreate else {}
    with pytest.raises(ValidationError) as refused:
        model.model_validate({**extra, field: " \t "})
    assert [e["loc"] for e in refused.value.errors()] == [(field,)]

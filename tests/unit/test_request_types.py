"""What a request body's field refuses: every value its published schema refuses.

pydantic's lax mode reads `true` as the number 1, `1` or `"yes"` as true and `"5"` as the number
5, where the contract's `number`, `integer` and `boolean` are JSON's own types: a client that
sends `{"p95": true}` must get the 422 the contract promises, not a stored 1.0."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Annotated, Any

import pytest
from jsonschema import Draft202012Validator
from pydantic import BaseModel, TypeAdapter, ValidationError

from dialtone.ingest import CallUpdate
from dialtone.models import LatencyStats
from local.invoke import load_handler
from tools import openapi

# JSON values of every type, and text that lax mode would read as a number or a flag.
PROBES: tuple[Any, ...] = (
    *(True, False, 0, 1, 2.5, 200, None, [], {}),
    *("1", "2.5", "200", "true", "yes", "", "1970-01-01T00:00:00Z"),
)


def _models_within(model: type[BaseModel], seen: set[type[BaseModel]]) -> Iterator[type[BaseModel]]:
    if model in seen:
        return
    seen.add(model)
    yield model
    for field in model.model_fields.values():
        for part in _types_in(field.annotation):
            if isinstance(part, type) and issubclass(part, BaseModel):
                yield from _models_within(part, seen)


def _types_in(annotation: Any) -> Iterator[Any]:
    yield annotation
    for argument in getattr(annotation, "__args__", ()):
        yield from _types_in(argument)
    for base in getattr(annotation, "__origin__", None), *getattr(annotation, "__metadata__", ()):
        if isinstance(base, type):
            yield base


def request_body_models() -> list[type[BaseModel]]:
    """Every model a JSON request body of the API is read into, nested ones included."""
    seen: set[type[BaseModel]] = set()
    for name in openapi.api_function_names():
        app = load_handler(name).app
        for route in app._static_routes + app._dynamic_routes:
            for param in route.dependant.body_params:
                for part in _types_in(param.field_info.annotation):
                    if isinstance(part, type) and issubclass(part, BaseModel):
                        list(_models_within(part, seen))
    return sorted(seen, key=lambda model: f"{model.__module__}.{model.__qualname__}")


MODELS = request_body_models()


def test_the_request_models_are_found() -> None:
    names = {model.__name__ for model in MODELS}
    assert {"CallUpdate", "LatencyStats", "ExchangeIn", "EventIn", "DialRequest"} <= names


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_a_field_refuses_every_value_its_schema_refuses(model: type[BaseModel]) -> None:
    wrongly_accepted = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if field.metadata:
            annotation = Annotated[annotation, *field.metadata]
        adapter: TypeAdapter[Any] = TypeAdapter(annotation)
        schema = Draft202012Validator(adapter.json_schema())
        for probe in PROBES:
            if schema.is_valid(probe):
                continue
            try:
                adapter.validate_python(probe)
            except ValidationError:
                continue
            wrongly_accepted.append(f"{name}={probe!r}")

    assert wrongly_accepted == []


def test_a_flag_for_a_number_is_refused_where_it_was_sent() -> None:
    # Given the fuzzer's finding: a latency percentile sent as `true`
    with pytest.raises(ValidationError) as raised:
        CallUpdate.model_validate({"latency": {"stt": {"p95": True}}})

    # Then the error names the field and what was wrong with it
    (error,) = raised.value.errors()
    assert error["loc"][:3] == ("latency", "stt", "p95")
    assert error["msg"] == "Input should be a number, not true or false"


def test_numbers_as_stored_still_read_into_the_shared_models() -> None:
    # DynamoDB gives numbers back as Decimal: what a stored call holds still reads
    stats = LatencyStats.model_validate({"p95": Decimal("412.5"), "num": Decimal("3")})

    assert (stats.p95, stats.num) == (412.5, 3)


def test_a_moment_sent_as_a_number_is_refused_by_ingest() -> None:
    with pytest.raises(ValidationError, match="ISO-8601"):
        CallUpdate.model_validate({"start_time": 1_770_000_000})

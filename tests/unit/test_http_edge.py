"""The HTTP edge's rules for what a client sends: how deep a JSON body may nest, and which
characters of a path are encoded back so that any path id reaches its route."""

from __future__ import annotations

import json
from typing import Any

import pytest

from dialtone.errors import InvalidParameter
from dialtone.http import MAX_BODY_DEPTH, decode_json_body, routable_path


def arrays(levels: int) -> str:
    return "[" * levels + "]" * levels


def objects(levels: int) -> str:
    return '{"a": ' * levels + "null" + "}" * levels


def mixed(levels: int) -> str:
    value: Any = 1
    for level in range(levels):
        value = [value] if level % 2 else {"k": value}
    return json.dumps(value)


@pytest.mark.parametrize("shape", [arrays, objects, mixed])
def test_a_body_at_the_limit_is_decoded_and_one_level_more_is_refused(shape: Any) -> None:
    assert decode_json_body(shape(MAX_BODY_DEPTH)) == json.loads(shape(MAX_BODY_DEPTH))

    with pytest.raises(InvalidParameter) as refused:
        decode_json_body(shape(MAX_BODY_DEPTH + 1))

    assert refused.value.location == ("body",)
    assert refused.value.detail == f"The body nests more than {MAX_BODY_DEPTH} levels deep"


@pytest.mark.parametrize("levels", [10_000, 1_000_000])
def test_a_body_deeper_than_the_decoder_can_recurse_is_refused_not_a_recursion_error(
    levels: int,
) -> None:
    with pytest.raises(InvalidParameter):
        decode_json_body(arrays(levels))


def test_a_wide_body_of_many_brackets_is_not_deep() -> None:
    # Given far more brackets than levels, side by side, and brackets inside strings
    body = {"items": [[{}] for _ in range(1_000)], "text": "[[[[" * 100}

    assert decode_json_body(json.dumps(body)) == body


@pytest.mark.parametrize("text", ["1", '"text"', "null", "{}", "[]"])
def test_scalars_and_empty_containers_are_decoded(text: str) -> None:
    assert decode_json_body(text) == json.loads(text)


def test_invalid_json_is_still_a_decode_error() -> None:
    with pytest.raises(json.JSONDecodeError):
        decode_json_body('{"a": ')


@pytest.mark.parametrize(
    ("path", "routable"),
    [
        ("/v1/calls/6f1c2b1e-6c4e-4f7e-9d55-0a4b0f7d2c11", None),
        ("/v1/agents/front_desk-2", None),
        ("/v1/calls/%F0%9F%98%80", None),  # already encoded: kept, never encoded twice
        ("/v1/calls/\N{GRINNING FACE}", "/v1/calls/%F0%9F%98%80"),
        ("/v1/calls/caf\N{LATIN SMALL LETTER E WITH ACUTE}", "/v1/calls/caf%C3%A9"),
        ('/v1/calls/a"b?c#d', "/v1/calls/a%22b%3Fc%23d"),
        ("/v1/calls/a\\b\tc`", "/v1/calls/a%5Cb%09c%60"),
        ("/v1/calls/a/b", None),  # a slash stays a separator
    ],
)
def test_only_what_no_route_can_match_is_percent_encoded(path: str, routable: str | None) -> None:
    assert routable_path(path) == (routable or path)

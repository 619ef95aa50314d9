"""What the benchmarks read straight from the embedded endpoint's tables (`bench.fixture`)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from bench.fixture import stored_items
from local.endpoint import EmbeddedAws
from tests.tables import create_keyed_table


@pytest.fixture
def table(embedded_aws: EmbeddedAws) -> Iterator[tuple[Any, str]]:
    """A table keyed by `pk` and `sk` holding items of two partition prefixes; dropped after."""
    dynamodb = embedded_aws.session().client("dynamodb")
    name = f"bench-fixture-{uuid.uuid4().hex[:8]}"
    create_keyed_table(dynamodb, name)
    for n in range(30):
        prefix = "T#a#R#" if n % 3 else "T#b#R#"
        item = {
            "pk": {"S": f"{prefix}D2026031{n % 4}"},
            "sk": {"S": f"S#{n}"},
            "calls": {"N": str(n * 7)},
            "names": {"SS": ["x", f"y{n}"]},
            "meta": {"M": {"l": {"L": [{"N": "1"}, {"S": "two"}]}, "b": {"BOOL": True}}},
        }
        dynamodb.put_item(TableName=name, Item=item)
    try:
        yield dynamodb, name
    finally:
        dynamodb.delete_table(TableName=name)


def test_stored_items_are_what_a_scan_returns_of_their_partitions(table: tuple[Any, str]) -> None:
    dynamodb, name = table

    # When a prefix's items are read straight from the table, and scanned
    read = stored_items(name, "T#a#R#")
    scanned = [
        item
        for page in dynamodb.get_paginator("scan").paginate(TableName=name)
        for item in page["Items"]
        if item["pk"]["S"].startswith("T#a#R#")
    ]

    # Then they are the same items, attribute for attribute
    assert read is not None

    def key(item: dict[str, Any]) -> tuple[str, str]:
        return item["pk"]["S"], item["sk"]["S"]

    assert sorted(read, key=key) == sorted(scanned, key=key)
    assert len(scanned) == 20


def test_a_table_not_in_this_process_is_none() -> None:
    assert stored_items("bench-fixture-absent", "T#") is None

"""Each fix of local/moto_fixes.py: the defect of moto's own code that it assumes (so that a
moto which changes it fails here, not silently in the local stack), and what the fix does.

moto's own functions are reached with `moto_fixes.unpatched`, whether or not the fixes were
applied before; both run on the backend of the embedded endpoint, on tables of their own.
"""

from __future__ import annotations

import contextlib
import copy
import inspect
import re
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from moto.dynamodb.exceptions import ConditionalCheckFailed, DynamodbException
from moto.dynamodb.models import DynamoDBBackend, dynamodb_backends
from moto.dynamodb.models import table as moto_table
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table
from moto.dynamodb.responses import DynamoHandler

from local import moto_fixes
from local.endpoint import REGION, EmbeddedAws

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def dynamodb(embedded_aws: EmbeddedAws) -> Any:
    return embedded_aws.session().client("dynamodb")


@pytest.fixture
def make_table(dynamodb: Any) -> Iterator[Callable[..., str]]:
    """New tables keyed by `pk` and `sk` (strings), holding the items given (with a stream of
    new and old images, when asked, and an index `by-g` on `g` and `t`, when asked); dropped
    after."""
    names: list[str] = []

    def make(*items: dict[str, Any], stream: bool = False, index: bool = False) -> str:
        name = f"moto-fixes-{uuid.uuid4().hex[:8]}"
        streaming = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
        by_g = {
            "IndexName": "by-g",
            "KeySchema": [
                {"AttributeName": "g", "KeyType": "HASH"},
                {"AttributeName": "t", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "ALL"},
        }
        keys = ("pk", "sk", "g", "t") if index else ("pk", "sk")
        dynamodb.create_table(
            TableName=name,
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"} for key in keys],
            BillingMode="PAY_PER_REQUEST",
            **({"StreamSpecification": streaming} if stream else {}),
            **({"GlobalSecondaryIndexes": [by_g]} if index else {}),
        )
        names.append(name)
        for item in items:
            dynamodb.put_item(TableName=name, Item=item)
        return name

    yield make
    for name in names:
        dynamodb.delete_table(TableName=name)


def _backend(table_name: str) -> Any:
    """The backend (of whichever account the endpoint's credentials map to) holding a table."""
    for regions in dynamodb_backends.values():
        backend = regions.get(REGION)
        if backend is not None and table_name in backend.tables:
            return backend
    raise LookupError(table_name)


def _item(pk: str, sk: str, **values: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}, **{k: {"S": v} for k, v in values.items()}}


def _contents(backend: Any, table_name: str) -> list[dict[str, Any]]:
    items = backend.get_table(table_name).all_items()
    return [item.to_json()["Attributes"] for item in items]


# The version check


def test_fixes_are_written_for_the_pinned_moto() -> None:
    # Given the moto pinned for development
    pins = (REPO / "requirements-dev.txt").read_text()
    pinned = re.search(r"^moto==(\S+)$", pins, re.MULTILINE)

    # Then the fixes name that version as theirs
    assert pinned is not None
    assert pinned[1] == moto_fixes.MOTO_VERSION


def test_another_moto_version_is_refused_with_what_to_do(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a moto other than the one the fixes were written for
    monkeypatch.setattr(moto_fixes, "_applied", False)
    monkeypatch.setattr(moto_fixes.importlib.metadata, "version", lambda _: "5.3.0")
    patched = DynamoDBBackend.put_item

    # When the fixes are applied, Then they refuse, naming both versions, and patch nothing
    with pytest.raises(RuntimeError, match=r"moto 5\.2\.5, but moto 5\.3\.0 is installed"):
        moto_fixes.apply()
    assert DynamoDBBackend.put_item is patched


def test_the_pinned_moto_version_is_accepted() -> None:
    moto_fixes.check_version(moto_fixes.MOTO_VERSION)


# One item operation at a time


def _racing_puts(put: Callable[[str], None], monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Two conditional puts of one new item, each held between its read of the item and its
    check of the condition until the other gets there too (or a second has passed)."""
    meet = threading.Barrier(2, timeout=1.0)
    check = moto_table.get_filter_expression

    def held(expression: Any, names: Any = None, values: Any = None) -> Any:
        if names and "#race" in names:
            # When the other put is not coming, it waits for this one to finish.
            with contextlib.suppress(threading.BrokenBarrierError):
                meet.wait()
        return check(expression, names, values)

    monkeypatch.setattr(moto_table, "get_filter_expression", held)
    outcomes: list[str] = []

    def attempt(writer: str) -> None:
        try:
            put(writer)
        except ConditionalCheckFailed:
            outcomes.append("refused")
        else:
            outcomes.append("written")

    threads = [threading.Thread(target=attempt, args=(w,)) for w in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    return sorted(outcomes)


def _create_once(put_item: Any, backend: Any, table_name: str) -> Callable[[str], None]:
    def put(writer: str) -> None:
        put_item(
            backend,
            table_name,
            _item("call", "CALL", writer=writer),
            condition_expression="attribute_not_exists(#race)",
            expression_attribute_names={"#race": "pk"},
        )

    return put


def test_moto_checks_a_condition_and_writes_without_a_lock(
    make_table: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given moto's own put_item
    name = make_table()
    backend = _backend(name)
    put = _create_once(moto_fixes.unpatched(DynamoDBBackend, "put_item"), backend, name)

    # When two puts that may only create the item race
    outcomes = _racing_puts(put, monkeypatch)

    # Then both pass their condition: the second overwrote the first
    assert outcomes == ["written", "written"]


def test_racing_conditional_writes_are_one_after_the_other(
    make_table: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the fixed put_item
    name = make_table()
    backend = _backend(name)
    put = _create_once(DynamoDBBackend.put_item, backend, name)

    # When two puts that may only create the item race
    outcomes = _racing_puts(put, monkeypatch)

    # Then the second sees the first's item and is refused
    assert outcomes == ["refused", "written"]
    assert [i["writer"]["S"] for i in _contents(backend, name)] in (["first"], ["second"])


def test_every_item_operation_of_moto_is_wrapped_in_the_lock() -> None:
    for name in moto_fixes._ATOMIC_OPERATIONS:
        assert getattr(DynamoDBBackend, name) is not moto_fixes.unpatched(DynamoDBBackend, name)
        assert callable(moto_fixes.unpatched(DynamoDBBackend, name)), name


# TransactWriteItems


def _table_copies(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the tables deep-copied from now on."""
    copied: list[str] = []
    deepcopy = copy.deepcopy

    def counting(value: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(value, Table):
            copied.append(value.name)
        return deepcopy(value, *args, **kwargs)

    monkeypatch.setattr(copy, "deepcopy", counting)
    return copied


def _puts(name: str, count: int) -> list[dict[str, Any]]:
    return [{"Put": {"TableName": name, "Item": _item("call", f"E#{n}")}} for n in range(count)]


def test_moto_copies_the_whole_table_for_each_item_of_a_transaction(
    make_table: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a table, and moto's own TransactWriteItems
    name = make_table(_item("call", "CALL"))
    backend = _backend(name)
    transact = moto_fixes.unpatched(DynamoDBBackend, "transact_write_items")
    copied = _table_copies(monkeypatch)

    # When a transaction puts three items
    transact(backend, _puts(name, 3))

    # Then the table was copied three times
    assert copied == [name, name, name]


def test_a_transaction_copies_only_the_items_it_writes(
    make_table: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a table and the fixed TransactWriteItems
    name = make_table(_item("call", "CALL"))
    backend = _backend(name)
    copied = _table_copies(monkeypatch)

    # When a transaction puts three items
    DynamoDBBackend.transact_write_items(backend, _puts(name, 3))

    # Then it wrote them, copying no table
    assert copied == []
    assert len(_contents(backend, name)) == 4


_SEED = (_item("call", "CALL", status="queued", n="one"), _item("call", "E#1", text="hi"))

# Transactions on a table holding _SEED (`{t}` is its name), each answered the same by moto's
# own TransactWriteItems and the fixed one.
_TRANSACTIONS: dict[str, list[dict[str, Any]]] = {
    "every write made": [
        {"Put": {"TableName": "{t}", "Item": _item("call", "E#2", text="there")}},
        {
            "Update": {
                "TableName": "{t}",
                "Key": _item("call", "CALL"),
                "UpdateExpression": "SET #s = :s",
                "ConditionExpression": "#s = :queued",
                "ExpressionAttributeNames": {"#s": "status"},
                "ExpressionAttributeValues": {":s": {"S": "dialing"}, ":queued": {"S": "queued"}},
            }
        },
        {"Delete": {"TableName": "{t}", "Key": _item("call", "E#1")}},
    ],
    "a condition that fails, with the item asked for": [
        {
            "ConditionCheck": {
                "TableName": "{t}",
                "Key": _item("call", "CALL"),
                "ConditionExpression": "attribute_exists(pk)",
            }
        },
        {
            "Put": {
                "TableName": "{t}",
                "Item": _item("call", "E#1", text="changed"),
                "ConditionExpression": "attribute_not_exists(sk)",
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            }
        },
        {"Put": {"TableName": "{t}", "Item": _item("call", "E#3")}},
    ],
    "two operations on one item": [
        {"Put": {"TableName": "{t}", "Item": _item("call", "E#4")}},
        {"Delete": {"TableName": "{t}", "Key": _item("call", "E#4")}},
    ],
    "an unsupported operation": [
        {"Put": {"TableName": "{t}", "Item": _item("call", "E#5")}},
        {"Get": {"TableName": "{t}", "Key": _item("call", "CALL")}},
    ],
    "a write that fails after another was made": [
        {"Put": {"TableName": "{t}", "Item": _item("call", "E#6")}},
        {
            "Update": {
                "TableName": "{t}",
                "Key": _item("call", "CALL"),
                "UpdateExpression": "SET n = n + :one",
                "ExpressionAttributeValues": {":one": {"N": "1"}},
            }
        },
    ],
}


def _on(name: str, transaction: list[dict[str, Any]]) -> list[dict[str, Any]]:
    def fill(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        return name if value == "{t}" else value

    return [fill(item) for item in transaction]


def _answer(transact: Any, backend: Any, items: list[dict[str, Any]]) -> tuple[str, str, int]:
    """(error type, error body, status), all empty for a transaction that succeeded."""
    try:
        transact(backend, items)
    except DynamodbException as error:
        return error.error_type, error.description, error.code
    return "", "", 200


@pytest.mark.parametrize("case", list(_TRANSACTIONS))
def test_a_transaction_is_answered_and_applied_as_moto_does(
    case: str, make_table: Callable[..., str]
) -> None:
    # Given two tables holding the same items
    theirs, ours = make_table(*_SEED), make_table(*_SEED)
    backend = _backend(theirs)

    # When moto's own TransactWriteItems runs on one and the fixed one on the other
    expected = _answer(
        moto_fixes.unpatched(DynamoDBBackend, "transact_write_items"),
        backend,
        _on(theirs, _TRANSACTIONS[case]),
    )
    answered = _answer(
        DynamoDBBackend.transact_write_items, backend, _on(ours, _TRANSACTIONS[case])
    )

    # Then both answer the same, and leave the same items
    assert answered == expected
    assert _contents(backend, ours) == _contents(backend, theirs)


def test_a_failed_transaction_reports_each_reason_and_writes_nothing(
    make_table: Callable[..., str], dynamodb: Any
) -> None:
    # Given a table holding an exchange
    name = make_table(*_SEED)
    items = _on(name, _TRANSACTIONS["a condition that fails, with the item asked for"])

    # When a transaction's second put finds its sort key taken
    with pytest.raises(ClientError) as raised:
        dynamodb.transact_write_items(TransactItems=items)

    # Then the reasons name it, with the item that holds the key, and nothing was written
    reasons = raised.value.response["CancellationReasons"]
    assert [r["Code"] for r in reasons] == ["None", "ConditionalCheckFailed", "None"]
    assert reasons[1]["Item"] == _item("call", "E#1", text="hi")
    assert len(_contents(_backend(name), name)) == 2


def test_a_write_that_fails_puts_back_what_the_transaction_wrote(
    make_table: Callable[..., str], dynamodb: Any
) -> None:
    # Given a call whose `n` is a string
    name = make_table(*_SEED)
    items = _on(name, _TRANSACTIONS["a write that fails after another was made"])

    # When a transaction puts an item, then fails to add a number to `n`
    with pytest.raises(ClientError):
        dynamodb.transact_write_items(TransactItems=items)

    # Then the put item is gone again
    assert "Item" not in dynamodb.get_item(TableName=name, Key=_item("call", "E#6"))


def test_moto_measures_a_number_by_its_characters() -> None:
    # Given moto's own measure of an attribute value
    size = moto_fixes.unpatched(DynamoType, "size")

    # Then a number is as many bytes as it has characters (DynamoDB counts otherwise)
    assert [size(DynamoType({"N": n})) for n in ("1", "12345", "-0.0012300")] == [1, 5, 10]


def test_a_number_is_measured_as_dynamodb_measures_it() -> None:
    # Then a number is a byte and one for every two significant digits, alone or in a set
    sizes = [DynamoType({"N": n}).size() for n in ("1", "12", "12345", "-0.0012300", "0", "1E+3")]
    assert sizes == [2, 2, 4, 3, 2, 2]
    assert DynamoType({"NS": ["1", "123"]}).size() == 2 + 3
    assert DynamoType({"M": {"n": {"N": "1"}}}).size() == 1 + 2
    assert moto_fixes.number_size("12345") == 4


def test_an_item_of_small_counters_is_refused_where_dynamodb_refuses_it(
    make_table: Callable[..., str], dynamodb: Any
) -> None:
    # Given an item of 41,000 one-digit counters with names of 8 characters: 369,000 bytes as
    # moto counts them, 410,000 as DynamoDB does (over its limit)
    name = make_table()
    counters = {f"c{n:07d}": {"N": "1"} for n in range(41_000)}

    # When it is put, it is refused for its size
    with pytest.raises(ClientError) as raised:
        dynamodb.put_item(TableName=name, Item={**_item("call", "COUNTERS"), **counters})
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert "Item size has exceeded the maximum allowed size" in str(raised.value)


def _past_the_item_limit(name: str) -> list[dict[str, Any]]:
    """A put of a new item, then an update taking `BIG` (300 KB) past DynamoDB's 400 KB."""
    grow = {
        "TableName": name,
        "Key": _item("call", "BIG"),
        "UpdateExpression": "SET more = :more",
        "ExpressionAttributeValues": {":more": {"S": "y" * 150_000}},
    }
    return [
        {"Put": {"TableName": name, "Item": _item("call", "E#9", text="new")}},
        {"Update": grow},
    ]


def test_moto_fails_a_transaction_past_the_item_limit_with_a_validation_exception(
    make_table: Callable[..., str],
) -> None:
    # Given an item of 300 KB
    name = make_table(_item("call", "BIG", text="x" * 300_000))
    backend = _backend(name)

    # When moto's own TransactWriteItems would take it past 400 KB
    error_type, body, status = _answer(
        moto_fixes.unpatched(DynamoDBBackend, "transact_write_items"),
        backend,
        _past_the_item_limit(name),
    )

    # Then it fails the whole request (the fix answers as DynamoDB does instead)
    assert (error_type, status) == ("com.amazonaws.dynamodb.v20120810#ValidationException", 400)
    assert "Item size to update has exceeded the maximum allowed size" in body


def test_a_write_past_the_item_limit_cancels_the_transaction_with_a_validation_error(
    make_table: Callable[..., str], dynamodb: Any
) -> None:
    # Given an item of 300 KB
    name = make_table(_item("call", "BIG", text="x" * 300_000))

    # When a transaction puts a new item, then would take that one past 400 KB
    with pytest.raises(ClientError) as raised:
        dynamodb.transact_write_items(TransactItems=_past_the_item_limit(name))

    # Then it is cancelled as DynamoDB cancels it: the update's reason a ValidationError
    response = raised.value.response
    assert response["Error"]["Code"] == "TransactionCanceledException"
    reasons = response["CancellationReasons"]
    assert [r["Code"] for r in reasons] == ["None", "ValidationError"]
    assert reasons[1]["Message"] == "Item size to update has exceeded the maximum allowed size"
    # and nothing is written
    assert "Item" not in dynamodb.get_item(TableName=name, Key=_item("call", "E#9"))
    big = dynamodb.get_item(TableName=name, Key=_item("call", "BIG"))["Item"]
    assert "more" not in big


# Query of one partition


def _all_items_seen(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many items each Query's look at the table's items saw, from now on."""
    seen: list[int] = []
    all_items = Table.all_items

    def counting(self: Any) -> Any:
        items = all_items(self)
        seen.append(len(items))
        return items

    monkeypatch.setattr(Table, "all_items", counting)
    return seen


def _query(query: Any, table: Any, pk: str) -> list[str]:
    items, _, _ = query(table, DynamoType({"S": pk}), None, [], None, None, True, None)
    return [item.range_key.value for item in items]


@pytest.fixture
def two_calls(make_table: Callable[..., str]) -> Any:
    """A table holding a call of 2 items and another of 5."""
    small = [_item("small", f"E#{n}") for n in range(2)]
    large = [_item("large", f"E#{n}") for n in range(5)]
    name = make_table(*small, *large)
    return _backend(name).get_table(name)


def test_moto_queries_a_partition_by_reading_the_whole_table(
    two_calls: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = _all_items_seen(monkeypatch)

    found = _query(moto_fixes.unpatched(Table, "query"), two_calls, "small")

    assert found == ["E#0", "E#1"]
    assert seen == [7]


def test_a_query_reads_only_the_partition_it_names(
    two_calls: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = _all_items_seen(monkeypatch)

    found = _query(Table.query, two_calls, "small")

    assert found == ["E#0", "E#1"]
    assert seen == [2]


def test_moto_query_takes_the_arguments_the_fix_passes_in_order() -> None:
    parameters = list(inspect.signature(moto_fixes.unpatched(Table, "query")).parameters)

    assert parameters[:9] == [
        "self",
        "hash_key",
        "range_comparison",
        "range_objs",
        "limit",
        "exclusive_start_key",
        "scan_index_forward",
        "projection_expressions",
        "index_name",
    ]


# Query of an index


@pytest.fixture
def indexed(make_table: Callable[..., str]) -> str:
    """A table with an index on `g` (hash) and `t` (range), holding 60 items in three index
    partitions (and one without `t`, which the index leaves out)."""
    items = [
        # Equal `t` values in a partition: the table's key orders them.
        _item(f"call{n % 11}", f"E#{n:02d}", g=f"g{n % 3}", t=f"t{(n * 7) % 20:02d}", n=str(n))
        for n in range(60)
    ]
    return make_table(*items, _item("call0", "E#99", g="g0"), index=True)


# Queries of the index: key conditions, order, page size, filters.
_INDEX_QUERIES: list[dict[str, Any]] = [
    {"KeyConditionExpression": "g = :g", "ExpressionAttributeValues": {":g": {"S": "g0"}}},
    {
        "KeyConditionExpression": "g = :g AND t BETWEEN :a AND :b",
        "ExpressionAttributeValues": {":g": {"S": "g1"}, ":a": {"S": "t03"}, ":b": {"S": "t12"}},
        "ScanIndexForward": False,
    },
    {
        "KeyConditionExpression": "g = :g AND begins_with(t, :p)",
        "ExpressionAttributeValues": {":g": {"S": "g2"}, ":p": {"S": "t1"}},
        "Limit": 3,
    },
    {
        "KeyConditionExpression": "g = :g AND t > :a",
        "FilterExpression": "n <> :n",
        "ExpressionAttributeValues": {":g": {"S": "g0"}, ":a": {"S": "t05"}, ":n": {"S": "3"}},
        "Limit": 4,
        "ScanIndexForward": False,
    },
    {"KeyConditionExpression": "g = :g", "ExpressionAttributeValues": {":g": {"S": "none"}}},
]


def _index_pages(dynamodb: Any, name: str, query: dict[str, Any]) -> list[Any]:
    """Every page of a query of the index, as answered."""
    pages: list[Any] = []
    start: dict[str, Any] = {}
    while True:
        page = dynamodb.query(TableName=name, IndexName="by-g", **query, **start)
        page.pop("ResponseMetadata")
        pages.append(page)
        if "LastEvaluatedKey" not in page:
            return pages
        start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}


def test_moto_sorts_every_item_of_the_table_for_a_query_of_an_index(
    indexed: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = _all_items_seen(monkeypatch)
    table = _backend(indexed).get_table(indexed)
    query = moto_fixes.unpatched(Table, "query")
    condition = [("g", DynamoType({"S": "g1"}))]

    items, _, _ = query(
        table, None, None, [], None, None, True, None, "by-g", hash_key_conditions=condition
    )

    assert len(items) == 20
    assert seen == [61]


def test_a_query_of_an_index_is_answered_as_moto_answers_it(
    indexed: str, dynamodb: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the queries' pages with the fix
    seen = _all_items_seen(monkeypatch)
    fixed = [_index_pages(dynamodb, indexed, query) for query in _INDEX_QUERIES]
    # (which never had moto sort the whole table)
    assert seen == []

    # When the same queries are made by moto's own query
    for name in ("query", "sorted_items"):
        monkeypatch.setattr(Table, name, moto_fixes.unpatched(Table, name))
    theirs = [_index_pages(dynamodb, indexed, query) for query in _INDEX_QUERIES]

    # Then every page is the same: items, order, counts and where the next page starts
    assert fixed == theirs
    assert [sum(page["Count"] for page in pages) for pages in fixed] == [20, 10, 10, 14, 0]
    assert len(fixed[2]) > 1


def test_a_query_of_an_index_measures_only_the_items_in_its_key_range(
    indexed: str, dynamodb: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    measured: list[str] = []
    size = Item.size

    def counting(self: Any) -> int:
        measured.append(self.attrs["n"].value)
        return int(size(self))

    monkeypatch.setattr(Item, "size", counting)
    query = {
        "KeyConditionExpression": "g = :g AND t BETWEEN :a AND :b",
        "ExpressionAttributeValues": {":g": {"S": "g1"}, ":a": {"S": "t03"}, ":b": {"S": "t04"}},
    }

    # When the query is made with the fix, Then only the items returned are measured
    (page,) = _index_pages(dynamodb, indexed, query)
    returned = {item["n"]["S"] for item in page["Items"]}
    assert set(measured) == returned
    assert len(returned) == 2

    # When moto's own query makes it, Then it measures every item of the index partition
    measured.clear()
    monkeypatch.setattr(Table, "query", moto_fixes.unpatched(Table, "query"))
    assert _index_pages(dynamodb, indexed, query) == [page]
    assert len(set(measured)) > 10


def _table_walks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times, from now on, the fix looks at every item of a table."""
    walks: list[int] = []
    every_item = moto_fixes._every_item

    def counting(table: Any) -> list[Any]:
        walks.append(1)
        return every_item(table)

    monkeypatch.setattr(moto_fixes, "_every_item", counting)
    return walks


def _writes_of_every_kind(dynamodb: Any, name: str) -> None:
    """Items added to an index partition, moved between partitions, removed, and written by a
    transaction and a batch."""
    dynamodb.put_item(TableName=name, Item=_item("call20", "E#70", g="g1", t="t05", n="70"))
    dynamodb.update_item(
        TableName=name,
        Key=_item("call1", "E#01"),
        UpdateExpression="SET g = :g",
        ExpressionAttributeValues={":g": {"S": "g2"}},
    )
    dynamodb.delete_item(TableName=name, Key=_item("call2", "E#02"))
    dynamodb.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": name, "Item": _item("call21", "E#71", g="g1", t="t00", n="71")}}
        ]
    )
    dynamodb.batch_write_item(
        RequestItems={
            name: [
                {"PutRequest": {"Item": _item("call22", "E#72", g="g0", t="t19", n="72")}},
                {"DeleteRequest": {"Key": _item("call3", "E#03")}},
            ]
        }
    )


def test_a_query_of_an_index_looks_at_every_item_once_until_the_next_write(
    indexed: str, dynamodb: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    walks = _table_walks(monkeypatch)

    # When every query is made twice with no write between
    for _ in range(2):
        for query in _INDEX_QUERIES:
            _index_pages(dynamodb, indexed, query)
    # Then the table's items were looked at once
    assert len(walks) == 1

    # When an item is written, Then the next query looks at them again
    dynamodb.put_item(TableName=indexed, Item=_item("call30", "E#80", g="g0", t="t01"))
    _index_pages(dynamodb, indexed, _INDEX_QUERIES[0])
    assert len(walks) == 2


def test_a_query_of_an_index_reads_each_items_sort_key_once_until_the_next_write(
    indexed: str, dynamodb: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    keyed: list[int] = []
    sort_key = moto_fixes._sort_key

    def counting(item: Any, names: tuple[str, ...]) -> tuple[Any, ...]:
        keyed.append(1)
        return sort_key(item, names)

    monkeypatch.setattr(moto_fixes, "_sort_key", counting)
    query = _INDEX_QUERIES[0]

    # When the query of an index partition of 20 items is made twice with no write between
    first = _index_pages(dynamodb, indexed, query)
    assert _index_pages(dynamodb, indexed, query) == first
    # Then each item's sort key was read once
    assert len(keyed) == 20

    # When an item is written, Then the next query reads them again, and sees the new item
    dynamodb.put_item(TableName=indexed, Item=_item("call30", "E#80", g="g0", t="t01"))
    assert sum(page["Count"] for page in _index_pages(dynamodb, indexed, query)) == 21
    assert len(keyed) == 41


def test_a_query_of_an_index_sees_every_write_as_moto_does(
    indexed: str, dynamodb: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the queries made once, so that the index partitions are kept
    for query in _INDEX_QUERIES:
        _index_pages(dynamodb, indexed, query)

    # When writes of every kind change the partitions
    _writes_of_every_kind(dynamodb, indexed)

    # Then the queries answer as moto's own query does
    fixed = [_index_pages(dynamodb, indexed, query) for query in _INDEX_QUERIES]
    for name in ("query", "sorted_items"):
        monkeypatch.setattr(Table, name, moto_fixes.unpatched(Table, name))
    assert fixed == [_index_pages(dynamodb, indexed, query) for query in _INDEX_QUERIES]
    assert [sum(page["Count"] for page in pages) for pages in fixed] == [20, 10, 9, 15, 0]


def test_a_write_straight_into_a_table_is_seen_once_it_is_said(indexed: str, dynamodb: Any) -> None:
    # Given the index partitions kept
    query = _INDEX_QUERIES[0]
    before = sum(page["Count"] for page in _index_pages(dynamodb, indexed, query))

    # When an item is put straight into moto's table, and `changed` is called
    item = Item(
        DynamoType({"S": "call40"}),
        DynamoType({"S": "E#90"}),
        _item("call40", "E#90", g="g0", t="t02"),
    )
    _backend(indexed).get_table(indexed).items[item.hash_key][item.range_key] = item
    moto_fixes.changed()

    # Then the next query finds it
    assert sum(page["Count"] for page in _index_pages(dynamodb, indexed, query)) == before + 1


@pytest.mark.parametrize(
    "keys",
    [
        [_item("a", "1"), _item("a", "2"), _item("b", "1")],
        [_item("a", "1"), _item("b", "1"), _item("a", "1")],
        [_item("a", "1"), {"sk": {"S": "1"}, "pk": {"S": "a"}}],
        ["text", "other", "text"],
        [],
    ],
    ids=["distinct", "repeated", "same-key-other-order", "texts", "none"],
)
def test_a_batch_names_a_key_twice_as_moto_finds_it(keys: list[Any]) -> None:
    theirs = moto_fixes.unpatched(DynamoHandler, "_contains_duplicates")

    assert DynamoHandler._contains_duplicates(None, keys) == theirs(None, keys)  # type: ignore[arg-type]


# Answers holding items


_RICH = {
    **_item("call", "CALL"),
    "audio": {"B": b"\x00\xffRIFF"},
    "chunks": {"BS": [b"\x01", b"\x02"]},
    "counts": {"NS": ["1", "2.5"]},
    "meta": {
        "M": {
            "nested": {"L": [{"S": "x"}, {"NULL": True}, {"BOOL": False}]},
            "blob": {"B": b"\x07\x00"},
        }
    },
    # An attribute named as a type
    "S": {"M": {"N": {"N": "3"}}},
}


def _answers(dynamodb: Any, name: str) -> list[Any]:
    got = dynamodb.get_item(TableName=name, Key=_item("call", "CALL"))
    queried = dynamodb.query(
        TableName=name,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": "call"}},
    )
    for answer in (got, queried):
        answer.pop("ResponseMetadata")
    return [got, queried]


def test_answers_holding_items_are_sent_as_moto_would_send_them(
    make_table: Callable[..., str], dynamodb: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an item with binary, sets, nulls and nested values
    name = make_table(_RICH)
    written: list[Any] = []
    wire = moto_fixes._wire

    def counting(value: Any) -> Any:
        written.append(value)
        return wire(value)

    monkeypatch.setattr(moto_fixes, "_wire", counting)

    # When it is read with the fix, and with moto's own serializer
    fixed = _answers(dynamodb, name)
    # (moto still hands each answer over as the JSON it sends)
    answers = [v for v in written if isinstance(v, dict) and v.keys() & {"Item", "Items"}]
    assert len(answers) == 2
    monkeypatch.setattr(
        DynamoHandler, "serialized", moto_fixes.unpatched(DynamoHandler, "serialized")
    )
    theirs = _answers(dynamodb, name)

    # Then the answers are the same, and the item is read back as written
    assert fixed == theirs
    assert fixed[0]["Item"] == _RICH
    assert fixed[1]["Items"] == [_RICH]


def test_moto_turns_each_answer_into_plain_values_by_its_module_s_converter() -> None:
    # Given moto's result of an item operation (the fix replaces the converter it calls)
    from moto.dynamodb import responses

    source = inspect.getsource(responses.DynamoResult.__init__)

    # Then it converts the answer with the module's `dynamo_to_dict`
    assert "dynamo_to_dict(result)" in source


def test_answers_are_made_plain_values_as_moto_makes_them(
    make_table: Callable[..., str], dynamodb: Any
) -> None:
    # Given an item with binary, sets, nulls and nested values, as moto holds it
    from moto.dynamodb import responses
    from moto.dynamodb.models.utilities import dynamo_to_dict

    name = make_table(_RICH)
    table = _backend(name).get_table(name)
    item = table.get_item(DynamoType(_RICH["pk"]), DynamoType(_RICH["sk"]))
    answers = [
        {"Item": item.attrs, "ConsumedCapacity": None},
        {"Items": [item.attrs, item.to_json()["Attributes"]], "Count": 2, "ScannedCount": 2},
        {"Attributes": item.to_json()["Attributes"], "when": item},
    ]

    # When each is converted with the fix, and with moto's own converter
    assert responses.dynamo_to_dict is not dynamo_to_dict
    fixed = [responses.dynamo_to_dict(answer) for answer in answers]
    theirs = [dynamo_to_dict(answer) for answer in answers]

    # Then the values are the same, binary as bytes
    assert fixed == theirs
    assert fixed[0]["Item"]["audio"] == {"B": b"\x00\xffRIFF"}


# Counter updates


def test_counter_updates_add_and_set_as_dynamodb_does(
    dynamodb: Any, make_table: Callable[..., str]
) -> None:
    # Given an item holding a counter, and another with a text attribute of the same name
    table = make_table({**_item("a", "1"), "n": {"N": "5"}}, _item("b", "1", n="text"))
    names = {"#n": "n", "#m": "m"}

    # When counters are added to (one new) and a value set, alone and in a transaction
    dynamodb.update_item(
        TableName=table,
        Key=_item("a", "1"),
        UpdateExpression="ADD #n :two, #m :minus SET as_of = :t",
        ExpressionAttributeNames=names,
        ExpressionAttributeValues={":two": {"N": "2"}, ":minus": {"N": "-1.5"}, ":t": {"N": "9"}},
    )
    dynamodb.transact_write_items(
        TransactItems=[
            {
                "Update": {
                    "TableName": table,
                    "Key": _item("c", "1"),
                    "UpdateExpression": "ADD #n :one",
                    "ExpressionAttributeNames": {"#n": "n"},
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }
            }
        ]
    )

    # Then the numbers moved, a missing item or attribute started at zero
    a = dynamodb.get_item(TableName=table, Key=_item("a", "1"))["Item"]
    assert (a["n"], a["m"], a["as_of"]) == ({"N": "7"}, {"N": "-1.5"}, {"N": "9"})
    c = dynamodb.get_item(TableName=table, Key=_item("c", "1"))["Item"]
    assert c["n"] == {"N": "1"}

    # And adding to text is refused, as DynamoDB refuses it
    with pytest.raises(ClientError, match="ValidationException"):
        dynamodb.update_item(
            TableName=table,
            Key=_item("b", "1"),
            UpdateExpression="ADD #n :one",
            ExpressionAttributeNames={"#n": "n"},
            ExpressionAttributeValues={":one": {"N": "1"}},
        )


def test_a_counter_update_makes_a_new_item_and_leaves_the_one_it_read(
    dynamodb: Any, make_table: Callable[..., str]
) -> None:
    # Given an item holding counters, as moto holds it
    name = make_table({**_item("a", "1"), "n": {"N": "5"}, "m": {"N": "1"}})
    table = _backend(name).get_table(name)
    before = table.get_item(DynamoType({"S": "a"}), DynamoType({"S": "1"}))

    # When a counter is added to
    dynamodb.update_item(
        TableName=name,
        Key=_item("a", "1"),
        UpdateExpression="ADD n :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
    )

    # Then the table holds a new item, and the one read is as it was: a failed transaction
    # may put it back as it is
    after = table.get_item(DynamoType({"S": "a"}), DynamoType({"S": "1"}))
    assert after is not before
    assert before.attrs["n"] == DynamoType({"N": "5"})
    assert after.attrs["n"] == DynamoType({"N": "6"})
    assert after.attrs["m"] is before.attrs["m"]


def test_a_failed_transaction_puts_back_the_counters_it_added_to(
    dynamodb: Any, make_table: Callable[..., str]
) -> None:
    # Given an item holding a counter, and an item whose `n` is text
    name = make_table({**_item("a", "1"), "n": {"N": "5"}}, _item("b", "1", n="text"))
    add = {"UpdateExpression": "ADD n :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}

    # When a transaction adds to the counter, then fails to add to the text
    with pytest.raises(ClientError):
        dynamodb.transact_write_items(
            TransactItems=[
                {"Update": {"TableName": name, "Key": _item("a", "1"), **add}},
                {"Update": {"TableName": name, "Key": _item("b", "1"), **add}},
            ]
        )

    # Then the counter is as it was
    assert dynamodb.get_item(TableName=name, Key=_item("a", "1"))["Item"]["n"] == {"N": "5"}


def test_a_counter_update_that_names_a_key_is_left_to_moto(
    dynamodb: Any, make_table: Callable[..., str]
) -> None:
    # Given an item
    name = make_table({**_item("a", "1"), "n": {"N": "5"}})

    # When an update would set its sort key, then add to a counter
    with pytest.raises(ClientError, match="ValidationException"):
        dynamodb.update_item(
            TableName=name,
            Key=_item("a", "1"),
            UpdateExpression="ADD n :one SET sk = :other",
            ExpressionAttributeValues={":one": {"N": "1"}, ":other": {"S": "2"}},
        )

    # Then it is refused as moto (and DynamoDB) refuse it, and no item moved
    assert "Item" not in dynamodb.get_item(TableName=name, Key=_item("a", "2"))


def test_a_counter_update_that_creates_an_item_checks_its_key_as_a_put_does(
    dynamodb: Any, make_table: Callable[..., str]
) -> None:
    # Given a table, and a partition key longer than DynamoDB's 2,048 bytes
    name = make_table(_item("a", "1"))
    key = _item("k" * 2049, "1")

    # When a counter update would create the item
    # Then it is refused, and no item is made
    with pytest.raises(ClientError, match="ValidationException"):
        dynamodb.update_item(
            TableName=name,
            Key=key,
            UpdateExpression="ADD n :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
        )
    assert len(_contents(_backend(name), name)) == 1


# Items built in one pass


def _counters(count: int) -> dict[str, Any]:
    return {**_item("r", "1"), **{f"c{i}": {"N": str(i)} for i in range(count)}}


_KEY = (DynamoType({"S": "r"}), DynamoType({"S": "1"}))


def _sizes_measured(build: Callable[[], Any], monkeypatch: pytest.MonkeyPatch) -> int:
    """How many attribute sizes moto measures while `build` runs."""
    measured = 0
    size = DynamoType.size

    def counted(self: DynamoType) -> int:
        nonlocal measured
        measured += 1
        return size(self)

    monkeypatch.setattr(DynamoType, "size", counted)
    build()
    monkeypatch.setattr(DynamoType, "size", size)
    return measured


def test_moto_measures_every_attribute_before_each_one_it_adds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given moto's own item constructor and an item of 400 counters
    init = moto_fixes.unpatched(Item, "__init__")
    attrs = _counters(400)

    # When it builds the item
    item = Item.__new__(Item)
    measured = _sizes_measured(lambda: init(item, *_KEY, attrs), monkeypatch)

    # Then it measured each attribute once per attribute added after it
    assert measured >= 400 * 401 // 2


def test_an_item_is_measured_once_and_still_refused_over_the_limit(
    dynamodb: Any, make_table: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a table and an item of 400 counters
    table = make_table()
    attrs = _counters(400)

    # When the item is built, Then each attribute is measured once
    assert _sizes_measured(lambda: Item(*_KEY, attrs), monkeypatch) == len(attrs)

    # And it is written and read back whole
    dynamodb.put_item(TableName=table, Item=attrs)
    assert dynamodb.get_item(TableName=table, Key=_item("r", "1"))["Item"] == attrs

    # And an item over the limit is refused, as moto refuses it
    with pytest.raises(ClientError, match="Item size has exceeded the maximum allowed size"):
        dynamodb.put_item(TableName=table, Item=_item("big", "1", text="x" * 410_000))


# Queries of an index


# Stream records and the dispatch of requests


def test_stream_records_are_sent_as_moto_would_send_them(
    embedded_aws: EmbeddedAws,
    dynamodb: Any,
    make_table: Callable[..., str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from moto.dynamodbstreams.responses import DynamoDBStreamsHandler

    # Given a table with a stream, written with binary, sets and nested values, then updated
    streams = embedded_aws.session().client("dynamodbstreams")
    name = make_table(stream=True)
    dynamodb.put_item(TableName=name, Item=_RICH)
    dynamodb.put_item(TableName=name, Item={**_RICH, "counts": {"NS": ["3"]}})
    arn = dynamodb.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]

    def records() -> list[dict[str, Any]]:
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        answer: list[dict[str, Any]] = streams.get_records(ShardIterator=iterator)["Records"]
        return answer

    # When they are read with the fix, and with moto's own serializer
    fixed = records()
    monkeypatch.setattr(
        DynamoDBStreamsHandler,
        "serialized",
        moto_fixes.unpatched(DynamoDBStreamsHandler, "serialized"),
    )
    theirs = records()

    # Then the records are the same (their times too), and hold the item as written
    assert fixed == theirs
    assert [r["eventName"] for r in fixed] == ["INSERT", "MODIFY"]
    assert fixed[0]["dynamodb"]["NewImage"] == _RICH
    assert fixed[1]["dynamodb"]["OldImage"] == _RICH


def test_the_backend_of_a_host_is_found_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    # Given moto's own search for a host's backend, counted
    searches: list[str | None] = []
    search = moto_fixes.unpatched(DomainDispatcherApplication, "get_backend_for_host")

    def counted(self: Any, host: str | None) -> Any:
        searches.append(host)
        return search(self, host)

    find = moto_fixes._backend_per_host(counted)
    dispatcher = DomainDispatcherApplication(create_app=lambda service: None)  # type: ignore[arg-type,return-value]

    # When the same hosts are asked for again and again
    answers = [
        find(dispatcher, host)
        for host in ["dynamodb.us-east-1.amazonaws.com", "sqs.us-east-1.amazonaws.com"] * 3
    ]

    # Then each is searched once, with moto's answer
    assert answers == ["dynamodb", "sqs"] * 3
    assert searches == ["dynamodb.us-east-1.amazonaws.com", "sqs.us-east-1.amazonaws.com"]


def test_moto_lists_the_methods_of_a_response_class_at_each_request() -> None:
    from moto.core import responses

    # Given moto's dispatch of an action (BaseResponse.call_action)
    source = inspect.getsource(moto_fixes.unpatched(responses.BaseResponse, "call_action"))

    # Then it lists the class's methods by name, through the module's own name for it
    assert "method_names_from_class(self.__class__)" in source
    assert moto_fixes.unpatched(responses, "method_names_from_class").__module__ == (
        "moto.core.utils"
    )


def test_the_methods_of_a_response_class_are_listed_once_with_moto_s_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from moto.core import utils

    # Given moto's own listing, counted
    listed: list[type] = []
    own = utils.method_names_from_class

    def counted(clazz: object) -> list[str]:
        listed.append(clazz)  # type: ignore[arg-type]
        return own(clazz)

    monkeypatch.setattr(utils, "method_names_from_class", counted)
    names = moto_fixes._method_names_per_class()

    # When the names of two classes are asked for again and again
    answers = [names(clazz) for clazz in [DynamoHandler, DynamoHandler, Table, DynamoHandler]]

    # Then each class is listed once, and the names are moto's
    assert listed == [DynamoHandler, Table]
    assert answers[0] == frozenset(own(DynamoHandler))
    assert "get_item" in answers[0]
    assert answers[2] == frozenset(own(Table))


def test_moto_fills_a_request_id_into_every_answer_by_a_search_of_its_body() -> None:
    from moto.core import responses

    # Given moto's enrichment of every answer it sends
    enrich = moto_fixes.unpatched(responses.BaseResponse, "_enrich_response")
    source = inspect.getsource(enrich)

    # Then it searches the whole body for a RequestId element, and names the id in a header
    assert 'body = re.sub(r"(?<=<RequestId>).*(?=<\\/RequestId>)", request_id, body)' in source
    headers, body = enrich({}, '{"Item": {}}')
    assert body == '{"Item": {}}'
    assert headers["x-amzn-requestid"]


@pytest.mark.parametrize(
    "body",
    [
        '{"Items": [{"pk": {"S": "call"}}], "Count": 1}',
        "<SendMessageResponse><RequestId>old</RequestId></SendMessageResponse>",
        b"<RequestId>old</RequestId> of a recording's bytes",
        "",
    ],
)
def test_an_answer_is_enriched_as_moto_enriches_it(body: str | bytes) -> None:
    from moto.core import responses

    # Given moto's enrichment and the fix's
    enrich = moto_fixes.unpatched(responses.BaseResponse, "_enrich_response")
    fixed = moto_fixes._request_id_where_written(enrich)

    # When each enriches the same answer
    theirs = enrich({"status": 200}, body)
    ours = fixed({"status": 200}, body)

    # Then the headers name the same things, and the bodies differ by the request id only
    assert theirs[0].keys() == ours[0].keys()
    assert ours[0]["status"] == "200"
    mine, other = ours[0]["x-amzn-requestid"], theirs[0]["x-amzn-requestid"]
    if isinstance(body, str):
        assert ours[1].replace(mine, "<id>") == theirs[1].replace(other, "<id>")
    else:
        assert ours[1] == theirs[1] == body


# Projections


def _projected(dynamodb: Any, name: str, expression: str) -> Any:
    names = {k: v for k, v in {"#c": "counts", "#odd": "s:done|ok"}.items() if k in expression}
    return dynamodb.get_item(
        TableName=name,
        Key=_item("call", "CALL"),
        ProjectionExpression=expression,
        **({"ExpressionAttributeNames": names} if names else {}),
    ).get("Item")


@pytest.mark.parametrize(
    "expression",
    ["pk, audio, #c", "meta, chunks, #odd, nothere", "meta.nested, audio", "meta.nested[0], sk"],
)
def test_a_projection_answers_as_moto_does(
    dynamodb: Any, make_table: Callable[..., str], monkeypatch: pytest.MonkeyPatch, expression: str
) -> None:
    # Given an item with binary, sets, nested values and a counter named as rollups name theirs
    name = make_table({**_RICH, "s:done|ok": {"N": "12"}})

    # When attributes of it are asked for, with the fix and with moto's own projection
    fixed = _projected(dynamodb, name, expression)
    monkeypatch.setattr(Item, "project", moto_fixes.unpatched(Item, "project"))
    theirs = _projected(dynamodb, name, expression)

    # Then the answers are the same (a set's members in any order, as DynamoDB's)
    assert _sets_sorted(fixed) == _sets_sorted(theirs)
    assert fixed


def _sets_sorted(item: dict[str, Any]) -> dict[str, Any]:
    return {
        name: {kind: sorted(members)} if kind in ("SS", "NS", "BS") else {kind: members}
        for name, value in item.items()
        for kind, members in value.items()
    }


# Copies of a query's items


def test_moto_deep_copies_the_items_a_query_answers_with(monkeypatch: pytest.MonkeyPatch) -> None:
    # moto's table module reaches `copy.deepcopy` through its module attribute `copy`
    source = inspect.getsource(moto_fixes.unpatched(Table, "query"))
    assert "results = copy.deepcopy(results)" in source
    assert moto_fixes.unpatched(moto_table, "copy") is copy


def test_a_query_answers_as_moto_does_and_leaves_the_stored_items_as_they_were(
    indexed: str, dynamodb: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the table's items as stored
    table = _backend(indexed).get_table(indexed)
    stored = copy.deepcopy({k: dict(v) for k, v in table.items.items()})
    queries = [
        *({"IndexName": "by-g", **query} for query in _INDEX_QUERIES),
        {
            "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": {":p": {"S": "call1"}},
            "ProjectionExpression": "sk, n",
        },
        {
            "IndexName": "by-g",
            "KeyConditionExpression": "g = :g",
            "ExpressionAttributeValues": {":g": {"S": "g1"}},
            "ProjectionExpression": "pk, t",
        },
    ]

    def answers() -> list[Any]:
        found = [dynamodb.query(TableName=indexed, **query) for query in queries]
        for page in found:
            page.pop("ResponseMetadata")
        return found

    # When the queries are made with the fix, and with moto's deep copies
    fixed = answers()
    monkeypatch.setattr(moto_table, "copy", copy)
    theirs = answers()

    # Then the answers are the same and no stored item changed
    assert fixed == theirs
    assert {k: dict(v) for k, v in table.items.items()} == stored


# Item sizes


def test_moto_measures_the_items_of_a_page_by_walking_each_one() -> None:
    # moto's Item.size walks every attribute (what a kept size stands for), and its Query
    # measures each item of a page with it
    assert "self.attrs.items()" in inspect.getsource(moto_fixes.unpatched(Item, "size"))
    assert "result.size()" in inspect.getsource(moto_fixes.unpatched(Table, "query"))


def _measures(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times, from now on, an item is walked to measure it."""
    measured: list[int] = []
    size = moto_fixes.unpatched(Item, "size")

    def counting(item: Any) -> int:
        measured.append(1)
        return int(size(item))

    monkeypatch.setattr(Item, "size", moto_fixes._sized_once(counting))
    return measured


def _partition(dynamodb: Any, name: str, pk: str) -> dict[str, Any]:
    return dynamodb.query(
        TableName=name,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": pk}},
    )


def test_an_item_is_measured_once_until_the_next_write(
    make_table: Callable[..., str], dynamodb: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a partition of 10 items
    name = make_table(*(_item("call1", f"E#{n:02d}", n=str(n)) for n in range(10)))
    measured = _measures(monkeypatch)

    # When it is queried twice with no write between
    first = _partition(dynamodb, name, "call1")
    second = _partition(dynamodb, name, "call1")

    # Then each item was measured once (moto measures each twice a query), the same answers
    assert len(measured) == 10
    assert first["Items"] == second["Items"]
    assert first["Count"] == 10

    # When another item is written, Then the next query measures them again
    dynamodb.put_item(TableName=name, Item=_item("call2", "E#00"))
    _partition(dynamodb, name, "call1")
    assert len(measured) == 20


def test_a_page_limit_follows_an_item_that_grew_after_it_was_measured(
    make_table: Callable[..., str], dynamodb: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given four items of 240 KB: one page of a query (moto's page holds up to 1,000,000 bytes)
    name = make_table(*(_item("call1", f"E#{n}", body="x" * 240_000) for n in range(4)))
    assert "LastEvaluatedKey" not in _partition(dynamodb, name, "call1")

    # When one of them grows to 340 KB in place
    dynamodb.update_item(
        TableName=name,
        Key=_item("call1", "E#0"),
        UpdateExpression="SET more = :m",
        ExpressionAttributeValues={":m": {"S": "y" * 100_000}},
    )

    # Then the first page holds three of them, as moto's own measures say
    fixed = _partition(dynamodb, name, "call1")
    monkeypatch.setattr(Item, "size", moto_fixes.unpatched(Item, "size"))
    theirs = _partition(dynamodb, name, "call1")
    assert fixed["Count"] == theirs["Count"] == 3
    assert fixed["LastEvaluatedKey"] == theirs["LastEvaluatedKey"]


def test_a_size_measured_in_a_write_or_across_one_is_not_kept(
    make_table: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an item of a table
    name = make_table(_item("call1", "E#00", n="1"))
    item = next(iter(_backend(name).get_table(name).all_items()))
    size = moto_fixes.unpatched(Item, "size")
    moto_fixes.changed()

    # When it is measured by a write, Then its size is not kept
    monkeypatch.setattr(moto_fixes._writing, "depth", 1, raising=False)
    assert item.size() == size(item)
    assert id(item) not in moto_fixes._sizes
    monkeypatch.setattr(moto_fixes._writing, "depth", 0)

    # When a write ends while a read measures it, Then its size is not kept either
    def measured_while_a_write_ends(measured: Any) -> int:
        moto_fixes.changed()
        return int(size(measured))

    assert moto_fixes._sized_once(measured_while_a_write_ends)(item) == size(item)
    assert id(item) not in moto_fixes._sizes

    # When a read measures it with no write, Then its size is kept
    assert item.size() == size(item)
    assert moto_fixes._sizes[id(item)] == (item, size(item))


# Update expressions parsed by the request handler


def test_moto_s_handler_parses_each_update_expression_and_only_reads_its_tree() -> None:
    from moto.dynamodb import responses

    # Given the request handler's UpdateItem and TransactWriteItems
    for operation in (DynamoHandler.update_item, DynamoHandler.transact_write_items):
        source = inspect.getsource(operation)

        # Then it parses the expression through the module's own name for the parser
        assert "update_expression_ast = UpdateExpressionParser.make(update_expression)" in source
        # And reads the tree only to list its clauses
        uses = re.findall(r"update_expression_ast(\.\w+|\s*=)", source)
        assert set(uses) <= {".find_clauses", " ="}, uses
    assert moto_fixes.unpatched(responses, "UpdateExpressionParser").__module__ == (
        "moto.dynamodb.parsing.expressions"
    )


def test_the_handler_parses_an_update_expression_text_once() -> None:
    from moto.dynamodb.parsing.ast_nodes import ExpressionAttributeName
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser

    # Given moto's parser, counted
    parsed: list[str] = []

    class Counted:
        @classmethod
        def make(cls, text: str) -> Any:
            parsed.append(text)
            return UpdateExpressionParser.make(text)

    kept = moto_fixes._parsed_once(Counted)
    text = "ADD #a0 :a0, #a1 :a1 SET as_of = :as_of"

    # When the same text is asked for three times, and a text that does not parse twice
    trees = [kept.make(text) for _ in range(3)]
    for _ in range(2):
        with pytest.raises(DynamodbException):
            kept.make("ADD #a0 :a0,")

    # Then the text is parsed once, into moto's tree, and the bad one each time, refused
    assert parsed == [text, "ADD #a0 :a0,", "ADD #a0 :a0,"]
    assert trees[0] is trees[1] is trees[2]
    names = [
        c.get_attribute_name_placeholder() for c in trees[0].find_clauses([ExpressionAttributeName])
    ]
    assert names == ["#a0", "#a1"]


def test_updates_are_applied_and_refused_as_moto_does_with_the_tree_kept(
    make_table: Callable[..., str], dynamodb: Any
) -> None:
    # Given a table with a counter item
    name = make_table(_item("r", "S#0"))
    update = {
        "TableName": name,
        "Key": _item("r", "S#0"),
        "UpdateExpression": "ADD #a0 :a0, #a1 :a1",
        "ExpressionAttributeValues": {":a0": {"N": "1"}, ":a1": {"N": "2"}},
    }

    # When the same update is sent three times, alone and in a transaction
    for _ in range(2):
        dynamodb.update_item(**update, ExpressionAttributeNames={"#a0": "n", "#a1": "s:ok"})
    dynamodb.transact_write_items(
        TransactItems=[
            {"Update": {**update, "ExpressionAttributeNames": {"#a0": "n", "#a1": "s:ok"}}}
        ]
    )

    # Then every one adds up
    item = dynamodb.get_item(TableName=name, Key=_item("r", "S#0"))["Item"]
    assert (item["n"], item["s:ok"]) == ({"N": "3"}, {"N": "6"})
    # And a name the (kept) expression does not use is refused as moto refuses it
    with pytest.raises(ClientError, match=re.escape("unused in expressions: keys: {#extra}")):
        dynamodb.update_item(
            **update, ExpressionAttributeNames={"#a0": "n", "#a1": "s:ok", "#extra": "x"}
        )


# Condition expressions parsed by the request handler and by the backend


def test_moto_parses_a_condition_at_each_use_and_only_evaluates_its_tree() -> None:
    from moto.dynamodb import comparisons

    # Given the request handler's TransactWriteItems and the backend's evaluation of a condition
    handler = inspect.getsource(DynamoHandler.transact_write_items)
    evaluation = inspect.getsource(comparisons.get_filter_expression)

    # Then both parse the text anew through ConditionExpressionParser.parse
    assert "parser.parse()" in handler
    assert "parser.expr_attr_names_found" in handler
    assert "create_condition_expression_parser(expr, names, values)" in evaluation
    assert "return parser.parse()" in evaluation
    # And moto's tree nodes only read what they hold when evaluated on an item
    for name, node in vars(comparisons).items():
        if inspect.isclass(node) and node.__module__ == comparisons.__name__:
            for method in ("expr", "get_type"):
                if method in vars(node):
                    source = inspect.getsource(vars(node)[method])
                    assert not re.search(r"self\.\w+\s*(\+|-)?=[^=]", source), (name, method)


def test_a_condition_is_parsed_once_for_its_text_names_and_values() -> None:
    from moto.dynamodb.comparisons import ConditionExpressionParser

    # Given moto's parse, counted
    parsed: list[Any] = []
    original = moto_fixes.unpatched(ConditionExpressionParser, "parse")

    def counted(self: Any) -> Any:
        parsed.append((self.condition_expression, self.expression_attribute_values))
        return original(self)

    parse = moto_fixes._conditions_parsed_once(counted)

    def run(text: str, names: dict[str, str], values: dict[str, Any]) -> Any:
        parser = ConditionExpressionParser(text, names, values)
        return parse(parser), parser.expr_attr_names_found, parser.expr_attr_values_found

    check = "attribute_not_exists(#s) OR #v < :v"
    names = {"#s": "sk", "#v": "version"}

    # When one condition is asked for three times, then with another value, and a text that
    # does not parse twice
    answers = [run(check, names, {":v": {"N": "3"}}) for _ in range(3)]
    other = run(check, names, {":v": {"N": "4"}})
    for _ in range(2):
        with pytest.raises(ValueError, match="Bad function expression"):
            run("attribute_not_exists(", {}, {})

    # Then it is parsed once for each value, the bad text each time (refused as moto does)
    assert len(parsed) == 2 + 2
    trees = [tree for tree, _, _ in answers]
    assert trees[0] is trees[1] is trees[2]
    assert other[0] is not trees[0]
    # And every answer lists the names and values the text uses, as a parse does
    for _, found_names, found_values in [*answers, other]:
        assert sorted(found_names) == ["#s", "#v"]
        assert found_values == [":v"]
    # And the tree kept evaluates an item as moto's own does
    stored = Item(DynamoType({"S": "a"}), None, {**_item("a", "S#0"), "version": {"N": "2"}})
    assert trees[0].expr(stored) is True
    assert other[0].expr(stored) is True
    newer = Item(DynamoType({"S": "a"}), None, {**_item("a", "S#0"), "version": {"N": "3"}})
    assert trees[0].expr(newer) is False
    assert other[0].expr(newer) is True


def test_conditions_are_checked_and_refused_as_moto_does_with_the_parse_kept(
    make_table: Callable[..., str], dynamodb: Any
) -> None:
    # Given a table with an item at version 2
    name = make_table({**_item("r", "S#0"), "version": {"N": "2"}})
    put = {
        "TableName": name,
        "ConditionExpression": "attribute_not_exists(#s) OR #v < :v",
        "ExpressionAttributeNames": {"#s": "sk", "#v": "version"},
    }

    # When a put newer than it is made twice, alone and in a transaction, the same again, and
    # a put naming a name its condition does not use
    dynamodb.put_item(
        **put,
        Item={**_item("r", "S#0"), "version": {"N": "3"}},
        ExpressionAttributeValues={":v": {"N": "3"}},
    )
    with pytest.raises(ClientError, match="ConditionalCheckFailed"):
        dynamodb.put_item(
            **put,
            Item={**_item("r", "S#0"), "version": {"N": "3"}},
            ExpressionAttributeValues={":v": {"N": "3"}},
        )
    with pytest.raises(ClientError, match="TransactionCanceled"):
        dynamodb.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        **put,
                        "Item": {**_item("r", "S#0"), "version": {"N": "3"}},
                        "ExpressionAttributeValues": {":v": {"N": "3"}},
                    }
                }
            ]
        )
    dynamodb.transact_write_items(
        TransactItems=[
            {
                "Put": {
                    **put,
                    "Item": {**_item("r", "S#0"), "version": {"N": "4"}},
                    "ExpressionAttributeValues": {":v": {"N": "4"}},
                }
            }
        ]
    )

    # Then the newer ones were written and the others refused
    item = dynamodb.get_item(TableName=name, Key=_item("r", "S#0"))["Item"]
    assert item["version"] == {"N": "4"}
    # And a name the (kept) condition does not use is refused as moto refuses it
    with pytest.raises(ClientError, match=re.escape("unused in expressions: keys: {#extra}")):
        dynamodb.put_item(
            **{
                **put,
                "ExpressionAttributeNames": {**put["ExpressionAttributeNames"], "#extra": "x"},
            },
            Item={**_item("r", "S#0"), "version": {"N": "5"}},
            ExpressionAttributeValues={":v": {"N": "5"}},
        )

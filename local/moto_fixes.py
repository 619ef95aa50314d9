"""Fixes to moto for the embedded endpoint (the local stack, the tests and the benchmarks),
written against the pinned moto (requirements-dev.txt, `MOTO_VERSION`) and applied by
`EmbeddedAws.start`, which fails on any other moto version.

DynamoDB applies a conditional write atomically; moto's server answers requests in threads and
checks a condition, then writes, so two racing conditional writes could both pass their check
and the second silently overwrite the first. One lock around moto's item operations gives the
guarantee back (the dialer's claim and the versioned merges of call updates rely on it).

moto's TransactWriteItems backs up a whole table (every item, and its stream's records) with
`copy.deepcopy` once for each item of the transaction, so it can put the table back when the
transaction fails. On the local stack's calls table, which holds every exchange and history
event, that makes each append of a call's history cost seconds, and it raises "dictionary
changed size during iteration" (HTTP 500) when another request writes the table meanwhile.

The replacement keeps moto's behaviour and answers (the same cancellation reasons, the same
validation errors) but does what DynamoDB does: it checks every condition first and writes
only when all of them hold, one transaction at a time, and backs up only the items it touches
in case a write fails its own validation. One answer differs from moto's, as DynamoDB's does: a
write that would take an item past 400 KB cancels the transaction with that write's reason
`ValidationError` (moto fails the whole request with a ValidationException instead), which the
rollups' consumer reads to give a tenant more call shards.

An update that only adds to numbers and sets values (`ADD #a :x, #b :y SET c = :z`, no
condition: the rollups' counters) is applied directly: moto validates an update expression in
time that grows with the square of its clauses (seconds for the hundred counters a rollup
update moves), where DynamoDB takes milliseconds. It makes a new item from the current one's
attribute values, the counters it moves apart, instead of turning the whole item into JSON and
parsing it back (a rollup item holds thousands of counters), and leaves the current item as it
was: a transaction keeps that item itself to put back if it fails, where it deep-copies one that
moto's own update changes in place.

moto builds an item attribute by attribute, summing the size of every attribute already there
at each one (its 400 KB check), so building an item takes time that grows with the square of
its attributes: seconds for a rollup item of a few thousand counters, at each write of it. The
item is checked once, as a whole, against the same limit. A number is measured as DynamoDB
measures it, a byte and one for every two significant digits (moto counts its characters: a
rollup item of thousands of one-digit counters passed for kilobytes smaller than DynamoDB
counts it, so it was refused later than on AWS).

And a Query of a table's own key reads the one partition it names, where moto sorted every item
of the table first (which made each transcript or history read slower as the table grew);
and answers that hold items are sent as the JSON they already are, without moto's walk of the
operation's output shape, which cost more than the operation itself. The same goes for a
DynamoDB stream's GetRecords, whose records carry whole items (old and new images).

moto's server finds the service of every request anew: it lists moto's package folder (a
stat of each of its 200 service folders) and tries the URL patterns of every service, under
one lock that every request of every service waits for. The answer for a host never changes,
so it is found once per host. It also listed the methods of the service's response class at
each request (a walk of every attribute of the class): they are listed once per class.

A projection (`ProjectionExpression`) converts the whole item to plain JSON and back once for
each attribute it names; attributes named at the top level are taken as they are.

A Query of an index also sorted every item of the table by the table's key, then kept the
index partition's items and sorted them again, comparing key values with a method call per
comparison, then measured the size of every item of the partition, in the key condition's range
or not: seconds for each page of a tenant of 100,000 calls. It now looks only at the items the
key condition names, sorted once on their keys' values (the same answers, pages and counts).
To find them, the table's items are grouped by each index's partition key once, and grouped
again after the next write, instead of looking at every item of the table at each query; and
each item's key values for the sort are read once and kept until the next write too (reading
them for the 100,000 items of a tenant's index partition took a second or two at each page).

The items a Query answers with are not deep-copied: nothing changes them after.

moto measures an item (for a Query's, a Scan's or a BatchGetItem's page limit) by walking
every attribute of it, nested ones too, twice for each item a page returns: two thirds of a
Query's time for a page of calls on the local stack. An item's size is kept until the next
write (which may change the item in place); a write measures afresh.

Before an answer is serialized, moto turns it into plain values (`dynamo_to_dict`), testing each
value of each item for a datetime, an attribute value object and a `to_json` method (an attribute
lookup that fails, for every text and number) before it sees a dict or a list: a seventh of the
endpoint's time while 20 clients read pages of calls on the local stack. Plain values are taken
as they are and attribute values expanded directly; binary values and anything else are moto's.

A batch's check that it names no key twice compares the keys' JSON text in a set, not each key
with every key before it.

moto parses a condition expression at each use, twice a write: its request handler parses it to
list the names it uses, and its backend again to evaluate it. A transaction appending 25 events
to a call parsed `attribute_not_exists(sk)` 50 times. The parse of a text with its names and
values is kept (the tree is only evaluated, never changed).

moto's request handler parses each UpdateExpression of an UpdateItem or a transaction to list
the names and values it uses (the backend then parses it again to apply it): a fifth of the
endpoint's time while the local stack ingests its demo calls, mostly the rollups' long ADD
expressions, whose text repeats (their placeholders are numbered). The handler only reads the
parsed tree, so it gets the tree of an expression text it has seen before; the backend parses
its own as before.

moto fills the request id into every answer it sends with a regular expression looking for a
`<RequestId>` element over the whole body, the interpreter held throughout: 0.7 ms for a page
of calls (70 KB of JSON), in which no such element can be. An answer whose text has none gets
only moto's headers; one that has one (XML), or a binary body, is moto's as before.
"""

from __future__ import annotations

import base64
import copy
import functools
import importlib.metadata
import json
import re
import threading
import weakref
from decimal import Decimal
from typing import Any

# The moto these fixes were written against and checked with (tests/integration/
# test_moto_fixes.py): they replace and wrap its internals, which change between releases.
MOTO_VERSION = "5.2.5"

# Held by every item read and write, and by whole transactions, so each is atomic.
_ITEMS = threading.RLock()
# The index partitions of tables, kept from one write to the next (`changed`), by id of table:
# (the table, {index key attribute names: {their values: the items}}).
_partitions: dict[int, tuple[weakref.ref[Any], dict[tuple[str, ...], Any]]] = {}
# The sort keys of items, kept from one write to the next (`changed`), by the attribute names
# they are on: {id of item: (the item, its key)}.
_sort_keys: dict[tuple[str, ...], dict[int, tuple[Any, tuple[Any, ...]]]] = {}
# The sizes of items, kept from one write to the next (`changed`): {id of item: (item, size)};
# `_generation` counts the writes, so that a size measured while one ran is not kept.
_sizes: dict[int, tuple[Any, int]] = {}
_generation = 0
# The most sizes kept: items a read makes and drops (projections) are measured too.
_MAX_SIZES = 200_000
# Whether this thread is in a write (its measures are not kept, nor taken from `_sizes`).
_writing = threading.local()
_applied = False
# moto's own attributes, by (class, name), as they were before they were patched.
_originals: dict[tuple[object, str], Any] = {}

_ATOMIC_OPERATIONS = (
    "get_item",
    "put_item",
    "update_item",
    "delete_item",
    "batch_write_item",
    "transact_write_items",
)


def apply() -> None:
    """Install the fixes (once per process), after checking that the installed moto is the
    one they were written for."""
    global _applied
    if _applied:
        return
    check_version(importlib.metadata.version("moto"))
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.dynamo_type import DynamoType, Item
    from moto.dynamodb.models.table import Table
    from moto.dynamodb.responses import DynamoHandler

    _patch(DynamoDBBackend, "transact_write_items", _transact_write_items)
    _patch(DynamoDBBackend, "update_item", _counter_updates(DynamoDBBackend.update_item))
    for name in _ATOMIC_OPERATIONS:
        _patch(DynamoDBBackend, name, _atomic(getattr(DynamoDBBackend, name)))
    _patch(Table, "query", _partition_query(Table.query))
    _patch(Table, "sorted_items", _sorted_by_values(Table.sorted_items))
    _patch(DynamoHandler, "serialized", _item_responses(DynamoHandler.serialized))
    _patch(Item, "__init__", _item_init)
    _patch(Item, "project", _top_level_projection(Item.project))
    _patch(Item, "size", _sized_once(Item.size))
    _patch(DynamoType, "size", _number_sized(DynamoType.size))
    _patch(DynamoHandler, "_contains_duplicates", _contains_duplicates)
    from moto.dynamodb import responses as responses_module
    from moto.dynamodb.models import table as table_module
    from moto.dynamodb.models.utilities import dynamo_to_dict

    _patch(responses_module, "dynamo_to_dict", _plain_values(dynamo_to_dict))

    _patch(table_module, "copy", _QueryCopies)
    _patch_streams_and_dispatch()
    _applied = True


def _patch_streams_and_dispatch() -> None:
    from moto import backends
    from moto.dynamodbstreams.responses import DynamoDBStreamsHandler
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    _patch(
        DynamoDBStreamsHandler, "serialized", _record_responses(DynamoDBStreamsHandler.serialized)
    )
    _patch(
        DomainDispatcherApplication,
        "get_backend_for_host",
        _backend_per_host(DomainDispatcherApplication.get_backend_for_host),
    )
    from moto.core.responses import BaseResponse

    enrich = unpatched(BaseResponse, "_enrich_response")
    _patch(BaseResponse, "_enrich_response", staticmethod(_request_id_where_written(enrich)))
    modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: modules
    from moto.core import responses

    _patch(responses, "method_names_from_class", _method_names_per_class())
    from moto.dynamodb import responses as dynamodb_responses

    parser = unpatched(dynamodb_responses, "UpdateExpressionParser")
    _patch(dynamodb_responses, "UpdateExpressionParser", _parsed_once(parser))
    from moto.dynamodb.comparisons import ConditionExpressionParser

    _patch(
        ConditionExpressionParser,
        "parse",
        _conditions_parsed_once(unpatched(ConditionExpressionParser, "parse")),
    )


# The update expressions whose tree the request handler keeps (rollup updates have one text per
# number of counters they move).
_KEPT_UPDATE_EXPRESSIONS = 1024


def _parsed_once(parser: Any) -> type:
    """moto's UpdateExpressionParser as its request handler uses it: `make` answers the tree
    of an expression text parsed before (the handler only reads it); an expression that does
    not parse raises moto's error each time (errors are not kept)."""

    class ParsedOnce:
        make = staticmethod(functools.lru_cache(maxsize=_KEPT_UPDATE_EXPRESSIONS)(parser.make))

    return ParsedOnce


# The condition expressions whose parse is kept, by text, names and values.
_KEPT_CONDITIONS = 1024


def _conditions_parsed_once(parse: Any) -> Any:
    """moto's ConditionExpressionParser.parse, answering the tree of a text it parsed before
    with the same names and values, and the names and values found in it as parsing found
    them (the request handler reads those). A text that does not parse raises moto's error
    each time (errors are not kept)."""
    kept: dict[str, tuple[Any, list[str], list[str]]] = {}
    lock = threading.Lock()

    def parse_once(self: Any) -> Any:
        if not self.condition_expression:  # no condition: moto answers at once, nothing to key
            return parse(self)
        key = json.dumps(
            [
                self.condition_expression,
                self.expression_attribute_names,
                self.expression_attribute_values,
            ],
            sort_keys=True,
            default=repr,
        )
        with lock:
            found = kept.get(key)
        if found is None:
            tree = parse(self)
            with lock:
                if len(kept) >= _KEPT_CONDITIONS:
                    kept.pop(next(iter(kept)))
                kept[key] = (
                    tree,
                    list(self.expr_attr_names_found),
                    list(self.expr_attr_values_found),
                )
            return tree
        tree, names, values = found
        self.expr_attr_names_found.extend(names)
        self.expr_attr_values_found.extend(values)
        return tree

    return parse_once


def check_version(installed: str) -> None:
    """Refuse any moto but the one the fixes were written for: on another, a fix could
    silently stop applying, or break what it patches."""
    if installed != MOTO_VERSION:
        raise RuntimeError(
            f"local/moto_fixes.py patches the internals of moto {MOTO_VERSION}, but moto "
            f"{installed} is installed. Install the pinned version (pip install -r "
            "requirements-dev.txt), or check every fix against the new moto, then update "
            "MOTO_VERSION with tests/integration/test_moto_fixes.py passing."
        )


def unpatched(owner: object, name: str) -> Any:
    """moto's own attribute `name` of `owner`, whether or not the fixes are applied."""
    return _originals.get((owner, name), getattr(owner, name))


def _patch(owner: object, name: str, replacement: Any) -> None:
    _originals.setdefault((owner, name), getattr(owner, name))
    setattr(owner, name, replacement)


def _atomic(operation: Any) -> Any:
    writes = operation.__name__ != "get_item"

    def locked(self: Any, *args: Any, **kwargs: Any) -> Any:
        with _ITEMS:
            if not writes:
                return operation(self, *args, **kwargs)
            _writing.depth = getattr(_writing, "depth", 0) + 1
            try:
                return operation(self, *args, **kwargs)
            finally:
                _writing.depth -= 1
                changed()

    return locked


def changed() -> None:
    """Items were written: the index partitions and the items' sort keys kept for queries
    (`_index_partitions`, `_sort_keys_of`) are dropped, and found again at the next query.
    moto's item operations say so themselves; what writes straight into a table (a
    benchmark's seed) calls this after."""
    global _generation
    with _ITEMS:
        _partitions.clear()
        _sort_keys.clear()
        _sizes.clear()
        _generation += 1


def _sized_once(size: Any) -> Any:
    """moto's `Item.size`, kept per item until the next write. A write (this thread's) measures
    afresh and keeps nothing: it may be changing the item it measures. A size measured by a read
    while a write ran is kept only if no write ended since it began (under `_ITEMS`, which a
    write holds until it has called `changed`)."""

    def kept_size(self: Any) -> int:
        if getattr(_writing, "depth", 0):
            return int(size(self))
        kept = _sizes.get(id(self))
        if kept is not None and kept[0] is self:
            return kept[1]
        generation = _generation
        measured = int(size(self))
        with _ITEMS:
            if generation == _generation:
                if len(_sizes) >= _MAX_SIZES:
                    _sizes.clear()
                _sizes[id(self)] = (self, measured)
        return measured

    return kept_size


def number_size(text: str) -> int:
    """The bytes DynamoDB counts for a number: one, and one for every two significant digits
    (its sign, point, exponent and leading and trailing zeros count nothing)."""
    mantissa = text.strip().lstrip("+-").lower().split("e", 1)[0].replace(".", "")
    digits = mantissa.strip("0") or "0"
    return 1 + (len(digits) + 1) // 2


def _number_sized(size: Any) -> Any:
    """moto's `DynamoType.size`, numbers (alone or in a set) measured as DynamoDB does."""

    def measured(self: Any) -> int:
        if self.type == "N":
            return number_size(str(self.value))
        return int(size(self))

    return measured


# Answers that hold items, which moto builds already in DynamoDB's JSON form.
_ITEM_ACTIONS = frozenset(
    {
        "BatchGetItem",
        "BatchWriteItem",
        "DeleteItem",
        "GetItem",
        "PutItem",
        "Query",
        "Scan",
        "TransactGetItems",
        "TransactWriteItems",
        "UpdateItem",
    }
)


# The types of DynamoDB's attribute values: a dict of one of them is an attribute value.
_ATTRIBUTE_TYPES = frozenset({"S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"})


def _wire(value: Any) -> Any:
    """A result as DynamoDB's JSON protocol sends it: no nulls. An attribute value holds none,
    so it is not walked (an item is a dict of them); its binary is base64 once the answer is
    written (`_json_default`)."""
    if isinstance(value, dict):
        if len(value) == 1 and not _ATTRIBUTE_TYPES.isdisjoint(value):
            return value
        return {k: _wire(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_wire(v) for v in value]
    return value


def _json_default(value: Any) -> Any:
    """What JSON cannot hold, as the protocol sends it: binary as base64, a stream record's
    time (moto's naive UTC datetime) as epoch seconds to the millisecond."""
    from datetime import UTC, datetime

    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, datetime):
        seconds = (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
        return int(seconds * 1000) / 1000
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _item_responses(serialized: Any) -> Any:
    """moto serializes every answer by walking the operation's output shape, which costs more
    than the operation itself for an item with many attributes; answers holding items are
    written as the JSON they already are."""

    def item_response(self: Any, action_result: Any) -> Any:
        result = action_result.result
        if isinstance(result, dict) and self._get_action() in _ITEM_ACTIONS:
            headers = {"Content-Type": "application/x-amz-json-1.0", **self.response_headers}
            return 200, headers, json.dumps(_wire(result), default=_json_default)
        return serialized(self, action_result)

    return item_response


def _record_responses(serialized: Any) -> Any:
    """GetRecords answered as the JSON its records already are (their images are items in
    DynamoDB's JSON form), the creation time in epoch seconds as the protocol sends it."""

    def record_response(self: Any, action_result: Any) -> Any:
        result = action_result.result
        if isinstance(result, dict) and self._get_action() == "GetRecords":
            headers = {"Content-Type": "application/x-amz-json-1.0", **self.response_headers}
            return 200, headers, json.dumps(_wire(result), default=_json_default)
        return serialized(self, action_result)

    return record_response


# The exact types of the values moto's `dynamo_to_dict` hands back as they are.
_PLAIN = frozenset({str, int, float, bool, type(None)})


def _plain_values(convert: Any) -> Any:
    """moto's `dynamo_to_dict`, with dicts, lists, plain values and attribute values (binary
    ones apart) converted without its tests of each value; the rest as moto converts it."""
    from moto.dynamodb.models.dynamo_type import DynamoType, LimitedSizeDict

    def plain(value: Any) -> Any:
        kind = type(value)
        if kind is dict or kind is LimitedSizeDict:  # (an item's attributes: the latter)
            return {k: plain(v) for k, v in value.items()}
        if kind is list:
            return [plain(v) for v in value]
        if kind in _PLAIN:
            return value
        if kind is DynamoType and value.type not in ("B", "BS"):
            return {value.type: plain(value.value)}
        return convert(value)

    return plain


def _request_id_where_written(enrich: Any) -> Any:
    """moto's `_enrich_response`, given an empty body (so its headers only) when the answer's
    text holds no `<RequestId>` element for it to fill in."""

    def enrich_response(headers: dict[str, str], body: Any) -> tuple[dict[str, str], Any]:
        if isinstance(body, str) and "<RequestId>" not in body:
            headers, _ = enrich(headers, "")
            return headers, body
        return enrich(headers, body)  # type: ignore[no-any-return]

    return enrich_response


def _backend_per_host(find: Any) -> Any:
    """moto's search for the backend of a host, made once per host."""
    found: dict[str | None, Any] = {}

    def backend_for_host(self: Any, host: str | None) -> Any:
        if host not in found:
            found[host] = find(self, host)
        return found[host]

    return backend_for_host


def _method_names_per_class() -> Any:
    """moto's list of a response class's methods (`inspect.getmembers`, a walk of every
    attribute of the class and its bases), made once per class instead of at each request."""
    from moto.core.utils import method_names_from_class

    found: dict[type, frozenset[str]] = {}

    def method_names(clazz: type) -> frozenset[str]:
        names = found.get(clazz)
        if names is None:
            names = found[clazz] = frozenset(method_names_from_class(clazz))
        return names

    return method_names


# moto's item size limit (LimitedSizeDict): between DynamoDB's 400 KB and what it accepts.
_MOTO_ITEM_LIMIT = 405000


def _item_init(self: Any, hash_key: Any, range_key: Any, attrs: dict[str, Any]) -> None:
    """moto's Item.__init__ with its size check made once for the whole item, not once per
    attribute over every attribute before it (the same limit, the same error)."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    _fill_item(self, hash_key, range_key, {key: DynamoType(value) for key, value in attrs.items()})


def _fill_item(self: Any, hash_key: Any, range_key: Any, values: dict[str, Any]) -> None:
    """An item's key and attribute values (moto's typed values), refused with moto's error
    when they are over its item limit."""
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models.dynamo_type import LimitedSizeDict
    from moto.dynamodb.models.utilities import bytesize

    if sum(bytesize(key) + value.size() for key, value in values.items()) > _MOTO_ITEM_LIMIT:
        raise ItemSizeTooLarge
    self.hash_key = hash_key
    self.range_key = range_key
    # LimitedSizeDict's constructor adds the attributes without its per-attribute check.
    self.attrs = LimitedSizeDict(values)


def _partition_query(query: Any) -> Any:
    """moto's Query of a table's own key sorts every item of the table and keeps those of the
    partition asked for; it is given only that partition to look at. A Query of an index sorts
    every item of the table too (then sorts again those it keeps, by the index's keys): it is
    given, unsorted, only the items whose index partition key is the one asked for."""

    def partition_query(
        self: Any,
        hash_key: Any,
        range_comparison: Any,
        range_objs: Any,
        limit: Any,
        exclusive_start_key: Any,
        scan_index_forward: Any,
        projection_expressions: Any,
        index_name: str | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        view = self
        if index_name is None and hash_key is not None and self.range_key_attr:
            view = copy.copy(self)
            view.items = {hash_key: dict(self.items.get(hash_key, {}))}
        elif index_name is not None:
            view = copy.copy(self)
            # An instance attribute: moto's query calls `self.all_items()`.
            view.all_items = lambda: _index_candidates(
                self,
                index_name,
                kwargs.get("hash_key_conditions"),
                range_comparison,
                range_objs,
                kwargs.get("range_key_conditions"),
            )
        return query(
            view,
            hash_key,
            range_comparison,
            range_objs,
            limit,
            exclusive_start_key,
            scan_index_forward,
            projection_expressions,
            index_name,
            *args,
            **kwargs,
        )

    return partition_query


class _QueryCopies:
    """The `copy` module as moto's table module sees it. A Query deep-copies the items it
    answers with (a third of its time for a page of calls), though nothing after changes them:
    projections build new items, filters and the answer only read them. A list of items is
    copied as a list; everything else (a table's backup, a scanned item) deep as before."""

    copy = staticmethod(copy.copy)

    @staticmethod
    def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
        from moto.dynamodb.models.dynamo_type import Item

        if isinstance(value, list) and value and all(isinstance(v, Item) for v in value):
            return list(value)
        return copy.deepcopy(value, memo)


def _contains_duplicates(self: Any, keys: list[Any]) -> bool:
    """moto's check that a batch names no key twice, comparing each key with every key before
    it (5,000 comparisons of keys for a BatchGetItem of 100), made on the keys' JSON text."""
    texts = [k if isinstance(k, str) else json.dumps(k, sort_keys=True) for k in keys]
    return len(set(texts)) != len(texts)


def _top_level_projection(project: Any) -> Any:
    """moto's Item.project, taking attributes named at the top level (no path, no index)
    straight from the item."""

    def top_level(self: Any, projection_expressions: list[list[str]]) -> Any:
        if not all(len(path) == 1 and "[" not in path[0] for path in projection_expressions):
            return project(self, projection_expressions)
        names = [path[0] for path in projection_expressions]
        attributes = {name: self.attrs[name].to_json() for name in names if name in self.attrs}
        return type(self)(self.hash_key, self.range_key, attributes)

    return top_level


def _sorted_by_values(sorted_items: Any) -> Any:
    """moto sorts a Query's items by their key attributes compared as moto's typed values
    (each comparison a method call); here on the keys' values (`cast_value`, as DynamoType
    compares them), computed once per item. Items without a key attribute: moto's own sort."""

    def sort(self: Any, hash_attributes: Any, range_attributes: Any, items: list[Any]) -> Any:
        names = tuple(self._generate_attr_to_sort_by(hash_attributes, range_attributes))
        try:
            with _ITEMS:  # a write meanwhile drops the keys kept (`changed`)
                keys = _sort_keys_of(names, items)
            items.sort(key=lambda item: keys[id(item)])
        except (KeyError, TypeError):
            return sorted_items(self, hash_attributes, range_attributes, items)
        return items

    return sort


def _sort_keys_of(names: tuple[str, ...], items: list[Any]) -> dict[int, tuple[Any, ...]]:
    """Each item's sort key on the attributes `names`, by id of item: found once and kept
    until the next write (under `_ITEMS`), so that the queries of a large index partition
    (every page of a tenant of 100,000 calls) do not each read every item's key values again.
    The item itself is kept with its key, so an id reused by another item is never taken for
    it."""
    known = _sort_keys.setdefault(names, {})
    keys: dict[int, tuple[Any, ...]] = {}
    for item in items:
        entry = known.get(id(item))
        if entry is None or entry[0] is not item:
            entry = (item, _sort_key(item, names))
            known[id(item)] = entry
        keys[id(item)] = entry[1]
    return keys


def _sort_key(item: Any, names: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(item.attrs[name].cast_value for name in names)


def _index_candidates(
    table: Any,
    index_name: str,
    conditions: list[tuple[str, Any]] | None,
    range_comparison: str | None,
    range_objs: list[Any],
    range_conditions: list[tuple[str, str, list[Any]]] | None,
) -> list[Any]:
    """The items a Query of an index may return, in no order. moto's own `all_items` sorts
    every item of the table by its key (for a scan's order) before the query keeps those of
    the index partition and sorts them again by the index's key; and it then measures the
    size of every item of the partition, inside the key condition's range or not. Here the
    items are those whose string hash keys and whose range key match the key condition (as
    DynamoDB reads an index); moto checks them again itself."""
    strings = [(name, value.value) for name, value in conditions or () if value.type == "S"]
    in_range = _range_check(table, index_name, range_comparison, range_objs, range_conditions)
    names = tuple(name for name, _ in strings)
    with _ITEMS:  # a write meanwhile would change the dictionaries under the loop
        if names:
            partition = list(_index_partitions(table, names).get(tuple(v for _, v in strings), ()))
        else:
            partition = _every_item(table)
    return [item for item in partition if in_range is None or in_range(item.attrs)]


def _every_item(table: Any) -> list[Any]:
    return [
        item
        for partition in list(table.items.values())
        for item in (partition.values() if table.range_key_attr else (partition,))
    ]


def _index_partitions(table: Any, names: tuple[str, ...]) -> dict[tuple[str, ...], list[Any]]:
    """The table's items by the string values of the attributes `names` (an index's partition
    key), found once and kept until the next write (under `_ITEMS`): each query of an index
    then looks at its own partition, not at every item of the table (every exchange and
    history event of every call, for a page of one tenant's calls)."""
    kept = _partitions.get(id(table))
    if kept is None or kept[0]() is not table:  # none yet, or another table of the same id
        kept = (weakref.ref(table), {})
        _partitions[id(table)] = kept
    groups: dict[tuple[str, ...], list[Any]] | None = kept[1].get(names)
    if groups is None:
        groups = {}
        for item in _every_item(table):
            values = [item.attrs.get(name) for name in names]
            if all(value is not None and value.type == "S" for value in values):
                groups.setdefault(tuple(value.value for value in values), []).append(item)
        kept[1][names] = groups
    return groups


def _range_check(
    table: Any,
    index_name: str,
    range_comparison: str | None,
    range_objs: list[Any],
    range_conditions: list[tuple[str, str, list[Any]]] | None,
) -> Any:
    """A test of an item's attributes against the Query's range key condition, as moto's
    query applies it to an index (None: no condition, or one left to moto)."""
    from moto.dynamodb.comparisons import get_comparison_func

    if not range_comparison:
        return None
    if range_conditions:
        name = range_conditions[-1][0]
    else:
        keys = [k for k in table.get_index(index_name).schema if k["KeyType"] == "RANGE"]
        if not keys:
            return None  # moto raises its own error for it
        name = keys[0]["AttributeName"]
    compare = get_comparison_func(range_comparison)
    bounds = [obj.cast_value for obj in range_objs]

    def check(attrs: dict[str, Any]) -> bool:
        value = attrs.get(name)
        return value is not None and bool(compare(value.cast_value, *bounds))

    return check


def _key_of(table: Any, op_type: str, op: dict[str, Any]) -> dict[str, Any]:
    if op_type != "Put":
        key: dict[str, Any] = op["Key"]
        return key
    attrs = op["Item"]
    key = {table.hash_key_attr: attrs[table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = attrs[table.range_key_attr]
    return key


# A cancellation reason as moto's TransactionCanceledException takes it: (code, message, the
# item as it was when asked for); all None for an item that was not the cause.
type _Reason = tuple[str | None, str | None, dict[str, Any] | None]
_NAME = r"#?[A-Za-z_][\w]*"
_ADD_CLAUSE = re.compile(rf"^({_NAME})\s+(:\w+)$")
_SET_CLAUSE = re.compile(rf"^({_NAME})\s*=\s*(:\w+)$")
_ADD_SET = re.compile(r"^\s*ADD\s+(?P<adds>.+?)(?:\s+SET\s+(?P<sets>.+?))?\s*$", re.DOTALL)


def _counter_plan(
    expression: str | None, names: dict[str, str] | None, values: dict[str, Any] | None
) -> tuple[list[tuple[str, Decimal]], list[tuple[str, Any]]] | None:
    """The numbers an `ADD ... [SET ...]` expression adds and the values it sets, by attribute;
    None for any other expression (moto's own path takes it)."""
    match = _ADD_SET.match(expression or "")
    if match is None or values is None:
        return None
    names = names or {}
    adds: list[tuple[str, Decimal]] = []
    for clause in match.group("adds").split(","):
        add = _ADD_CLAUSE.match(clause.strip())
        if add is None or set(values.get(add.group(2)) or {}) != {"N"}:
            return None
        adds.append((names.get(add.group(1), add.group(1)), Decimal(values[add.group(2)]["N"])))
    sets: list[tuple[str, Any]] = []
    for clause in (match.group("sets") or "").split(",") if match.group("sets") else []:
        assign = _SET_CLAUSE.match(clause.strip())
        if assign is None or assign.group(2) not in values:
            return None
        sets.append((names.get(assign.group(1), assign.group(1)), values[assign.group(2)]))
    if any(name.startswith("#") for name, _ in [*adds, *sets]):
        return None  # a placeholder without a name: moto's path gives the error
    return adds, sets


def _counter_update_plan(
    self: Any,
    table_name: str,
    update_expression: str | None,
    names: dict[str, str] | None,
    values: dict[str, Any] | None,
    current: Any,
) -> tuple[list[tuple[str, Decimal]], list[tuple[str, Any]]] | None:
    """The counter update (`_counter_plan`) an UpdateItem without a condition makes of the
    item `current`: None when moto's own path must take it (another expression, a key
    attribute named, a counter that is not a number)."""
    plan = _counter_plan(update_expression, names, values)
    if plan is None:
        return None
    table = self.get_table(table_name)
    adds, sets = plan
    keys = {table.hash_key_attr, table.range_key_attr}
    if any(name in keys for name, _ in [*adds, *sets]):
        return None
    if current is not None:
        for name, _ in adds:
            value = current.attrs.get(name)
            if value is not None and value.type != "N":
                return None
    return plan


def _counter_updates(update_item: Any) -> Any:
    """moto's update_item, with counter updates (see `_counter_update_plan`) applied by
    `_counted`."""

    def update(
        self: Any,
        table_name: str,
        key: dict[str, Any],
        update_expression: str,
        expression_attribute_names: dict[str, Any],
        expression_attribute_values: dict[str, Any],
        attribute_updates: dict[str, Any] | None = None,
        expected: dict[str, Any] | None = None,
        condition_expression: str | None = None,
        return_values_on_condition_check_failure: str | None = None,
    ) -> Any:
        with _ITEMS:
            plan = None
            current = self.get_item(table_name, key)
            if not (attribute_updates or expected or condition_expression):
                plan = _counter_update_plan(
                    self,
                    table_name,
                    update_expression,
                    expression_attribute_names,
                    expression_attribute_values,
                    current,
                )
            if plan is not None:
                return _counted(self, table_name, key, current, plan)
            return update_item(
                self,
                table_name,
                key,
                update_expression,
                expression_attribute_names,
                expression_attribute_values,
                attribute_updates,
                expected,
                condition_expression,
                return_values_on_condition_check_failure,
            )

    return update


def _counted(
    self: Any,
    table_name: str,
    key: dict[str, Any],
    current: Any,
    plan: tuple[list[tuple[str, Decimal]], list[tuple[str, Any]]],
) -> Any:
    """The item after a counter update of `current` (None: no item yet), stored as moto's
    put_item stores one (with its stream record). It is a new item: the attribute values the
    update leaves are the current item's own, neither turned into JSON nor parsed again (a
    rollup item holds thousands of counters), and `current` is left as it was."""
    from moto.dynamodb.models.dynamo_type import DynamoType, Item

    table = self.get_table(table_name)
    hash_value, range_value = self.get_keys_value(table, key)
    adds, sets = plan
    # What put_item checks: the values a SET writes, and the key of an item it creates.
    table._validate_item_types(dict(sets))
    if current is None:
        table._validate_key_sizes(key)
    values = dict(current.attrs) if current is not None else {}
    for name, value in key.items():
        values.setdefault(name, DynamoType(value))
    for name, delta in adds:
        before = values.get(name)
        total = (Decimal(before.value) if before is not None else Decimal(0)) + delta
        values[name] = DynamoType({"N": str(total)})
    for name, value in sets:
        values[name] = DynamoType(value)
    item = Item.__new__(Item)
    _fill_item(item, hash_value, range_value, values)
    if range_value is not None:
        table.items[hash_value][range_value] = item
    else:
        table.items[hash_value] = item
    if table.stream_shard is not None:
        table.stream_shard.add(current, item)
    return item


# A write of a transaction: its index in the request, its type, its request and the item's key.
type _Write = tuple[int, str, dict[str, Any], dict[str, Any]]

_NO_REASON: _Reason = (None, None, None)
_TRANSACT_OPERATIONS = frozenset({"ConditionCheck", "Put", "Delete", "Update"})


def _transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
    """moto's TransactWriteItems as DynamoDB runs it: every condition is checked before
    anything is written, one transaction at a time."""
    from moto.dynamodb.exceptions import (
        TooManyTransactionsException,
        TransactionCanceledException,
    )

    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    with _ITEMS:
        reasons, writes = _check_transaction(self, transact_items)
        if any(code is not None for code, _, _ in reasons):
            raise TransactionCanceledException(reasons)
        _write_transaction(self, writes, reasons)


def _check_transaction(
    self: Any, transact_items: list[dict[str, Any]]
) -> tuple[list[_Reason], list[_Write]]:
    """Each item's cancellation reason, in order, and the writes the transaction makes."""
    from moto.dynamodb.exceptions import TransactWriteSingleOpException

    targets: set[tuple[str, str]] = set()
    reasons: list[_Reason] = []
    writes: list[_Write] = []
    for index, item in enumerate(transact_items):
        if len(item) > 1:
            raise TransactWriteSingleOpException
        reason, write = _check_item(self, item, targets)
        reasons.append(reason)
        if write is not None:
            writes.append((index, *write))
    return reasons, writes


def _check_item(
    self: Any, item: dict[str, Any], targets: set[tuple[str, str]]
) -> tuple[_Reason, tuple[str, dict[str, Any], dict[str, Any]] | None]:
    """One item's cancellation reason (`_NO_REASON` when its condition holds) and the write
    it makes (none for a ConditionCheck, or when its condition fails); a validation error
    (two operations on one item among them) fails the whole request instead."""
    from moto.dynamodb.exceptions import MockValidationException

    try:
        op_type, op = next(iter(item.items()))
        if op_type not in _TRANSACT_OPERATIONS:
            raise ValueError("Unsupported transaction operation")
        table_name = op["TableName"]
        key = _key_of(self.get_table(table_name), op_type, op)
        _claim(targets, table_name, key)
        failure = _condition_failure(op, self.get_item(table_name, key))
    except MockValidationException:  # MultipleTransactionsException is one
        raise
    except Exception as error:
        return (type(error).__name__, str(error), None), None
    if failure is not None:
        return failure, None
    return _NO_REASON, None if op_type == "ConditionCheck" else (op_type, op, key)


def _claim(targets: set[tuple[str, str]], table_name: str, key: dict[str, Any]) -> None:
    """Note that the transaction acts on this item, which it may do only once."""
    from moto.dynamodb.exceptions import MultipleTransactionsException

    target = (str(table_name), str(dict(sorted(key.items()))))
    if target in targets:
        raise MultipleTransactionsException()
    targets.add(target)


def _condition_failure(op: dict[str, Any], current: Any) -> _Reason | None:
    """Why the operation's condition fails on the item as it is (`current`, None when there
    is none), with the item when asked for; None when the condition holds."""
    from moto.dynamodb.comparisons import get_filter_expression
    from moto.dynamodb.exceptions import ConditionalCheckFailed

    condition = op.get("ConditionExpression")
    if condition is None:
        return None
    check = get_filter_expression(
        condition, op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
    )
    if check.expr(current):
        return None
    old = None
    if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
        old = current.to_json()["Attributes"]
    return ("ConditionalCheckFailed", str(ConditionalCheckFailed(item=old).message), old)


def _write_transaction(self: Any, writes: list[_Write], reasons: list[_Reason]) -> None:
    """Make a transaction's writes, its conditions checked; when one fails, put back what
    the others wrote and cancel the transaction with that write's reason."""
    from moto.dynamodb.exceptions import (
        ItemSizeTooLarge,
        ItemSizeToUpdateTooLarge,
        MockValidationException,
        TransactionCanceledException,
    )

    saved = [_before(self, op_type, op, key) for _, op_type, op, key in writes]
    try:
        for index, op_type, op, key in writes:
            try:
                _write(self, op_type, op, key)
            except (ItemSizeTooLarge, ItemSizeToUpdateTooLarge) as error:
                # DynamoDB cancels the transaction, this write's reason a ValidationError
                # (moto's own transaction fails the whole request with a ValidationException).
                reasons[index] = ("ValidationError", error.message, None)
                raise TransactionCanceledException(reasons) from error
            except MockValidationException:
                raise
            except Exception as error:
                reasons[index] = (type(error).__name__, str(error), None)
                raise TransactionCanceledException(reasons) from error
    except Exception:
        _restore(self, saved)
        raise


def _before(
    self: Any, op_type: str, op: dict[str, Any], key: dict[str, Any]
) -> tuple[str, dict[str, Any], Any]:
    """The item a transaction's write is about to change, as it is, to put back if the
    transaction fails: the item itself where the write replaces it with a new one (a Put, a
    Delete, a counter update), a deep copy where moto's update changes it in place."""
    table_name = op["TableName"]
    current = self.get_item(table_name, key)
    if op_type == "Update" and current is not None:
        plan = _counter_update_plan(
            self,
            table_name,
            op.get("UpdateExpression"),
            op.get("ExpressionAttributeNames"),
            op.get("ExpressionAttributeValues"),
            current,
        )
        if plan is None:
            current = copy.deepcopy(current)
    return table_name, key, current


def _restore(self: Any, saved: list[tuple[str, dict[str, Any], Any]]) -> None:
    """Put the items a failed transaction wrote back as they were before it."""
    for table_name, key, before in saved:
        table = self.get_table(table_name)
        hash_value, range_value = self.get_keys_value(table, key)
        if before is None:
            table.delete_item(hash_value, range_value)
        else:
            self.put_item(table_name, before.to_json()["Attributes"])


def _write(self: Any, op_type: str, op: dict[str, Any], key: dict[str, Any]) -> None:
    """One write of a transaction, as moto's own transaction makes it, less the condition
    (checked already, with every other, before anything was written)."""
    names = op.get("ExpressionAttributeNames")
    values = op.get("ExpressionAttributeValues")
    if op_type == "Put":
        self.put_item(op["TableName"], op["Item"])
    elif op_type == "Delete":
        self.delete_item(op["TableName"], key)
    else:
        self.update_item(
            op["TableName"],
            key,
            update_expression=op["UpdateExpression"],
            expression_attribute_names=names,
            expression_attribute_values=values,
        )

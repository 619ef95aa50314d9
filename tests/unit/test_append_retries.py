"""How appending exchanges and events treats a refused transaction: contention and throttling
are tried again, anything else is reported at once (a client's 409 only for contention)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import ANY, Stubber

from dialtone.errors import WriteContention
from dialtone.store import CallStore, exchange_sk

TENANT, CALL = "t1", "0b7e2c1a-5d4f-4e3b-9a8c-1f2e3d4c5b6a"


def store_with(*reasons: list[dict[str, Any]] | None) -> tuple[CallStore, Stubber]:
    """A store whose client answers the append transactions with these cancellation reasons
    in turn (None: the transaction succeeds)."""
    client = boto3.client(
        "dynamodb",
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",  # never sent: the stubber answers
    )
    stubber = Stubber(client)
    for answer in reasons:
        if answer is None:
            stubber.add_response("transact_write_items", {}, {"TransactItems": ANY})
        else:
            stubber.add_client_error(
                "transact_write_items",
                service_error_code="TransactionCanceledException",
                modeled_fields={"CancellationReasons": answer},
                expected_params={"TransactItems": ANY},
            )
    stubber.activate()
    return CallStore("calls", client), stubber


CHILDREN = [(exchange_sk(0), {"sequence_number": 0, "user_transcript": "hello"})]


def test_a_transaction_conflict_is_tried_again() -> None:
    store, stubber = store_with(
        [{"Code": "None"}, {"Code": "TransactionConflict"}],
        [{"Code": "None"}, {"Code": "ThrottlingError"}],
        None,
    )
    result = store.append_children(TENANT, CALL, CHILDREN)
    assert result.stored == [exchange_sk(0)]
    stubber.assert_no_pending_responses()


def test_contention_that_never_ends_is_a_write_contention() -> None:
    store, _ = store_with(*[[{"Code": "None"}, {"Code": "TransactionConflict"}]] * 6)
    with pytest.raises(WriteContention):
        store.append_children(TENANT, CALL, CHILDREN)


@pytest.mark.parametrize("code", ["ValidationError", "ItemCollectionSizeLimitExceeded"])
def test_a_refusal_a_retry_cannot_change_is_raised_at_once(code: str) -> None:
    store, stubber = store_with([{"Code": "None"}, {"Code": code, "Message": "no"}])
    with pytest.raises(ClientError) as raised:
        store.append_children(TENANT, CALL, CHILDREN)
    assert raised.value.response["Error"]["Code"] == "TransactionCanceledException"
    stubber.assert_no_pending_responses()

"""The Python SDK against the local stack: reading calls, downloading a recording, dialing a
batch to the end, and checking a real webhook delivery's signature."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from dialtone.accounts import AccountStore, TenantSettingsUpdate
from dialtone.auth import Scope
from dialtone_client import Dialtone, NotFoundError, WebhookVerificationError, verify_webhook
from local.pollers import wait_until
from local.stack import LocalStack
from tests.webhook_receiver import receiving

pytestmark = pytest.mark.e2e
ENDED = {"completed", "busy", "no_answer", "failed", "canceled"}


@pytest.fixture(scope="module")
def demo(local_stack: LocalStack) -> Iterator[Dialtone]:
    """The SDK with the demo tenant's key."""
    with Dialtone(
        api_key=local_stack.info["api_key"], base_url=local_stack.info["api_url"]
    ) as client:
        yield client


@pytest.fixture
def fresh(local_stack: LocalStack) -> Iterator[Dialtone]:
    """The SDK for a new tenant with every scope, dialing from a default number."""
    session = local_stack.aws.session()
    accounts = AccountStore(local_stack.info["accounts_table"], dynamodb=session.client("dynamodb"))
    tenant = accounts.create_tenant(name=f"SDK {uuid.uuid4().hex[:4]}")
    accounts.update_settings(
        tenant.tenant_id,
        TenantSettingsUpdate(
            default_from_number="+14155550100",
            dial_rate_per_second=2,
            telephony_account_id=f"acct-{tenant.tenant_id}",
        ),
    )
    key = accounts.create_key(tenant.tenant_id, tuple(Scope)).plaintext
    with Dialtone(api_key=key, base_url=local_stack.info["api_url"]) as client:
        yield client


def test_pages_and_the_cursor_iterator_read_the_same_calls(demo: Dialtone) -> None:
    one_page = demo.get_calls(limit=100)

    every = [call.id for call in demo.iter_calls(limit=25)]

    assert len(one_page.calls) > 25  # so the iterator crossed pages
    assert every == [call.id for call in one_page.calls]
    assert demo.get_call(every[0]).id == every[0]
    with pytest.raises(NotFoundError) as raised:
        demo.get_call(str(uuid.uuid4()))
    assert raised.value.detail == "Call not found"


def test_a_transcript_and_a_recording_downloaded_to_a_file(demo: Dialtone, tmp_path: Path) -> None:
    call = next(c for c in demo.iter_calls(status="completed") if c.recording_url)

    transcript = demo.get_transcript(call.id)
    link = demo.get_recording(call.id)
    seen: list[int] = []
    path = demo.download_recording(
        call.id, tmp_path / "call.wav", progress=lambda done, _: seen.append(done)
    )

    assert transcript.call_id == call.id
    assert transcript.exchanges
    assert path.stat().st_size == link.recording_size_bytes
    assert seen[-1] == path.stat().st_size
    assert demo.get_transcript(call.id, format="vtt").startswith("WEBVTT")


def test_a_call_and_a_batch_dialed_and_waited_for(fresh: Dialtone) -> None:
    dialed = fresh.create_call("+14155550300")
    accepted = fresh.create_batch(["+14155550301", "+14155550302"])

    final = fresh.wait_for_batch(accepted[0].batch_id, poll_interval=0.5, timeout=90)
    assert wait_until(lambda: fresh.get_call(dialed.call_id).status in ENDED, timeout=30)

    assert [batch.total for batch in accepted] == [2]
    assert final.completed + final.failed + final.canceled == 2
    assert final.queued == final.initiated == 0


def test_a_test_delivery_verifies_with_the_subscription_secret(fresh: Dialtone) -> None:
    with receiving() as receiver:
        created = fresh.create_webhook(receiver.url, ["call.completed"])
        fresh.test_webhook(created.id)
        (delivery,) = receiver.wait_for(1, timeout=30)[:1]

    payload = verify_webhook(delivery.headers, delivery.body, created.secret)

    assert payload["type"]
    with pytest.raises(WebhookVerificationError):
        verify_webhook(delivery.headers, delivery.body + b" ", created.secret)

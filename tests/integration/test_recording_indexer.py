"""The recording indexer as Lambda runs it: real audio is uploaded under a call's key, S3 (moto)
announces it on the stack's RecordingQueue, and the message read from that queue is handed to
functions/recording_indexer as an SQS event. What the call then says about its recording, what
is left in the (versioned) bucket, and DELETE /v1/calls/{call_id} erasing every version."""

from __future__ import annotations

import json
import os
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote_plus

import pytest
import requests

from dialtone import retention, settings
from dialtone.accounts import AccountStore, TenantSettingsUpdate
from dialtone.auth import Scope
from dialtone.recordings import delete_object_versions
from dialtone.store import CALL_SK, call_pk
from local.endpoint import REGION, EmbeddedAws
from local.invoke import invoke, load_handler, sample_event
from local.pollers import sqs_record
from local.provision import Stack
from tests.audio_files import corrupt_files, make_audio
from tests.call_routes import body, call_route, create_call
from tests.crash_points import Killed, aws_requests
from tests.tenants import TenantFixture

CONTENT_TYPES = {"wav": "audio/wav", "ogg": "audio/ogg", "mp3": "audio/mpeg", "m4a": "audio/mp4"}
TEST_EVENT = "s3:TestEvent"


def announced_key(message_body: str) -> str:
    """The object key an S3 notification announces (TEST_EVENT for S3's test event; "" for a
    body that is not a notification)."""
    try:
        notification = json.loads(message_body)
    except ValueError:
        return ""
    if notification.get("Event") == TEST_EVENT:
        return TEST_EVENT
    records = notification.get("Records") or [{}]
    return unquote_plus(records[0].get("s3", {}).get("object", {}).get("key", ""))


@dataclass
class RecordingQueue:
    """The stack's RecordingQueue, read as the indexer's event source mapping reads it.

    The queue is shared by every test of the session (and other modules upload under tenants/
    too), so each message received is deleted and kept by the key it announces: a test takes
    the messages of its own keys and never sees another's."""

    sqs: Any
    url: str
    arn: str
    by_key: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))

    def _drain(self) -> None:
        while True:
            messages = self.sqs.receive_message(
                QueueUrl=self.url,
                MaxNumberOfMessages=10,
                WaitTimeSeconds=0,
                MessageSystemAttributeNames=["All"],
            ).get("Messages", [])
            if not messages:
                return
            for message in messages:
                self.by_key[announced_key(message["Body"])].append(message)
            self.sqs.delete_message_batch(
                QueueUrl=self.url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                    for i, m in enumerate(messages)
                ],
            )

    def take(self, key: str, count: int = 1, timeout: float = 5.0) -> list[dict[str, Any]]:
        """The next `count` messages announcing `key`, in the order they were sent."""
        deadline = time.monotonic() + timeout
        while True:
            self._drain()
            waiting = self.by_key[key]
            if len(waiting) >= count:
                taken, self.by_key[key] = waiting[:count], waiting[count:]
                return taken
            if time.monotonic() > deadline:
                pytest.fail(f"{len(waiting)} of {count} notifications of {key} arrived")
            time.sleep(0.05)

    def event(self, *messages: dict[str, Any]) -> dict[str, Any]:
        """The SQS event Lambda would hand the indexer for these messages."""
        return {"Records": [sqs_record(m, self.arn, REGION) for m in messages]}


@pytest.fixture(scope="module")
def queue(embedded_aws: EmbeddedAws, stack: Stack) -> RecordingQueue:
    return RecordingQueue(
        embedded_aws.session().client("sqs"),
        stack.urls["RecordingQueue"],
        stack.arns["RecordingQueue"],
    )


@pytest.fixture
def outcomes(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """What the indexer's record handler returned for each record it processed."""
    module = load_handler("recording_indexer")
    seen: list[list[str]] = []
    original = module.index

    def spy(record: Any) -> list[str]:
        result: list[str] = original(record)
        seen.append(result)
        return result

    monkeypatch.setattr(module, "index", spy)
    return seen


@dataclass
class Recordings:
    """One test's view of recordings: its tenant's calls, uploads and the indexer's work."""

    tenant: TenantFixture
    bucket: str
    s3: Any
    dynamodb: Any
    calls_table: str
    queue: RecordingQueue

    def create_call(self, **fields: Any) -> str:
        """A call the runtime created with PUT /v1/calls/<id>; its id."""
        return create_call(self.tenant, **fields)

    def key(self, call_id: str, fmt: str) -> str:
        return f"tenants/{self.tenant.tenant_id}/calls/{call_id}/recording.{fmt}"

    def upload(self, call_id: str, fmt: str, audio: bytes) -> str:
        """Upload as the runtime does: ask for a presigned PUT, then PUT the bytes; the key."""
        result = call_route(
            "create_recording_upload",
            "POST /v1/calls/{call_id}/recording/upload",
            call_id,
            self.tenant.authorizer(Scope.CALLS_INGEST),
            # The size, when there is one to state (an empty file is sent without).
            {"format": fmt, **({"size_bytes": len(audio)} if audio else {})},
        )
        assert result["statusCode"] == 200, result["body"]
        link = body(result)
        response = requests.put(link["upload_url"], data=audio, headers=link["headers"], timeout=10)
        assert response.status_code == 200, response.text
        return self.key(call_id, fmt)

    def put_object(self, key: str, data: bytes, content_type: str = "audio/wav") -> str:
        """An object written straight into the bucket (not through an upload link)."""
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)
        return key

    def index(self, key: str, count: int = 1) -> dict[str, Any]:
        """Let the indexer process the next notifications of `key`, as Lambda would."""
        return invoke("recording_indexer", self.queue.event(*self.queue.take(key, count)))

    def versions(self, prefix: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Every version and every delete marker under `prefix`."""
        listing = self.s3.list_object_versions(Bucket=self.bucket, Prefix=prefix)
        return listing.get("Versions", []), listing.get("DeleteMarkers", [])

    def version_ids(self, key: str) -> list[str]:
        """The versions of `key`, the current one first."""
        versions = [v for v in self.versions(key)[0] if v["Key"] == key]
        versions.sort(key=lambda v: (not v["IsLatest"], -v["LastModified"].timestamp()))
        return [v["VersionId"] for v in versions]

    def current_version(self, key: str) -> str:
        version: str = self.s3.head_object(Bucket=self.bucket, Key=key)["VersionId"]
        return version

    def get_call(self, call_id: str) -> dict[str, Any]:
        """The Lambda result of GET /v1/calls/<call_id>."""
        authorizer = self.tenant.authorizer(Scope.CALLS_READ)
        return call_route("get_call", "GET /v1/calls/{call_id}", call_id, authorizer)

    def call(self, call_id: str) -> dict[str, Any]:
        result = self.get_call(call_id)
        assert result["statusCode"] == 200, result["body"]
        got: dict[str, Any] = body(result)
        return got

    def recording(self, call_id: str) -> dict[str, Any]:
        """The Lambda result of GET /v1/calls/<call_id>/recording."""
        route = "GET /v1/calls/{call_id}/recording"
        authorizer = self.tenant.authorizer(Scope.CALLS_READ)
        return call_route("get_call_recording", route, call_id, authorizer)

    def call_item(self, call_id: str) -> dict[str, Any] | None:
        """The call's item as stored, every attribute."""
        item: dict[str, Any] | None = self.dynamodb.get_item(
            TableName=self.calls_table,
            Key={"pk": {"S": call_pk(self.tenant.tenant_id, call_id)}, "sk": {"S": CALL_SK}},
            ConsistentRead=True,
        ).get("Item")
        return item

    def tags(self, key: str) -> dict[str, str]:
        tag_set = self.s3.get_object_tagging(Bucket=self.bucket, Key=key)["TagSet"]
        return {t["Key"]: t["Value"] for t in tag_set}


@pytest.fixture
def recordings(
    tenant: TenantFixture,
    handler_environment: dict[str, str],
    embedded_aws: EmbeddedAws,
    queue: RecordingQueue,
) -> Iterator[Recordings]:
    """The test's recordings; every object stored for its tenant is removed afterwards."""
    session = embedded_aws.session()
    bucket = handler_environment["RECORDINGS_BUCKET"]
    yield Recordings(
        tenant=tenant,
        bucket=bucket,
        s3=session.client("s3"),
        dynamodb=session.client("dynamodb"),
        calls_table=handler_environment["CALLS_TABLE"],
        queue=queue,
    )
    delete_object_versions(bucket, f"tenants/{tenant.tenant_id}/")


def aws_notification(key: str, version_id: str) -> dict[str, Any]:
    """An SQS message carrying S3's notification of one version of `key` of the recordings
    bucket, as AWS sends it (with the version id, which moto's notifications lack)."""
    bucket = os.environ["RECORDINGS_BUCKET"]
    sample = json.loads(sample_event("recording_indexer")["Records"][0]["body"])
    s3 = sample["Records"][0]["s3"]
    s3["bucket"] = {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"}
    s3["object"].update(key=key.replace(" ", "+"), versionId=version_id)
    # When the object was created, to the millisecond, as S3 says it.
    now = datetime.now(UTC)
    sample["Records"][0]["eventTime"] = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now:%f}"[:3] + "Z"
    return {
        "MessageId": str(uuid.uuid4()),
        "ReceiptHandle": uuid.uuid4().hex,
        "Body": json.dumps(sample),
    }


RECORDING_FIELDS = (
    "recording_format",
    "recording_size_bytes",
    "recording_duration_seconds",
    "recording_channels",
)


def assert_no_recording(recordings: Recordings, call_id: str) -> dict[str, Any]:
    """The call describes no recording and none can be fetched; the call as read."""
    call = recordings.call(call_id)
    assert {name: call[name] for name in RECORDING_FIELDS} == dict.fromkeys(RECORDING_FIELDS)
    assert call["recording_url"] is None
    link = recordings.recording(call_id)
    assert link["statusCode"] == 404
    assert body(link) == {"detail": "Recording not available"}
    return call


# Indexing real recordings


@pytest.mark.parametrize("channels", [1, 2], ids=["mono", "stereo"])
@pytest.mark.parametrize("fmt", ["wav", "ogg", "mp3", "m4a"])
def test_an_uploaded_recording_is_described_on_its_call(
    recordings: Recordings, outcomes: list[list[str]], fmt: str, channels: int
) -> None:
    # Given: a call, and 2.5 s of real audio in the format, uploaded through its upload link
    call_id = recordings.create_call()
    audio = make_audio(fmt, channels=channels, seconds=2.5)
    key = recordings.upload(call_id, fmt, audio)

    # When: S3's notification reaches the indexer through the recording queue
    result = recordings.index(key)

    # Then: the record succeeded and the recording is indexed
    assert result == {"batchItemFailures": []}
    assert outcomes == [["indexed"]]
    # And the call describes it, read from the file itself
    link = recordings.recording(call_id)
    assert link["statusCode"] == 200, link["body"]
    got = body(link)
    assert got["recording_format"] == fmt
    assert got["recording_channels"] == channels
    assert got["recording_size_bytes"] == len(audio)
    assert got["recording_duration_seconds"] == pytest.approx(2.5, abs=0.2)
    call = recordings.call(call_id)
    assert call["recording_error"] is None
    assert call["recording_format"] == fmt
    # And the link serves the very bytes uploaded
    assert requests.get(got["recording_url"], timeout=10).content == audio


def test_s3s_test_event_is_ignored(
    recordings: Recordings, queue: RecordingQueue, outcomes: list[list[str]]
) -> None:
    # Given: S3 sends a test event whenever the bucket's notification is configured: the
    # stack's own configuration, put again as it is
    s3, bucket = recordings.s3, recordings.bucket
    configuration = s3.get_bucket_notification_configuration(Bucket=bucket)
    configuration.pop("ResponseMetadata")
    assert [c["Events"] for c in configuration["QueueConfigurations"]] == [["s3:ObjectCreated:*"]]
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=configuration)
    message = queue.take(TEST_EVENT)

    # When: the indexer receives it
    result = invoke("recording_indexer", queue.event(*message))

    # Then: it succeeds without doing anything
    assert result == {"batchItemFailures": []}
    assert outcomes == [["ignored"]]


# Rejected uploads

# A few kinds of file that are not recordings (tests/unit/test_audio.py reads every kind), and
# what the call then says about each.
CORRUPT_REASONS = {
    "text": "not a recognised audio file",
    "empty": "the file is empty",
    "six_channel_wav": "6 channels",
    "truncated_mp3": "the file is truncated",
    "truncated_m4a": "a corrupt m4a file",
    "id3_then_random": "a corrupt mp3 file",
}


@pytest.fixture(scope="module")
def corrupt() -> dict[str, bytes]:
    return corrupt_files()


@pytest.mark.parametrize("kind", sorted(CORRUPT_REASONS))
def test_a_file_that_is_not_a_recording_is_deleted_and_the_call_says_why(
    recordings: Recordings, outcomes: list[list[str]], corrupt: dict[str, bytes], kind: str
) -> None:
    # Given: a call, and a file that is not a recording uploaded as one (under the extension
    # it pretends to be, wav by default)
    call_id = recordings.create_call()
    fmt = next((f for f in ("mp3", "m4a") if f in kind), "wav")
    key = recordings.upload(call_id, fmt, corrupt[kind])

    # When: the indexer reads it
    result = recordings.index(key)

    # Then: the record is done with (a bad file is not worth a retry), the upload is rejected
    assert result == {"batchItemFailures": []}
    assert outcomes == [["rejected"]]
    # And the object is gone, every version of it
    assert recordings.versions(key) == ([], [])
    # And the call says why, and describes no recording
    call = assert_no_recording(recordings, call_id)
    assert call["recording_error"].startswith("not a recording: ")
    assert CORRUPT_REASONS[kind] in call["recording_error"]


def test_an_mp3_key_holding_wav_audio_is_rejected(
    recordings: Recordings, outcomes: list[list[str]]
) -> None:
    # Given: a real WAV recording uploaded through an mp3 upload link
    call_id = recordings.create_call()
    key = recordings.upload(call_id, "mp3", make_audio("wav"))

    # When: the indexer reads it
    recordings.index(key)

    # Then: it is deleted, and the call names the mismatch
    assert outcomes == [["rejected"]]
    assert recordings.versions(key) == ([], [])
    call = assert_no_recording(recordings, call_id)
    assert call["recording_error"] == "the upload holds wav audio, not mp3"


def test_an_upload_over_the_size_cap_is_deleted(
    recordings: Recordings, outcomes: list[list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given: a deployment that accepts recordings of 1 KiB at most (S3 does not enforce a
    # PUT's size, so the indexer must), and a call
    call_id = recordings.create_call()
    audio = make_audio("wav", seconds=1.0)
    key = recordings.put_object(recordings.key(call_id, "wav"), audio)
    monkeypatch.setenv("MAX_RECORDING_BYTES", "1024")
    settings.reset()
    try:
        # When: a larger real recording is indexed
        recordings.index(key)
    finally:
        settings.reset()  # the next handler reads the deployment's own cap again

    # Then: it is deleted and the call says how large it was
    assert outcomes == [["rejected"]]
    assert recordings.versions(key) == ([], [])
    call = assert_no_recording(recordings, call_id)
    assert call["recording_error"] == (
        f"the upload is {len(audio)} bytes, more than the 1024 allowed"
    )


def test_a_good_upload_after_a_rejected_one_clears_the_error(
    recordings: Recordings, outcomes: list[list[str]]
) -> None:
    # Given: a call whose first upload was not audio
    call_id = recordings.create_call()
    recordings.index(recordings.upload(call_id, "wav", b"not audio at all" * 100))
    assert recordings.call(call_id)["recording_error"]

    # When: a real recording follows
    audio = make_audio("ogg")
    recordings.index(recordings.upload(call_id, "ogg", audio))

    # Then: the call describes it and no longer carries the error
    assert outcomes == [["rejected"], ["indexed"]]
    call = recordings.call(call_id)
    assert call["recording_error"] is None
    assert (call["recording_format"], call["recording_size_bytes"]) == ("ogg", len(audio))


@pytest.mark.parametrize("delivery", ["moto-notification", "aws-notification-with-version"])
def test_a_rejected_upload_over_a_good_recording_leaves_the_good_one_current(
    recordings: Recordings, outcomes: list[list[str]], delivery: str
) -> None:
    # Given: a call with an indexed WAV recording
    call_id = recordings.create_call()
    good = make_audio("wav", channels=2, seconds=2.0)
    key = recordings.upload(call_id, "wav", good)
    recordings.index(key)
    [good_version] = recordings.version_ids(key)
    before = recordings.recording(call_id)

    # When: a text file is uploaded at the same key and its notification is indexed
    recordings.upload(call_id, "wav", b"Transcript, not audio.\n" * 300)
    if delivery == "moto-notification":
        result = recordings.index(key)
    else:
        [bad_version] = [v for v in recordings.version_ids(key) if v != good_version]
        recordings.queue.take(key)  # moto's own notification, replaced by AWS's form
        message = aws_notification(key, bad_version)
        result = invoke("recording_indexer", recordings.queue.event(message))

    # Then: the bad version is deleted and the good one is current again
    assert result == {"batchItemFailures": []}
    assert outcomes == [["indexed"], ["rejected"]]
    assert recordings.version_ids(key) == [good_version]
    current = recordings.s3.get_object(Bucket=recordings.bucket, Key=key)
    assert current["Body"].read() == good
    # And the call still describes the good recording, saying why the new one was not kept
    after = recordings.recording(call_id)
    assert after["statusCode"] == 200
    described = {k: v for k, v in body(after).items() if k not in ("recording_url", "expires_at")}
    assert described == {
        k: v for k, v in body(before).items() if k not in ("recording_url", "expires_at")
    }
    assert described["recording_channels"] == 2
    assert recordings.call(call_id)["recording_error"].startswith("not a recording: ")
    assert requests.get(body(after)["recording_url"], timeout=10).content == good


def test_a_late_notification_of_a_replaced_version_changes_nothing(
    recordings: Recordings, outcomes: list[list[str]]
) -> None:
    # Given: two good uploads at one key, the second indexed first
    call_id = recordings.create_call()
    first, second = make_audio("wav", seconds=1.0), make_audio("wav", seconds=2.0)
    key = recordings.upload(call_id, "wav", first)
    old_version = recordings.current_version(key)
    recordings.upload(call_id, "wav", second)
    new_version = recordings.current_version(key)
    recordings.queue.take(key, 2)  # moto's notifications carry no version: AWS's form instead
    invoke("recording_indexer", recordings.queue.event(aws_notification(key, new_version)))
    item = recordings.call_item(call_id)

    # When: the first upload's notification arrives last
    late = aws_notification(key, old_version)
    result = invoke("recording_indexer", recordings.queue.event(late))

    # Then: the call already describes what the key holds: nothing changes
    assert result == {"batchItemFailures": []}
    assert outcomes == [["indexed"], ["unchanged"]]
    assert recordings.call_item(call_id) == item
    assert recordings.call(call_id)["recording_size_bytes"] == len(second)
    assert recordings.version_ids(key) == [new_version, old_version]


@pytest.mark.parametrize("order", ["good-first", "bad-first"])
def test_a_good_upload_replaced_by_a_bad_one_before_indexing_is_described(
    recordings: Recordings, outcomes: list[list[str]], order: str
) -> None:
    # Given: a good recording and, right after, a bad file at the same key, both uploaded
    # before the indexer ran
    call_id = recordings.create_call()
    good = make_audio("m4a", seconds=2.0)
    key = recordings.upload(call_id, "m4a", good)
    good_version = recordings.current_version(key)
    recordings.upload(call_id, "m4a", b"\x00\x01" * 4000)
    bad_version = recordings.current_version(key)
    recordings.queue.take(key, 2)  # moto's notifications carry no version: AWS's form instead
    versions = [good_version, bad_version] if order == "good-first" else [bad_version, good_version]

    # When: both notifications (naming their versions, as AWS's do) are processed, in either
    # order
    for version in versions:
        invoke("recording_indexer", recordings.queue.event(aws_notification(key, version)))

    # Then: the bad version is deleted and the good one, current again, is the call's
    # recording (it is never left undescribed, and so never left out of retention)
    assert sorted(o for [o] in outcomes) == ["indexed", "rejected"]
    assert recordings.version_ids(key) == [good_version]
    call = recordings.call(call_id)
    assert (call["recording_format"], call["recording_size_bytes"]) == ("m4a", len(good))
    assert call["recording_error"] is None


# Redelivery


def test_a_redelivered_notification_changes_nothing(
    recordings: Recordings, queue: RecordingQueue, outcomes: list[list[str]]
) -> None:
    # Given: a recording indexed from its notification
    call_id = recordings.create_call()
    key = recordings.upload(call_id, "m4a", make_audio("m4a", channels=2))
    [message] = queue.take(key)
    invoke("recording_indexer", queue.event(message))
    item = recordings.call_item(call_id)
    versions = recordings.versions(key)
    tags = recordings.tags(key)

    # When: SQS delivers the same message again
    result = invoke("recording_indexer", queue.event(message))

    # Then: the second delivery is recognised, and the call item, the object and its tags
    # are exactly as they were
    assert result == {"batchItemFailures": []}
    assert outcomes == [["indexed"], ["unchanged"]]
    assert recordings.call_item(call_id) == item
    assert recordings.versions(key) == versions
    assert recordings.tags(key) == tags


def test_a_redelivered_rejection_changes_nothing(
    recordings: Recordings, queue: RecordingQueue, outcomes: list[list[str]]
) -> None:
    # Given: a rejected upload, already deleted
    call_id = recordings.create_call()
    key = recordings.upload(call_id, "wav", b"\x00" * 2048)
    [message] = queue.take(key)
    invoke("recording_indexer", queue.event(message))
    item = recordings.call_item(call_id)

    # When: its notification is delivered again
    result = invoke("recording_indexer", queue.event(message))

    # Then: there is nothing left to read, and nothing changes
    assert result == {"batchItemFailures": []}
    assert outcomes == [["rejected"], ["ignored"]]
    assert recordings.call_item(call_id) == item


# Replacing a recording


def test_a_good_upload_in_another_format_replaces_the_first_and_its_versions(
    recordings: Recordings, outcomes: list[list[str]]
) -> None:
    # Given: a call whose WAV recording was uploaded twice (two versions), both indexed
    call_id = recordings.create_call()
    wav_key = recordings.upload(call_id, "wav", make_audio("wav", seconds=1.0))
    recordings.upload(call_id, "wav", make_audio("wav", seconds=1.2))
    recordings.index(wav_key, count=2)
    assert len(recordings.version_ids(wav_key)) == 2
    assert recordings.call(call_id)["recording_format"] == "wav"

    # When: an MP3 recording is uploaded and indexed
    audio = make_audio("mp3", channels=2, seconds=3.0)
    mp3_key = recordings.upload(call_id, "mp3", audio)
    recordings.index(mp3_key)

    # Then: the call describes the MP3
    assert outcomes[-1] == ["indexed"]
    got = body(recordings.recording(call_id))
    assert (got["recording_format"], got["recording_channels"]) == ("mp3", 2)
    assert got["recording_duration_seconds"] == pytest.approx(3.0, abs=0.2)
    assert requests.get(got["recording_url"], timeout=10).content == audio
    # And every version of the WAV is gone, leaving only the MP3 under the call
    versions, markers = recordings.versions(
        f"tenants/{recordings.tenant.tenant_id}/calls/{call_id}/"
    )
    assert [v["Key"] for v in versions] == [mp3_key]
    assert markers == []


def test_a_newer_upload_indexed_while_an_older_one_is_read_stays_the_recording(
    recordings: Recordings, outcomes: list[list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given: a WAV recording uploaded, then an MP3 one
    call_id = recordings.create_call()
    wav_key = recordings.upload(call_id, "wav", make_audio("wav"))
    time.sleep(0.01)  # the notifications' times differ
    mp3_key = recordings.upload(call_id, "mp3", make_audio("mp3", channels=2))
    [wav_message] = recordings.queue.take(wav_key)
    [mp3_message] = recordings.queue.take(mp3_key)

    # When: the MP3 is indexed by another indexer while this one reads the WAV
    from dialtone import audio

    inspect = audio.inspect_audio

    def meanwhile(file: Any) -> Any:
        monkeypatch.setattr(audio, "inspect_audio", inspect)
        invoke("recording_indexer", recordings.queue.event(mp3_message))
        return inspect(file)

    monkeypatch.setattr(audio, "inspect_audio", meanwhile)
    result = invoke("recording_indexer", recordings.queue.event(wav_message))

    # Then: the older WAV neither replaces the MP3 nor deletes it: the WAV goes
    assert result == {"batchItemFailures": []}
    assert outcomes == [["indexed"], ["ignored"]]
    call = recordings.call(call_id)
    assert (call["recording_format"], call["recording_channels"]) == ("mp3", 2)
    versions, markers = recordings.versions(
        retention.call_prefix(recordings.tenant.tenant_id, call_id)
    )
    assert ([v["Key"] for v in versions], markers) == ([mp3_key], [])


def test_the_same_recording_uploaded_again_keeps_its_retention_tag(
    recordings: Recordings, account_store: AccountStore, outcomes: list[list[str]]
) -> None:
    # Given: a tenant keeping calls 30 days, and a call's recording uploaded and indexed
    account_store.update_settings(
        recordings.tenant.tenant_id, TenantSettingsUpdate(retention_days=30)
    )
    call_id = recordings.create_call()
    audio = make_audio("wav")
    key = recordings.upload(call_id, "wav", audio)
    recordings.index(key)
    first = recordings.current_version(key)

    # When: the runtime uploads the very same bytes again (a new version) and it is indexed
    recordings.upload(call_id, "wav", audio)
    assert recordings.current_version(key) != first
    recordings.index(key)

    # Then: nothing about the call changes, and the new current version carries the tag its
    # lifecycle rule expires it by, as the first did
    assert outcomes == [["indexed"], ["unchanged"]]
    assert recordings.tags(key) == {retention.RETENTION_TAG: "30"}


# Objects that belong to no call


def test_an_object_for_a_call_that_does_not_exist_is_deleted(
    recordings: Recordings, outcomes: list[list[str]]
) -> None:
    # Given: a real recording under the key of a call the tenant never had
    call_id = str(uuid.uuid4())
    key = recordings.put_object(recordings.key(call_id, "wav"), make_audio("wav"))

    # When: the indexer reads its notification
    result = recordings.index(key)

    # Then: the object is deleted, and no call is made up for it
    assert result == {"batchItemFailures": []}
    assert outcomes == [["rejected"]]
    assert recordings.versions(key) == ([], [])
    assert recordings.call_item(call_id) is None


@pytest.mark.parametrize(
    "name",
    [
        "other.wav",
        "calls/{call}/notes.wav",
        "calls/{call}/recording copy.wav",
        "calls/not-a-call-id/recording.wav",
    ],
)
def test_an_object_outside_the_key_scheme_is_deleted(
    recordings: Recordings, outcomes: list[list[str]], name: str
) -> None:
    # Given: a call, and real audio stored under the tenant's prefix but not at a recording key
    call_id = recordings.create_call()
    key = f"tenants/{recordings.tenant.tenant_id}/" + name.format(call=call_id)
    recordings.put_object(key, make_audio("wav"))

    # When: the indexer reads its notification (S3 announces every object under tenants/)
    recordings.index(key)

    # Then: the object is deleted, and the call is left as it was
    assert outcomes == [["rejected"]]
    assert recordings.versions(key) == ([], [])
    assert assert_no_recording(recordings, call_id)["recording_error"] is None


def test_a_call_that_keeps_no_sensitive_data_keeps_no_recording(
    recordings: Recordings, outcomes: list[list[str]]
) -> None:
    # Given: a call created with the sensitive-data opt-out (no upload link is given for it),
    # and a recording written at its key anyway
    call_id = recordings.create_call(opt_out_sensitive_data_storage=True)
    key = recordings.put_object(recordings.key(call_id, "wav"), make_audio("wav"))

    # When: the indexer reads it
    recordings.index(key)

    # Then: it is deleted, and the call says why
    assert outcomes == [["rejected"]]
    assert recordings.versions(key) == ([], [])
    call = assert_no_recording(recordings, call_id)
    assert call["recording_error"] == (
        "recordings are not kept for this call (opt_out_sensitive_data_storage)"
    )


# Batches


def test_a_record_that_is_not_json_fails_alone(
    recordings: Recordings, queue: RecordingQueue
) -> None:
    # Given: a batch of a real notification and a message whose body is not JSON
    call_id = recordings.create_call()
    key = recordings.upload(call_id, "ogg", make_audio("ogg"))
    [good] = queue.take(key)
    broken = {"MessageId": "not-json", "ReceiptHandle": "r-1", "Body": "ObjectCreated, maybe?"}

    # When: the indexer processes the batch
    result = invoke("recording_indexer", queue.event(broken, good))

    # Then: only the broken record is reported for a retry; the other is indexed
    assert result == {"batchItemFailures": [{"itemIdentifier": "not-json"}]}
    assert recordings.call(call_id)["recording_format"] == "ogg"


# Retention of recordings


@pytest.mark.parametrize(("retention_days", "tag"), [(30, "30"), (45, "60"), (None, None)])
def test_a_recording_is_tagged_with_its_tenants_retention_class(
    recordings: Recordings,
    account_store: AccountStore,
    retention_days: int | None,
    tag: str | None,
) -> None:
    # Given: a tenant keeping calls `retention_days` (or indefinitely), and a call of it
    account_store.update_settings(
        recordings.tenant.tenant_id, TenantSettingsUpdate(retention_days=retention_days)
    )
    call_id = recordings.create_call()

    # When: its recording is uploaded and indexed
    key = recordings.upload(call_id, "wav", make_audio("wav"))
    recordings.index(key)

    # Then: the object carries the smallest lifecycle class that keeps it that long (none
    # when calls are kept indefinitely)
    expected = {} if tag is None else {retention.RETENTION_TAG: tag}
    assert recordings.tags(key) == expected
    assert recordings.call(call_id)["recording_format"] == "wav"


def test_a_call_starting_later_has_its_recording_kept_for_its_whole_retention(
    recordings: Recordings, account_store: AccountStore
) -> None:
    # Given: a tenant keeping calls 30 days, and a call whose start is a year ahead (its
    # record expires 30 days from now)
    account_store.update_settings(
        recordings.tenant.tenant_id, TenantSettingsUpdate(retention_days=30)
    )
    start = datetime.now(UTC) + timedelta(days=365)
    call_id = recordings.create_call(start_time=start.isoformat())

    # When: its recording is uploaded and indexed
    key = recordings.upload(call_id, "wav", make_audio("wav"))
    recordings.index(key)

    # Then: S3 keeps the recording as long as the record: the 30-day class, counted from now
    assert recordings.tags(key) == {retention.RETENTION_TAG: "30"}


# Erasure


def test_erasing_a_call_deletes_every_version_of_its_recordings(
    recordings: Recordings, outcomes: list[list[str]]
) -> None:
    # Given: a call whose recording was uploaded twice and indexed, and an Ogg recording
    # that was uploaded and deleted again (a version and a delete marker)
    call_id = recordings.create_call()
    key = recordings.upload(call_id, "wav", make_audio("wav", seconds=1.0))
    recordings.upload(call_id, "wav", make_audio("wav", seconds=1.5))
    recordings.index(key, count=2)
    ogg_key = recordings.put_object(recordings.key(call_id, "ogg"), make_audio("ogg"), "audio/ogg")
    recordings.queue.take(ogg_key)
    recordings.s3.delete_object(Bucket=recordings.bucket, Key=ogg_key)
    prefix = retention.call_prefix(recordings.tenant.tenant_id, call_id)
    versions, markers = recordings.versions(prefix)
    assert (len(versions), len(markers)) == (3, 1)

    # When: an admin erases the call
    def delete() -> dict[str, Any]:
        authorizer = recordings.tenant.authorizer(Scope.ADMIN)
        return call_route("delete_call", "DELETE /v1/calls/{call_id}", call_id, authorizer)

    result = delete()

    # Then: 204, and nothing is left under the call's prefix: no version, no delete marker
    assert result["statusCode"] == 204
    assert recordings.versions(prefix) == ([], [])
    # And the call is gone, and so is its recording link; erasing it again finds nothing
    assert recordings.get_call(call_id)["statusCode"] == 404
    assert recordings.recording(call_id)["statusCode"] == 404
    assert recordings.call_item(call_id) is None
    assert delete()["statusCode"] == 404


# An indexer killed between two of its steps

# What a call says of its recording, the same for every call given the same file.
DESCRIBED = (
    "recording_format",
    "recording_size_bytes",
    "recording_duration_seconds",
    "recording_channels",
    "recording_error",
)


def test_an_indexer_killed_before_any_of_its_requests_indexes_when_the_message_comes_again(
    recordings: Recordings, queue: RecordingQueue
) -> None:
    # Given the AWS requests a clean indexing of a stereo m4a recording makes
    audio = make_audio("m4a", channels=2, seconds=2.0)
    first = recordings.create_call()
    key = recordings.upload(first, "m4a", audio)
    [message] = queue.take(key)
    with aws_requests() as clean:
        assert invoke("recording_indexer", queue.event(message)) == {"batchItemFailures": []}
    expected = {k: recordings.call(first)[k] for k in DESCRIBED}
    assert expected["recording_format"] == "m4a"
    tags = recordings.tags(key)
    assert len(clean.made) >= 3

    for kill_at in range(1, len(clean.made) + 1):
        # When the indexer of another call's upload of the same file is killed before its k-th
        # request, and SQS delivers the notification again
        call_id = recordings.create_call()
        key = recordings.upload(call_id, "m4a", audio)
        [message] = queue.take(key)
        with aws_requests(kill_at) as killed, pytest.raises(Killed):
            invoke("recording_indexer", queue.event(message))
        assert len(killed.made) == kill_at
        assert invoke("recording_indexer", queue.event(message)) == {"batchItemFailures": []}

        # Then the call describes its recording as a clean run does, the object is kept,
        # tagged alike, and the link serves the very bytes uploaded
        step = clean.made[kill_at - 1]
        assert {k: recordings.call(call_id)[k] for k in DESCRIBED} == expected, step
        assert len(recordings.version_ids(key)) == 1, step
        assert recordings.tags(key) == tags, step
        link = body(recordings.recording(call_id))
        assert requests.get(link["recording_url"], timeout=10).content == audio, step


@pytest.mark.parametrize("unreachable", ["s3", "s3.GetObject"])
def test_s3_unreachable_while_indexing_leaves_the_upload_for_the_retry(
    recordings: Recordings, queue: RecordingQueue, unreachable: str
) -> None:
    # Given an upload, and its notification
    call_id = recordings.create_call()
    audio = make_audio("wav")
    key = recordings.upload(call_id, "wav", audio)
    [message] = queue.take(key)
    versions = recordings.version_ids(key)

    # When S3 cannot be reached (or its object cannot be read) while the indexer reads it
    with aws_requests(unreachable=(unreachable,)):
        result = invoke("recording_indexer", queue.event(message))

    # Then the record fails (SQS delivers it again later), and nothing is lost or blamed
    assert result == {"batchItemFailures": [{"itemIdentifier": message["MessageId"]}]}
    assert recordings.version_ids(key) == versions
    call = recordings.call(call_id)
    assert (call["recording_format"], call["recording_error"]) == (None, None)
    # And when it comes again with S3 back, the recording is indexed
    assert invoke("recording_indexer", queue.event(message)) == {"batchItemFailures": []}
    assert recordings.call(call_id)["recording_format"] == "wav"

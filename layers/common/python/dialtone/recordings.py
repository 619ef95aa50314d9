"""Call recordings: presigned uploads and downloads, the indexer that reads what was uploaded,
and deleting a call's objects; and the calls exports too large for a response. This is the one
module that touches the recordings bucket.

An upload goes straight to S3 under the call's own key, `tenants/<tenant>/calls/<call>/
recording.<format>`, built here from the authenticated tenant, the call id and the format, so
a client cannot steer it anywhere else. S3 announces the new object (ObjectCreated → SQS) and
the indexer reads the real file: an object that is not audio, is not the format its key names,
is too large, or belongs to no call (or to a call that keeps no recordings) is deleted and the
reason is kept on the call as `recording_error`; otherwise the call's recording fields are
filled in. The bucket is versioned: a rejected upload is removed by its version, so a call's
earlier good recording stays current.
"""

from __future__ import annotations

import contextlib
import json
import re
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import IO, TYPE_CHECKING, Any, Literal
from urllib.parse import unquote_plus

from pydantic import BaseModel, ConfigDict, Field, field_validator

from dialtone import aws, retention, settings
from dialtone.auth import TENANT_ID_CHARS, Principal, Scope
from dialtone.call_responses import RecordingUpload
from dialtone.errors import CallNotFound, InvalidParameter, RecordingsNotKept
from dialtone.model_types import OptionalInteger
from dialtone.observability import logger, metrics
from dialtone.settings import EnvSettings
from dialtone.store import CallStore, StoredCall, sort_timestamp

if TYPE_CHECKING:
    from dialtone.audio import AudioInfo


class RecordingsSettings(EnvSettings):
    """Recording uploads, the recording indexer and erasure: calls and the recordings bucket,
    how large a recording may be and how long an upload link lives."""

    calls_table: str = Field(alias="CALLS_TABLE", min_length=1)
    recordings_bucket: str = Field(alias="RECORDINGS_BUCKET", min_length=1)
    max_recording_bytes: int = Field(
        alias="MAX_RECORDING_BYTES", default=200 * 1024 * 1024, ge=1024, le=1024**3
    )
    upload_ttl_seconds: int = Field(
        alias="RECORDING_UPLOAD_TTL_SECONDS", default=900, ge=60, le=3600
    )


RecordingFormat = Literal["wav", "ogg", "mp3", "m4a"]

_KEY = re.compile(
    rf"^tenants/(?P<tenant>{TENANT_ID_CHARS})/calls/"
    r"(?P<call>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/"
    r"recording\.(?P<format>wav|ogg|mp3|m4a)$"
)


def recording_key(tenant_id: str, call_id: str, recording_format: str) -> str:
    """The one key a call's recording of a format is stored under."""
    return f"{retention.call_prefix(tenant_id, call_id)}recording.{recording_format}"


def parse_key(key: str) -> tuple[str, str, str] | None:
    """(tenant, call id, format) of a recording key; None for any other key."""
    match = _KEY.match(key)
    return (match["tenant"], match["call"], match["format"]) if match else None


class RecordingUploadRequest(BaseModel):
    """`POST /v1/calls/{call_id}/recording/upload`."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    format: RecordingFormat
    method: Literal["PUT", "POST"] = "PUT"
    # The size the client means to upload, checked against the cap before it starts; a PUT
    # link is then signed for exactly that size.
    size_bytes: OptionalInteger = Field(default=None, ge=1)

    @field_validator("method", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value


class IndexOutcome(StrEnum):
    INDEXED = "indexed"
    UNCHANGED = "unchanged"  # a redelivered event for the object already described
    REJECTED = "rejected"
    IGNORED = "ignored"  # not a recording upload (a test event, another bucket, a gone object)


class Recordings:
    """Uploads and indexing of the recordings of one deployment's bucket."""

    def __init__(
        self,
        store: CallStore,
        bucket: str,
        max_bytes: int,
        upload_ttl_seconds: int = 900,
    ) -> None:
        self.store = store
        self.bucket = bucket
        self.max_bytes = max_bytes
        self.upload_ttl_seconds = upload_ttl_seconds

    # Uploads

    def create_upload(
        self, principal: Principal, call_id: str, request: RecordingUploadRequest
    ) -> RecordingUpload:
        """A presigned upload of the call's recording (PUT, or POST with a size policy)."""
        from dialtone.audio import CONTENT_TYPES

        principal.require(Scope.CALLS_INGEST)
        stored = self.store.get_call(principal.tenant_id, call_id)
        if stored.call.opt_out_sensitive_data_storage:
            raise RecordingsNotKept()
        if request.size_bytes is not None and request.size_bytes > self.max_bytes:
            raise InvalidParameter(
                ("body", "size_bytes"), f"a recording may be at most {self.max_bytes} bytes"
            )
        key = recording_key(principal.tenant_id, call_id, request.format)
        content_type = CONTENT_TYPES[request.format]
        s3 = aws.client("s3")
        expires_at = datetime.now(UTC).replace(microsecond=0) + timedelta(
            seconds=self.upload_ttl_seconds
        )
        common = {
            "call_id": call_id,
            "recording_format": request.format,
            "max_size_bytes": self.max_bytes,
            "expires_at": expires_at,
        }
        if request.method == "POST":
            post = s3.generate_presigned_post(
                self.bucket,
                key,
                Fields={"Content-Type": content_type},
                Conditions=[
                    {"Content-Type": content_type},
                    ["content-length-range", 1, self.max_bytes],
                ],
                ExpiresIn=self.upload_ttl_seconds,
            )
            return RecordingUpload(
                method="POST", upload_url=post["url"], fields=post["fields"], **common
            )
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": key, "ContentType": content_type}
        headers = {"Content-Type": content_type}
        if request.size_bytes is not None:
            # Signed (SigV4 signs the header): S3 takes exactly that many bytes and no other.
            params["ContentLength"] = request.size_bytes
            headers["Content-Length"] = str(request.size_bytes)
        url = s3.generate_presigned_url(
            "put_object", Params=params, ExpiresIn=self.upload_ttl_seconds
        )
        return RecordingUpload(method="PUT", upload_url=url, headers=headers, **common)

    # Indexing

    def handle_message(self, body: str) -> list[IndexOutcome]:
        """Index every object an S3 event notification (an SQS message body) announces."""
        message = json.loads(body)
        if message.get("Event") == "s3:TestEvent":
            return [IndexOutcome.IGNORED]
        outcomes = []
        for record in message.get("Records", []):
            if not str(record.get("eventName", "")).startswith("ObjectCreated"):
                outcomes.append(IndexOutcome.IGNORED)
                continue
            s3 = record["s3"]
            outcomes.append(
                self.index(
                    s3["bucket"]["name"],
                    unquote_plus(s3["object"]["key"]),  # event keys are URL-encoded
                    s3["object"].get("versionId"),
                    _event_time(record.get("eventTime")),
                )
            )
        return outcomes

    def index(
        self,
        bucket: str,
        key: str,
        version_id: str | None = None,
        event_time: datetime | None = None,
    ) -> IndexOutcome:
        """Read one uploaded object and describe it on its call, or reject it; `event_time`
        (the notification's, to the millisecond) orders uploads made within one second."""
        if bucket != self.bucket:
            logger.warning("Object of another bucket ignored", extra={"bucket": bucket})
            return IndexOutcome.IGNORED
        head = self._head(key)
        if head is None:
            return IndexOutcome.IGNORED  # already deleted (rejected before, or erased)
        upload = _Upload.of(key, head, version_id, event_time)
        parsed = parse_key(key)
        if parsed is None:
            return self._reject(None, key, upload.version_id, "not a recording key")
        tenant_id, call_id, key_format = parsed
        try:
            stored = self.store.get_call(tenant_id, call_id, consistent=True)
        except CallNotFound:
            return self._reject(None, key, upload.version_id, "no such call")
        state = _index_state(stored, key, upload.etag, upload.uploaded_at)
        if state is not None:
            return self._settled(state, stored, key, upload.version_id)
        return self._index_new(stored, upload, key_format)

    def _index_new(self, stored: StoredCall, upload: _Upload, key_format: str) -> IndexOutcome:
        """Check an upload the call does not account for yet, then describe it on the call."""
        key, version_id = upload.key, upload.version_id
        reason = self._refusal(stored, upload)
        if reason is not None:
            return self._reject(stored, key, version_id, reason)
        from dialtone.audio import NotAudio, inspect_audio

        with tempfile.TemporaryFile() as file:
            extra = {"VersionId": version_id} if version_id else {}
            download_fileobj(self.bucket, key, file, extra or None)
            file.seek(0)
            try:
                info = inspect_audio(file)
            except NotAudio as error:
                return self._reject(stored, key, version_id, f"not a recording: {error}")
        if info.format != key_format:
            reason = f"the upload holds {info.format} audio, not {key_format}"
            return self._reject(stored, key, version_id, reason)
        return self._describe(stored, upload, info)

    def _refusal(self, stored: StoredCall, upload: _Upload) -> str | None:
        """Why the upload cannot be kept whatever it holds; None when it may be read."""
        if stored.call.opt_out_sensitive_data_storage:
            return "recordings are not kept for this call (opt_out_sensitive_data_storage)"
        if upload.size_bytes > self.max_bytes:
            return (
                f"the upload is {upload.size_bytes} bytes, more than the {self.max_bytes} allowed"
            )
        return None

    def _describe(self, stored: StoredCall, upload: _Upload, info: AudioInfo) -> IndexOutcome:
        """Write the recording's fields on its call, unless another upload was indexed while
        this one was read."""
        key, version_id = upload.key, upload.version_id
        fields = {
            "recording_format": info.format,
            "recording_size_bytes": upload.size_bytes,
            "recording_duration_seconds": round(info.duration_seconds, 3),
            "recording_channels": info.channels,
            "recording_error": None,
            "recording_key": key,
            "recording_etag": upload.etag,
            "recording_uploaded_at": upload.uploaded_at,
        }
        # Decided again on the call as it is when written: another upload may have been
        # indexed while this one was read.
        seen: dict[str, Any] = {}

        def compute(current: StoredCall) -> dict[str, Any]:
            seen.update(
                state=_index_state(current, key, upload.etag, upload.uploaded_at), call=current
            )
            return {} if seen["state"] is not None else fields

        try:
            self.store.merge_call(stored.tenant_id, stored.call.id, compute, current=stored)
        except CallNotFound:
            # Erased while the file was read: nothing of the call may stay behind.
            return self._reject(None, key, version_id, "no such call")
        if seen["state"] is not None:
            return self._settled(seen["state"], seen["call"], key, version_id)
        replaced = seen["call"].recording_key
        if replaced and replaced != key:
            delete_object_versions(self.bucket, replaced)
        self._tag(key, version_id, stored)
        metrics.add_metric(name="RecordingsIndexed", unit="Count", value=1)
        logger.info("Recording indexed", extra={"call_id": stored.call.id, "format": info.format})
        return IndexOutcome.INDEXED

    def _settled(
        self, state: IndexOutcome, stored: StoredCall, key: str, version_id: str | None
    ) -> IndexOutcome:
        """Finish an upload the call already accounts for."""
        if state is IndexOutcome.UNCHANGED:
            # The same bytes uploaded again are a new version, which needs the tag too (as
            # does a version whose tagging failed before this event was redelivered).
            self._tag(key, version_id, stored)
        else:
            # An older upload's late event: the call already describes a newer recording.
            self._delete(key, version_id)
        return state

    def _head(self, key: str) -> dict[str, Any] | None:
        """The key's current version, None when there is none."""
        s3 = aws.client("s3")
        try:
            head: dict[str, Any] = s3.head_object(Bucket=self.bucket, Key=key)
        except s3.exceptions.ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return head

    def _delete(self, key: str, version_id: str | None) -> None:
        extra = {"VersionId": version_id} if version_id else {}
        aws.client("s3").delete_object(Bucket=self.bucket, Key=key, **extra)

    def _reject(
        self, stored: StoredCall | None, key: str, version_id: str | None, reason: str
    ) -> IndexOutcome:
        """Delete the uploaded object and keep the reason on its call (when it has one)."""
        self._delete(key, version_id)
        logger.warning("Recording upload rejected", extra={"key": key, "reason": reason})
        metrics.add_metric(name="RecordingsRejected", unit="Count", value=1)
        if stored is not None:
            # Erased meanwhile: there is nobody left to tell.
            with contextlib.suppress(CallNotFound):
                self.store.merge_call(
                    stored.tenant_id, stored.call.id, lambda _: {"recording_error": reason}
                )
        return IndexOutcome.REJECTED

    def _tag(self, key: str, version_id: str | None, stored: StoredCall) -> None:
        """Tag the recording with its retention class, which its lifecycle rule expires."""
        expires = stored.internal.expires_at
        if expires is None:
            return
        # S3 counts from the upload, which is now: the class covers what the call has left.
        days_left = -(-(int(expires) - int(time.time())) // 86400)
        days = retention.retention_class(max(1, days_left))
        if days is None:
            return
        extra = {"VersionId": version_id} if version_id else {}
        aws.client("s3").put_object_tagging(
            Bucket=self.bucket,
            Key=key,
            Tagging={"TagSet": [{"Key": retention.RETENTION_TAG, "Value": str(days)}]},
            **extra,
        )


@dataclass(frozen=True)
class _Upload:
    """The current version of an uploaded object, as its HEAD describes it."""

    key: str
    version_id: str | None
    etag: str
    uploaded_at: str  # a sort timestamp, to the millisecond when the event gave one
    size_bytes: int

    @classmethod
    def of(
        cls, key: str, head: dict[str, Any], version_id: str | None, event_time: datetime | None
    ) -> _Upload:
        """The upload the key's HEAD describes, for an event naming `version_id`."""
        # The key's current version is read, whichever version the event names: an older
        # version's late event may come after a newer upload was rejected (its version deleted),
        # and then nothing else would ever describe the older one, current again.
        current = head.get("VersionId") or version_id
        moment: datetime = head["LastModified"]  # whole seconds only
        if event_time is not None and version_id in (None, current):
            moment = max(moment, event_time)
        return cls(
            key=key,
            version_id=current,
            etag=str(head["ETag"]).strip('"'),
            uploaded_at=sort_timestamp(moment),
            size_bytes=int(head["ContentLength"]),
        )


def _index_state(stored: StoredCall, key: str, etag: str, uploaded_at: str) -> IndexOutcome | None:
    """UNCHANGED when the call already describes this object, IGNORED when it describes a
    newer upload, None when the object is to be indexed."""
    if stored.recording_key == key and stored.internal.recording_etag == etag:
        return IndexOutcome.UNCHANGED
    if uploaded_at < str(stored.internal.recording_uploaded_at or ""):
        return IndexOutcome.IGNORED
    return None


def _event_time(value: Any) -> datetime | None:
    """An S3 event's `eventTime` (ISO-8601 with milliseconds), None when absent or unreadable."""
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@settings.per_environment
def recordings() -> Recordings:
    """Recordings of the deployment's bucket, for the upload and indexer handlers."""
    config = settings.load(RecordingsSettings)
    return Recordings(
        CallStore(config.calls_table),
        config.recordings_bucket,
        config.max_recording_bytes,
        config.upload_ttl_seconds,
    )


# The bucket's objects, for the readers and the erasure of calls


def download_fileobj(bucket: str, key: str, file: IO[bytes], extra: dict[str, str] | None) -> None:
    """Download an object into `file` with boto3's managed transfer (ranged parts in threads),
    which the clients, botocore's own, do not carry as a method."""
    from boto3.s3.inject import download_fileobj as managed_download

    managed_download(aws.client("s3"), bucket, key, file, ExtraArgs=extra)


def presign_recording(
    bucket: str, key: str, expires_in: int, download_filename: str | None = None
) -> str:
    """A SigV4 presigned GET of a recording object (no network call: it is signed here); with
    `download_filename`, one that downloads as an attachment of that name."""
    params: dict[str, Any] = {"Bucket": bucket, "Key": key}
    if download_filename:
        params["ResponseContentDisposition"] = f'attachment; filename="{download_filename}"'
    url: str = aws.client("s3").generate_presigned_url(
        "get_object", Params=params, ExpiresIn=expires_in
    )
    return url


def delete_call_recordings(bucket: str, tenant_id: str, call_id: str) -> int:
    """Delete every version of every object of a call; how many versions were deleted."""
    return delete_object_versions(bucket, retention.call_prefix(tenant_id, call_id))


def delete_object_versions(bucket: str, prefix: str, keep_key: str | None = None) -> int:
    """Delete every version (and delete marker) of every object under `prefix`, except those
    of `keep_key`; how many versions were deleted."""
    s3 = aws.client("s3")
    doomed: list[dict[str, Any]] = []
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=prefix):
        for entry in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]:
            if entry["Key"] != keep_key:
                doomed.append({"Key": entry["Key"], "VersionId": entry["VersionId"]})
    for start in range(0, len(doomed), 1000):
        response = s3.delete_objects(
            Bucket=bucket, Delete={"Objects": doomed[start : start + 1000], "Quiet": True}
        )
        if response.get("Errors"):
            first = response["Errors"][0]
            raise RuntimeError(f"could not delete {first['Key']}: {first.get('Message')}")
    return len(doomed)


# Exports too large for an API response (`GET /v1/calls/export`): the bucket keeps them a day
# under `exports/` (a lifecycle rule of the template), outside `tenants/`, so the recording
# indexer is never told of them.

EXPORTS_PREFIX = "exports/"


def export_key(tenant_id: str, filename: str) -> str:
    """A new, unguessable key of an export of the tenant, ending in its download filename."""
    import uuid

    return f"{EXPORTS_PREFIX}{tenant_id}/{uuid.uuid4().hex}/{filename}"


def store_export(
    bucket: str, key: str, body: IO[bytes], content_type: str, filename: str, expires_in: int
) -> str:
    """Upload an export (a file positioned at its start) and return a presigned GET of it that
    downloads as an attachment named `filename`. The upload streams the file in parts of
    8 MiB, two at a time, so memory stays bounded whatever the export's size."""
    from boto3.s3.inject import upload_fileobj
    from boto3.s3.transfer import TransferConfig

    disposition = f'attachment; filename="{filename}"'
    s3 = aws.client("s3")
    upload_fileobj(
        s3,
        body,
        bucket,
        key,
        ExtraArgs={"ContentType": content_type, "ContentDisposition": disposition},
        Config=TransferConfig(multipart_chunksize=8 * 1024 * 1024, max_concurrency=2),
    )
    url: str = s3.generate_presigned_url(
        "get_object",
        Params={
            "Bucket": bucket,
            "Key": key,
            "ResponseContentDisposition": disposition,
            "ResponseContentType": content_type,
        },
        ExpiresIn=expires_in,
    )
    return url

"""Tenants and API keys, in the accounts table.

Items: a tenant at (`TENANT#<id>`, `TENANT`); each key twice, written together in one
transaction: at (`KEY#<sha256>`, `KEY`), found by its hash on every request, and at
(`TENANT#<id>`, `KEY#<key id>`), listed and revoked per tenant with strongly consistent reads.
The tenant item also carries the tenant's settings: dial settings, retention and the
sensitive-data opt-out (`TenantSettingsUpdate` changes any of them).
Agents (`AGENT#<id>`) and the do-not-call list (`DNC#<e164>`) live under the tenant's key too,
see `dialtone.agents` and `dialtone.dialing.suppressions`.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, time
from typing import TYPE_CHECKING, Annotated, Any

from botocore.exceptions import ClientError
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from dialtone import phones
from dialtone.auth import TENANT_ID_PATTERN, Principal, Scope, generate_key
from dialtone.dynamo import TableStore, condition_failed, from_item, string_key, to_item
from dialtone.errors import ApiKeyNotFound, TenantNotFound
from dialtone.retention import RETENTION_CLASSES

if TYPE_CHECKING:
    pass

# The deployment's telephony account (TelephonyProvider, TwilioSecretArn): shared by every
# tenant that names no account of its own.
DEFAULT_TELEPHONY_ACCOUNT = "default"

# Tenant ids end up inside index keys (`<tenant>#<value>`): no separator may appear in them.
_TENANT_ID = re.compile(TENANT_ID_PATTERN)


_CLOCK_TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")

DEFAULT_DIAL_RATE_PER_SECOND = 1
# Allowed caller IDs a tenant may list (besides its default and its agents' numbers).
MAX_CALLER_IDS = 100
MAX_DIAL_RATE_PER_SECOND = 100
# A grade younger than this is answered as it is by POST /v1/calls/{id}/grade (force re-runs it).
DEFAULT_GRADE_REFRESH_HOURS = 24
MAX_GRADE_REFRESH_HOURS = 24 * 365
# Same as dialtone.quality.DEFAULT_GRADE_THRESHOLD (accounts does not import quality).
DEFAULT_GRADE_ISSUE_THRESHOLD = 0.6

# Up to the recordings bucket's longest lifecycle class: a longer period would keep a recording
# indefinitely after its call's records expired.
MIN_RETENTION_DAYS = 1
MAX_RETENTION_DAYS = RETENTION_CLASSES[-1]
RetentionDays = Annotated[int, Field(ge=MIN_RETENTION_DAYS, le=MAX_RETENTION_DAYS)]


class CallingWindow(BaseModel):
    """When calls may be placed, as `HH:MM` clock times in the callee's local time.

    `start` is inclusive and `end` exclusive; a window whose end comes before its start wraps
    midnight (`21:00`-`08:00` is the night).
    """

    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid")

    start: str
    end: str

    @field_validator("start", "end")
    @classmethod
    def _clock_time(cls, value: str) -> str:
        if not _CLOCK_TIME.match(value):
            raise PydanticCustomError("clock_time", "must be a 24-hour time HH:MM, like 08:00")
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> CallingWindow:
        if self.start == self.end:
            raise PydanticCustomError(
                "calling_window", "start and end must differ (a window cannot be empty)"
            )
        return self

    @classmethod
    def parse(cls, text: str) -> CallingWindow:
        """`HH:MM-HH:MM` as a window; ValueError (pydantic's) when it is not one."""
        start, sep, end = text.strip().partition("-")
        if not sep:
            raise ValueError("a calling window is START-END, like 08:00-21:00")
        return cls(start=start.strip(), end=end.strip())

    def allows(self, local_time: time) -> bool:
        """Whether a call may be placed at this local time of the callee."""
        start, end = time.fromisoformat(self.start), time.fromisoformat(self.end)
        moment = local_time.replace(second=0, microsecond=0, tzinfo=None)
        if start < end:
            return start <= moment < end
        return moment >= start or moment < end  # wraps midnight

    def __str__(self) -> str:
        return f"{self.start}-{self.end}"


class Tenant(BaseModel):
    model_config = ConfigDict(defer_build=True)
    tenant_id: str
    name: str
    created_at: datetime
    # Read when a call is created (dialtone.ingest): the call's expiry and whether its
    # transcript and history are redacted and its recording dropped. None keeps calls
    # indefinitely. Not bounded here, so a tenant stored before the bound still loads.
    retention_days: int | None = None
    opt_out_sensitive_data_storage: bool = False
    # Dial settings: where outbound calls come from, how fast and when they may be placed.
    default_from_number: str | None = None
    dial_rate_per_second: int = Field(
        default=DEFAULT_DIAL_RATE_PER_SECOND, ge=1, le=MAX_DIAL_RATE_PER_SECOND
    )
    calling_window: CallingWindow | None = None
    telephony_account_id: str | None = None
    # Numbers the tenant owns that calls may come from, besides its default and its agents'.
    caller_ids: list[str] = Field(default_factory=list)
    # Quality: how long a grade stands before POST .../grade runs it again, and the score
    # below which a grade files an issue report by itself.
    grade_refresh_hours: int = Field(
        default=DEFAULT_GRADE_REFRESH_HOURS, ge=0, le=MAX_GRADE_REFRESH_HOURS
    )
    grade_issue_threshold: float = Field(default=DEFAULT_GRADE_ISSUE_THRESHOLD, ge=0.0, le=1.0)
    updated_at: datetime | None = None

    @property
    def telephony_account(self) -> str:
        """The telephony account the tenant dials through: the one it names, or the
        deployment's own (shared by every tenant that names none). The limiter counts calls
        per telephony account, so tenants on one account share its calls per second."""
        return self.telephony_account_id or DEFAULT_TELEPHONY_ACCOUNT

    def dial_rate(self, account_rate: int) -> int:
        """Calls per second on the tenant's telephony account: its own `dial_rate_per_second`
        when it names an account of its own, else the deployment account's rate."""
        return self.dial_rate_per_second if self.telephony_account_id else account_rate


class TenantSettingsUpdate(BaseModel):
    """A partial change of a tenant's settings (dial settings, retention, the sensitive-data
    opt-out): only the fields given change, and an explicit None clears an optional one
    (`dial_rate_per_second` and `opt_out_sensitive_data_storage` cannot be cleared).

    Retention and the opt-out apply to calls created afterwards: a stored call keeps the
    expiry and redaction it was given."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    default_from_number: str | None = None
    dial_rate_per_second: int = Field(
        default=DEFAULT_DIAL_RATE_PER_SECOND, ge=1, le=MAX_DIAL_RATE_PER_SECOND
    )
    calling_window: CallingWindow | None = None
    telephony_account_id: str | None = Field(default=None, min_length=1, max_length=128)
    # Replaces the whole list; None (or []) clears it.
    caller_ids: list[str] | None = Field(default=None, max_length=MAX_CALLER_IDS)
    retention_days: RetentionDays | None = None
    opt_out_sensitive_data_storage: bool = False
    grade_refresh_hours: int = Field(
        default=DEFAULT_GRADE_REFRESH_HOURS, ge=0, le=MAX_GRADE_REFRESH_HOURS
    )
    grade_issue_threshold: float = Field(default=DEFAULT_GRADE_ISSUE_THRESHOLD, ge=0.0, le=1.0)

    @field_validator("default_from_number")
    @classmethod
    def _e164(cls, value: str | None) -> str | None:
        return None if value is None else phones.to_e164(value)

    @field_validator("caller_ids")
    @classmethod
    def _caller_ids(cls, value: list[str] | None) -> list[str] | None:
        """E.164 numbers, each once, in the order given; an empty list clears them."""
        if not value:
            return None
        return list(dict.fromkeys(phones.to_e164(number) for number in value))

    def changes(self) -> dict[str, Any]:
        """The fields given, as stored values (None: remove the attribute)."""
        values = self.model_dump(mode="json")
        return {name: values[name] for name in sorted(self.model_fields_set)}


class ApiKey(BaseModel):
    model_config = ConfigDict(defer_build=True)
    key_id: str
    tenant_id: str
    name: str | None = None
    scopes: list[str] = Field(default_factory=list)
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class CreatedKey(BaseModel):
    model_config = ConfigDict(defer_build=True)
    key: ApiKey
    plaintext: str


def _now() -> datetime:
    return datetime.now(UTC)


class AccountStore(TableStore):
    """Reads and writes tenants and keys; raises TenantNotFound / ApiKeyNotFound."""

    def create_tenant(
        self,
        name: str,
        tenant_id: str | None = None,
        retention_days: int | None = None,
        opt_out_sensitive_data_storage: bool = False,
    ) -> Tenant:
        """Create a tenant (a fresh id unless one is given; an existing id is an error).
        ValueError for a malformed id or a retention outside 1-`MAX_RETENTION_DAYS` days."""
        if tenant_id is not None and not _TENANT_ID.match(tenant_id):
            raise ValueError("a tenant id is 1-64 letters, digits, '.', '_' or '-'")
        if retention_days is not None and not (
            MIN_RETENTION_DAYS <= retention_days <= MAX_RETENTION_DAYS
        ):
            raise ValueError(
                f"retention_days is {MIN_RETENTION_DAYS}-{MAX_RETENTION_DAYS} days (or none)"
            )
        tenant = Tenant(
            tenant_id=tenant_id or str(uuid.uuid4()),
            name=name,
            created_at=_now(),
            retention_days=retention_days,
            opt_out_sensitive_data_storage=opt_out_sensitive_data_storage,
        )
        item = to_item(
            {
                "pk": f"TENANT#{tenant.tenant_id}",
                "sk": "TENANT",
                **tenant.model_dump(mode="json"),
            }
        )
        self.dynamodb.put_item(
            TableName=self.table_name,
            Item=item,
            ConditionExpression="attribute_not_exists(pk)",
        )
        return tenant

    def get_tenant(self, tenant_id: str) -> Tenant:
        response = self.dynamodb.get_item(
            TableName=self.table_name,
            Key=string_key(pk=f"TENANT#{tenant_id}", sk="TENANT"),
        )
        if "Item" not in response:
            raise TenantNotFound()
        return Tenant.model_validate(from_item(response["Item"]))

    def update_settings(self, tenant_id: str, update: TenantSettingsUpdate) -> Tenant:
        """Change some of a tenant's settings (one conditional UpdateItem); the tenant as it
        now is. Raises TenantNotFound."""
        changes = update.changes()
        if not changes:
            return self.get_tenant(tenant_id)
        names = {f"#{name}": name for name in changes}
        values: dict[str, Any] = {":now": {"S": _now().isoformat()}}
        assignments = ["updated_at = :now"]
        removals: list[str] = []
        for name, value in changes.items():
            if value is None:
                removals.append(f"#{name}")
            else:
                values[f":{name}"] = to_item({"v": value})["v"]
                assignments.append(f"#{name} = :{name}")
        expression = "SET " + ", ".join(assignments)
        if removals:
            expression += " REMOVE " + ", ".join(removals)
        try:
            response = self.dynamodb.update_item(
                TableName=self.table_name,
                Key=string_key(pk=f"TENANT#{tenant_id}", sk="TENANT"),
                UpdateExpression=expression,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ConditionExpression="attribute_exists(pk)",
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if condition_failed(error):
                raise TenantNotFound() from None
            raise
        return Tenant.model_validate(from_item(response["Attributes"]))

    def create_key(
        self, tenant_id: str, scopes: Iterable[Scope], name: str | None = None
    ) -> CreatedKey:
        """Issue a key for an existing tenant; the plaintext is returned here and only here."""
        self.get_tenant(tenant_id)
        new = generate_key()
        key = ApiKey(
            key_id=new.key_id,
            tenant_id=tenant_id,
            name=name,
            scopes=[s.value for s in scopes],
            created_at=_now(),
        )
        values = key.model_dump(mode="json")
        self.dynamodb.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": self.table_name,
                        "Item": to_item({"pk": f"KEY#{new.key_hash}", "sk": "KEY", **values}),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                {
                    "Put": {
                        "TableName": self.table_name,
                        "Item": to_item(
                            {
                                "pk": f"TENANT#{tenant_id}",
                                "sk": f"KEY#{key.key_id}",
                                "key_hash": new.key_hash,
                                **values,
                            }
                        ),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            ]
        )
        return CreatedKey(key=key, plaintext=new.plaintext)

    def list_keys(self, tenant_id: str) -> list[ApiKey]:
        """The tenant's keys, oldest first (never the key itself nor its hash)."""
        self.get_tenant(tenant_id)
        keys: list[ApiKey] = []
        paginator = self.dynamodb.get_paginator("query")
        for page in paginator.paginate(
            TableName=self.table_name,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :keys)",
            ExpressionAttributeValues={":pk": {"S": f"TENANT#{tenant_id}"}, ":keys": {"S": "KEY#"}},
            ConsistentRead=True,
        ):
            keys.extend(ApiKey.model_validate(from_item(i)) for i in page["Items"])
        return sorted(keys, key=lambda k: k.created_at)

    def revoke_key(self, tenant_id: str, key_id: str) -> ApiKey:
        """Revoke a key of this tenant; revoking twice keeps the first revocation time."""
        record = self.dynamodb.get_item(
            TableName=self.table_name,
            Key=string_key(pk=f"TENANT#{tenant_id}", sk=f"KEY#{key_id}"),
            ConsistentRead=True,
        ).get("Item")
        if record is None:
            raise ApiKeyNotFound()
        revoked_at = from_item(record).get("revoked_at") or _now().isoformat()
        update = {
            "UpdateExpression": "SET revoked_at = :at",
            "ExpressionAttributeValues": {":at": {"S": revoked_at}},
            "ConditionExpression": "attribute_exists(pk)",
            "TableName": self.table_name,
        }
        self.dynamodb.transact_write_items(
            TransactItems=[
                {"Update": {**update, "Key": {"pk": record["pk"], "sk": record["sk"]}}},
                {
                    "Update": {
                        **update,
                        "Key": string_key(pk=f"KEY#{record['key_hash']['S']}", sk="KEY"),
                    }
                },
            ]
        )
        return ApiKey.model_validate({**from_item(record), "revoked_at": revoked_at})

    def resolve_key(self, plaintext: str) -> Principal | None:
        """The principal of an active key, or None for an unknown or revoked one."""
        from dialtone.keys import KeyResolver

        return KeyResolver(self.table_name, self._dynamodb).resolve(plaintext)

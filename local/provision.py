"""Build every table, bucket and secret of `template.yaml` on an AWS endpoint, from the template's
own definitions, and resolve each function's environment to the resources it created.

The tests and the local stack both use this, so what they run against cannot drift from what
is deployed.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"

_TABLE_KEYS = (
    "AttributeDefinitions",
    "KeySchema",
    "GlobalSecondaryIndexes",
    "LocalSecondaryIndexes",
    "BillingMode",
    "StreamSpecification",
)


_CORS_FIELDS = {"Id": "ID", "ExposedHeaders": "ExposeHeaders", "MaxAge": "MaxAgeSeconds"}


def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    """The template as plain data; CloudFormation tags (!Ref, !GetAtt, !Sub) become their
    long forms ({"Ref": ...})."""
    from samcli.yamlhelper import yaml_parse

    parsed: dict[str, Any] = yaml_parse(path.read_text())
    return parsed


def resources_of(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    """Logical id → properties of every resource of one type."""
    return {
        name: resource.get("Properties", {})
        for name, resource in template["Resources"].items()
        if resource["Type"] == kind
    }


def _plain(value: Any) -> Any:
    """OrderedDicts and tuples from the YAML loader as plain dicts and lists."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


@dataclass
class Stack:
    """What was created: logical id → physical name (and ARN where one is needed)."""

    prefix: str
    names: dict[str, str] = field(default_factory=dict)
    arns: dict[str, str] = field(default_factory=dict)
    urls: dict[str, str] = field(default_factory=dict)
    stream_arns: dict[str, str] = field(default_factory=dict)
    template: dict[str, Any] = field(default_factory=dict)
    # Values the template cannot give here (the API's own URL is only known once it listens),
    # set for every function that declares the variable.
    overrides: dict[str, str] = field(default_factory=dict)

    def resolve(self, value: Any) -> Any:
        """An environment value of the template with Ref/GetAtt of our resources resolved."""
        if isinstance(value, dict) and "Ref" in value:
            ref = value["Ref"]
            if ref in self.urls:
                return self.urls[ref]  # a queue's Ref is its URL
            if ref in self.names:
                return self.arns.get(ref) if ref in self.secret_ids else self.names[ref]
            parameter = self.template.get("Parameters", {}).get(ref, {})
            return str(parameter.get("Default", ""))
        if isinstance(value, dict) and "Fn::GetAtt" in value:
            logical, attribute = value["Fn::GetAtt"]
            if attribute == "Arn" and logical in self.arns:
                return self.arns[logical]
            if attribute == "StreamArn" and logical in self.stream_arns:
                return self.stream_arns[logical]
            if attribute == "QueueUrl" and logical in self.urls:
                return self.urls[logical]
            return self.names[logical]
        if isinstance(value, dict | list):
            return ""  # another intrinsic (Fn::If, Fn::Sub): blank, as SAM's emulator makes it
        return value

    @property
    def secret_ids(self) -> set[str]:
        return set(resources_of(self.template, "AWS::SecretsManager::Secret"))

    def function_environment(self, logical_id: str) -> dict[str, str]:
        """Globals' and the function's own environment variables, resolved."""
        globals_env = (
            self.template.get("Globals", {}).get("Function", {}).get("Environment", {})
        ).get("Variables", {})
        function = self.template["Resources"][logical_id]["Properties"]
        own_env = function.get("Environment", {}).get("Variables", {})
        merged = {**globals_env, **own_env}
        resolved = {k: str(self.resolve(v)) for k, v in merged.items()}
        resolved.update({k: v for k, v in self.overrides.items() if k in merged})
        return resolved

    def function_code(self, logical_id: str) -> Path:
        return ROOT / str(self.template["Resources"][logical_id]["Properties"]["CodeUri"])

    def functions(self) -> list[str]:
        return list(resources_of(self.template, "AWS::Serverless::Function"))

    def api_functions(self) -> frozenset[str]:
        """The functions only the HTTP API invokes (its routes, and the authorizer, which has
        no event of its own), not an event source."""
        resources = self.template["Resources"]
        return frozenset(
            name
            for name in self.functions()
            if all(
                event.get("Type") == "HttpApi"
                for event in resources[name]["Properties"].get("Events", {}).values()
            )
        )


def create_table(dynamodb: Any, name: str, properties: dict[str, Any]) -> None:
    spec = {k: _plain(properties[k]) for k in _TABLE_KEYS if k in properties}
    if "StreamSpecification" in spec:
        spec["StreamSpecification"] = {"StreamEnabled": True, **spec["StreamSpecification"]}
    dynamodb.create_table(TableName=name, **spec)
    ttl = properties.get("TimeToLiveSpecification")
    if ttl and ttl.get("Enabled"):
        dynamodb.update_time_to_live(
            TableName=name,
            TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True},
        )
    recovery = properties.get("PointInTimeRecoverySpecification", {})
    if recovery.get("PointInTimeRecoveryEnabled"):
        dynamodb.update_continuous_backups(
            TableName=name,
            PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
        )


_QUEUE_ATTRIBUTES = (
    "DelaySeconds",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "VisibilityTimeout",
    "FifoQueue",
    "ContentBasedDeduplication",
)


def create_queue(sqs: Any, stack: Stack, logical: str, properties: dict[str, Any]) -> None:
    """A queue with the template's attributes and redrive policy (its DLQ must exist)."""
    import json

    fifo = bool(properties.get("FifoQueue"))
    name = f"{stack.prefix}-{logical}" + (".fifo" if fifo else "")
    attributes = {
        key: str(stack.resolve(properties[key])).lower()
        if isinstance(properties[key], bool)
        else str(stack.resolve(properties[key]))
        for key in _QUEUE_ATTRIBUTES
        if key in properties
    }
    redrive = properties.get("RedrivePolicy")
    if redrive:
        attributes["RedrivePolicy"] = json.dumps(
            {
                "deadLetterTargetArn": stack.resolve(redrive["deadLetterTargetArn"]),
                "maxReceiveCount": int(redrive["maxReceiveCount"]),
            }
        )
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    stack.names[logical] = name
    stack.urls[logical] = url
    stack.arns[logical] = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]


def create_bucket(s3: Any, stack: Stack, name: str, properties: dict[str, Any]) -> None:
    """A bucket with the template's versioning, CORS, public access block and notifications
    (queues it notifies must exist)."""
    s3.create_bucket(Bucket=name)
    if properties.get("VersioningConfiguration", {}).get("Status") == "Enabled":
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    if "CorsConfiguration" in properties:
        rules = []
        for rule in _plain(properties["CorsConfiguration"])["CorsRules"]:
            # CloudFormation's names for the S3 API's CORS fields.
            api_rule = {_CORS_FIELDS.get(k, k): v for k, v in rule.items()}
            api_rule["AllowedOrigins"] = [
                o if isinstance(o, str) else "*" for o in api_rule["AllowedOrigins"]
            ]
            rules.append(api_rule)
        s3.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": rules})
    if "PublicAccessBlockConfiguration" in properties:
        s3.put_public_access_block(
            Bucket=name,
            PublicAccessBlockConfiguration=_plain(properties["PublicAccessBlockConfiguration"]),
        )
    queues = properties.get("NotificationConfiguration", {}).get("QueueConfigurations", [])
    if queues:
        s3.put_bucket_notification_configuration(
            Bucket=name,
            NotificationConfiguration={
                "QueueConfigurations": [_queue_notification(stack, q) for q in queues]
            },
        )


def _queue_notification(stack: Stack, spec: dict[str, Any]) -> dict[str, Any]:
    """CloudFormation's form of a queue notification in the S3 API's."""
    rules = spec.get("Filter", {}).get("S3Key", {}).get("Rules", [])
    notification: dict[str, Any] = {
        "QueueArn": stack.resolve(spec["Queue"]),
        "Events": [spec["Event"]],
    }
    if rules:
        notification["Filter"] = {
            "Key": {"FilterRules": [{"Name": r["Name"], "Value": r["Value"]} for r in rules]}
        }
    return notification


def provision(session: Any, prefix: str, template: dict[str, Any] | None = None) -> Stack:
    """Create every table, queue, bucket and secret of the template, named
    `<prefix>-<LogicalId>`."""
    template = template or load_template()
    stack = Stack(prefix=prefix, template=template)
    dynamodb = session.client("dynamodb")
    for logical, properties in resources_of(template, "AWS::DynamoDB::Table").items():
        name = f"{prefix}-{logical}"
        create_table(dynamodb, name, properties)
        stack.names[logical] = name
        description = dynamodb.describe_table(TableName=name)["Table"]
        stack.arns[logical] = description["TableArn"]
        if description.get("LatestStreamArn"):
            stack.stream_arns[logical] = description["LatestStreamArn"]
    sqs = session.client("sqs")
    queues = resources_of(template, "AWS::SQS::Queue")
    # Dead-letter queues first: a redrive policy names its target by ARN.
    for logical in sorted(queues, key=lambda q: "RedrivePolicy" in queues[q]):
        create_queue(sqs, stack, logical, queues[logical])
    s3 = session.client("s3")
    for logical, properties in resources_of(template, "AWS::S3::Bucket").items():
        name = f"{prefix}-{logical}".lower()
        create_bucket(s3, stack, name, properties)
        stack.names[logical] = name
        stack.arns[logical] = f"arn:aws:s3:::{name}"
    secretsmanager = session.client("secretsmanager")
    for logical, properties in resources_of(template, "AWS::SecretsManager::Secret").items():
        generate = properties.get("GenerateSecretString", {})
        value = secrets.token_urlsafe(int(generate.get("PasswordLength", 32)))
        created = secretsmanager.create_secret(Name=f"{prefix}-{logical}", SecretString=value)
        stack.names[logical] = created["Name"]
        stack.arns[logical] = created["ARN"]
    return stack

"""Least privilege, read from template.yaml: no function may act on `*`, and a function that only
reads (an API function behind a GET route, and the authorizer) holds no write permission."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from local.provision import load_template, resources_of

# SAM policy templates that only read. Any other template counts as a write, so a new template
# in a read-only function fails here until someone decides which kind it is.
READ_TEMPLATES = frozenset(
    {
        "DynamoDBReadPolicy",
        "S3ReadPolicy",
        "AWSSecretsManagerGetSecretValuePolicy",
        "SSMParameterReadPolicy",
    }
)

# IAM actions whose verb only reads (`dynamodb:GetItem`, `s3:ListBucketVersions`, ...).
READ_VERBS = ("Get", "List", "Describe", "Query", "Scan", "BatchGet", "Head")

# Read-only functions that legitimately write, each with why. The test fails when an entry no
# longer writes (or no longer reads only), so the list cannot go stale.
WRITING_READERS = {
    "ExportCallsFunction": (
        "GET /v1/calls/export stores an export too large for a response under the bucket's "
        "exports/ prefix (its inline statement is scoped to it) and answers with a link to it"
    ),
}


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template()


def functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return resources_of(template, "AWS::Serverless::Function")


def authorizer_functions(template: dict[str, Any]) -> set[str]:
    """The functions the HTTP APIs name as Lambda authorizers."""
    names = set()
    for api in resources_of(template, "AWS::Serverless::HttpApi").values():
        for authorizer in api.get("Auth", {}).get("Authorizers", {}).values():
            names.add(authorizer["FunctionArn"]["Fn::GetAtt"][0])
    return names


def read_only_functions(template: dict[str, Any]) -> set[str]:
    """The authorizers, and the functions whose every event is an HTTP API GET route."""
    readers = authorizer_functions(template)
    for name, properties in functions(template).items():
        events = list((properties.get("Events") or {}).values())
        if events and all(
            e["Type"] == "HttpApi" and str(e["Properties"].get("Method")).upper() == "GET"
            for e in events
        ):
            readers.add(name)
    return readers


def policies(properties: dict[str, Any]) -> Iterator[Any]:
    """A function's policies, with every branch of an `Fn::If` (either may be deployed)."""
    pending = list(properties.get("Policies") or [])
    while pending:
        policy = pending.pop(0)
        if isinstance(policy, dict) and "Fn::If" in policy:
            pending.extend(policy["Fn::If"][1:])
        elif policy != {"Ref": "AWS::NoValue"}:
            yield policy


def statements(policy: Any) -> list[dict[str, Any]]:
    return policy["Statement"] if isinstance(policy, dict) and "Statement" in policy else []


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def is_wildcard(resource: Any) -> bool:
    """`*`, or an ARN whose resource part is `*` (`arn:aws:s3:::*`), in a plain or Sub string."""
    if isinstance(resource, dict) and "Fn::Sub" in resource:
        resource = resource["Fn::Sub"]
        resource = resource[0] if isinstance(resource, list) else resource
    return isinstance(resource, str) and (resource.strip() == "*" or resource.endswith(":*"))


def wildcard_grants(properties: dict[str, Any]) -> list[str]:
    """What of a function's policies is not scoped to named resources."""
    found = []
    for policy in policies(properties):
        if isinstance(policy, str):
            found.append(f"managed policy {policy}")
        elif "Statement" in policy:
            for statement in statements(policy):
                if "Resource" not in statement or "NotResource" in statement:
                    found.append(f"statement without a named resource: {statement}")
                elif any(is_wildcard(r) for r in as_list(statement["Resource"])):
                    found.append(f"statement on {statement['Resource']}")
        else:
            (template_name, arguments), *_ = policy.items()
            values = arguments.values() if isinstance(arguments, dict) else [arguments]
            if not values or any(is_wildcard(v) for v in values):
                found.append(f"{template_name} with {arguments}")
    return found


def write_grants(properties: dict[str, Any]) -> list[str]:
    """The write permissions of a function: write templates and inline write actions."""
    found = []
    for policy in policies(properties):
        if isinstance(policy, str):
            found.append(f"managed policy {policy}")
        elif "Statement" in policy:
            for statement in statements(policy):
                if statement.get("Effect") != "Allow":
                    continue
                for action in as_list(statement.get("Action", "*")):
                    verb = str(action).split(":")[-1]
                    if not verb.startswith(READ_VERBS):
                        found.append(f"{action} on {statement.get('Resource')}")
        else:
            (template_name,) = policy.keys()
            if template_name not in READ_TEMPLATES:
                found.append(template_name)
    return found


def test_the_check_sees_the_functions_it_is_about(template: dict[str, Any]) -> None:
    # Given the template's functions and the policies they hold
    readers = read_only_functions(template)

    # Then the authorizer and the plain readers count as read-only, and a writer does not
    assert {"AuthorizerFunction", "GetCallFunction", "ListCallsFunction"} <= readers
    assert "CreateCallFunction" not in readers
    # And the grant finders tell writes and wildcards from reads
    assert write_grants(functions(template)["CreateCallFunction"])
    assert not write_grants(functions(template)["GetCallFunction"])
    assert wildcard_grants({"Policies": [{"DynamoDBReadPolicy": {"TableName": "*"}}]})
    assert wildcard_grants({"Policies": [{"Statement": [{"Action": "s3:*", "Resource": "*"}]}]})
    assert wildcard_grants({"Policies": ["AmazonS3FullAccess"]})
    assert write_grants(
        {"Policies": [{"Statement": [{"Effect": "Allow", "Action": ["dynamodb:PutItem"]}]}]}
    )


def test_no_function_holds_a_permission_on_every_resource(template: dict[str, Any]) -> None:
    # Given every function's policies, in every branch of its conditions
    found = {name: wildcard_grants(p) for name, p in functions(template).items()}

    # Then each names the resources it acts on
    assert {name: grants for name, grants in found.items() if grants} == {}


def test_read_only_functions_cannot_write(template: dict[str, Any]) -> None:
    # Given the functions that only read: GET routes and the authorizer
    readers = read_only_functions(template)
    writes = {name: write_grants(functions(template)[name]) for name in readers}

    # Then none may write, except the listed ones, for their stated reason
    assert {n: w for n, w in writes.items() if w and n not in WRITING_READERS} == {}


def test_every_listed_exception_is_still_a_reader_that_writes(template: dict[str, Any]) -> None:
    # Given the read-only functions allowed to write
    readers = read_only_functions(template)

    for name, reason in WRITING_READERS.items():
        # Then each is still a read-only function that writes (else its entry is stale)
        assert reason
        assert name in readers, f"{name} is no longer a read-only function"
        assert write_grants(functions(template)[name]), f"{name} no longer writes"


def denies_plain_http(statement: dict[str, Any], bucket: str) -> bool:
    """A statement refusing every S3 action on the bucket and its objects without TLS."""
    return (
        statement.get("Effect") == "Deny"
        and statement.get("Principal") in ("*", {"AWS": "*"})
        and as_list(statement.get("Action")) in (["s3:*"], ["*"])
        and {"Fn::GetAtt": [bucket, "Arn"]} in as_list(statement.get("Resource"))
        and {"Fn::Sub": f"${{{bucket}.Arn}}/*"} in as_list(statement.get("Resource"))
        and statement.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}
    )


def test_every_bucket_refuses_requests_not_made_over_tls(template: dict[str, Any]) -> None:
    # Given the buckets (recordings and exports; the console's) and their bucket policies
    buckets = set(resources_of(template, "AWS::S3::Bucket"))
    policies_of = {
        p["Bucket"]["Ref"]: p["PolicyDocument"]["Statement"]
        for p in resources_of(template, "AWS::S3::BucketPolicy").values()
    }
    assert "RecordingsBucket" in buckets

    # Then each bucket's policy denies every request over plain HTTP
    assert {
        b for b in buckets if not any(denies_plain_http(s, b) for s in policies_of.get(b, []))
    } == set()

"""What template.yaml promises about secrets and the dial queue, read from the template itself."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from dialtone.dialing.queue import MAX_DELAY_SECONDS
from dialtone.dialing.sweeper import QUEUED_STALE_AFTER
from dialtone.recordings import RecordingsSettings
from dialtone.retention import RETENTION_CLASSES, RETENTION_TAG
from dialtone.webhooks.sender import MAX_ATTEMPTS, backoff_ceiling
from local.provision import load_template, resources_of

SAMCONFIG = Path(__file__).resolve().parents[2] / "samconfig.toml"


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template()


def telephony_functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The functions that place calls or check status callbacks (they name the provider)."""
    return {
        name: properties
        for name, properties in resources_of(template, "AWS::Serverless::Function").items()
        if "DIALTONE_TELEPHONY" in properties.get("Environment", {}).get("Variables", {})
    }


def test_simulator_callbacks_are_signed_with_a_secret_generated_per_stack(
    template: dict[str, Any],
) -> None:
    # Given the template's parameters and secrets
    parameters = template.get("Parameters", {})
    secret = template["Resources"]["SimulatorSecret"]

    # Then no parameter carries a signing token with a public default
    assert not [name for name, p in parameters.items() if "Token" in name and "Default" in p]
    # And the simulator's token is a secret CloudFormation generates for each stack
    assert secret["Type"] == "AWS::SecretsManager::Secret"
    assert secret["Properties"]["GenerateSecretString"]["PasswordLength"] >= 32


def test_every_telephony_function_reads_only_the_simulator_secret_it_needs(
    template: dict[str, Any],
) -> None:
    # Given the functions that place calls or receive status callbacks
    functions = telephony_functions(template)
    assert set(functions) == {"TwilioStatusFunction", "DialerFunction", "SweeperFunction"}

    for name, properties in functions.items():
        variables = properties["Environment"]["Variables"]
        # Then each is told where the simulator's token is, never the token itself
        assert variables["SIMULATOR_SECRET_ARN"] == {"Ref": "SimulatorSecret"}, name
        assert "SIMULATOR_AUTH_TOKEN" not in variables, name
        # And may read that one secret
        assert {
            "AWSSecretsManagerGetSecretValuePolicy": {"SecretArn": {"Ref": "SimulatorSecret"}}
        } in properties["Policies"], name


def test_a_queued_call_is_deemed_stale_only_after_its_message_had_every_chance(
    template: dict[str, Any],
) -> None:
    # Given the dial queue: how long a received message hides, and how often it is received
    queue = template["Resources"]["DialQueue"]["Properties"]
    received_for = int(queue["VisibilityTimeout"]) * int(queue["RedrivePolicy"]["maxReceiveCount"])

    # Then the sweeper sends a new message only once the longest delay and every receive of
    # the old one have passed
    assert QUEUED_STALE_AFTER.total_seconds() >= MAX_DELAY_SECONDS + received_for


def recordings_bucket(template: dict[str, Any]) -> dict[str, Any]:
    properties: dict[str, Any] = template["Resources"]["RecordingsBucket"]["Properties"]
    return properties


def test_every_retention_class_has_the_lifecycle_rule_that_expires_its_recordings(
    template: dict[str, Any],
) -> None:
    # Given: the recordings bucket's lifecycle rules that filter on the retention tag
    rules = recordings_bucket(template)["LifecycleConfiguration"]["Rules"]
    tagged = [
        rule for rule in rules if any(f["Key"] == RETENTION_TAG for f in rule.get("TagFilters", []))
    ]

    # Then: exactly one rule per class the indexer may tag a recording with, no other, each
    # enabled and expiring the recordings tagged <days> after <days>, whatever their prefix
    by_days = {int(rule["ExpirationInDays"]): rule for rule in tagged}
    assert len(by_days) == len(tagged)
    assert sorted(by_days) == list(RETENTION_CLASSES)
    for days, rule in by_days.items():
        assert rule["Status"] == "Enabled", rule
        assert rule["TagFilters"] == [{"Key": RETENTION_TAG, "Value": str(days)}], rule
        assert "Prefix" not in rule, rule


def test_the_recordings_bucket_is_versioned_and_announces_every_upload_to_the_indexer_queue(
    template: dict[str, Any],
) -> None:
    # Given: the recordings bucket and the indexer's queue policy
    bucket = template["Resources"]["RecordingsBucket"]
    properties = recordings_bucket(template)
    policy = template["Resources"]["RecordingQueuePolicy"]["Properties"]

    # Then: versioned (a rejected upload is removed by its version, the earlier one stays)
    assert properties["VersioningConfiguration"] == {"Status": "Enabled"}
    # And every object created under tenants/ is announced on the recording queue
    assert properties["NotificationConfiguration"]["QueueConfigurations"] == [
        {
            "Event": "s3:ObjectCreated:*",
            "Queue": {"Fn::GetAtt": ["RecordingQueue", "Arn"]},
            "Filter": {"S3Key": {"Rules": [{"Name": "prefix", "Value": "tenants/"}]}},
        }
    ]
    # And S3 may send to that queue, a policy that exists before the notification is made
    assert policy["Queues"] == [{"Ref": "RecordingQueue"}]
    [statement] = policy["PolicyDocument"]["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Principal"] == {"Service": "s3.amazonaws.com"}
    assert statement["Action"] == "sqs:SendMessage"
    assert statement["Resource"] == {"Fn::GetAtt": ["RecordingQueue", "Arn"]}
    assert bucket["DependsOn"] == "RecordingQueuePolicy"


def indexer(template: dict[str, Any]) -> dict[str, Any]:
    properties: dict[str, Any] = template["Resources"]["RecordingIndexerFunction"]["Properties"]
    return properties


def test_the_recording_queue_outlasts_the_indexer_and_ends_in_a_dead_letter_queue(
    template: dict[str, Any],
) -> None:
    # Given: the recording queue, and how long the indexer may run (its own timeout, else the
    # functions' default)
    resources = template["Resources"]
    queue = resources["RecordingQueue"]["Properties"]
    timeout = int(indexer(template).get("Timeout", template["Globals"]["Function"]["Timeout"]))

    # Then: a received message stays hidden for at least six runs of the indexer (AWS's advice
    # for an SQS event source), so it is never processed twice at once
    assert int(queue["VisibilityTimeout"]) >= 6 * timeout
    # And a message that keeps failing lands in a dead-letter queue that keeps it as long
    redrive = queue["RedrivePolicy"]
    assert redrive["deadLetterTargetArn"] == {"Fn::GetAtt": ["RecordingDeadLetterQueue", "Arn"]}
    assert 1 <= int(redrive["maxReceiveCount"]) <= 10
    dead_letters = resources["RecordingDeadLetterQueue"]
    assert dead_letters["Type"] == "AWS::SQS::Queue"
    assert int(dead_letters["Properties"]["MessageRetentionPeriod"]) >= int(
        queue["MessageRetentionPeriod"]
    )


def test_the_indexer_reads_the_recording_queue_reporting_each_failed_record(
    template: dict[str, Any],
) -> None:
    # Given: the indexer's event sources
    events = indexer(template)["Events"]

    # Then: exactly one, the recording queue, with partial batch responses (a failed record is
    # retried alone; the handler returns batchItemFailures)
    [source] = events.values()
    assert source["Type"] == "SQS"
    assert source["Properties"]["Queue"] == {"Fn::GetAtt": ["RecordingQueue", "Arn"]}
    assert source["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_uploads_and_the_indexer_share_one_size_cap(template: dict[str, Any]) -> None:
    # Given: every function told the largest recording accepted
    functions = {
        name: properties["Environment"]["Variables"]["MAX_RECORDING_BYTES"]
        for name, properties in resources_of(template, "AWS::Serverless::Function").items()
        if "MAX_RECORDING_BYTES" in properties.get("Environment", {}).get("Variables", {})
    }

    # Then: the upload links and the indexer both read it from the one parameter
    assert functions == {
        "CreateRecordingUploadFunction": {"Ref": "MaxRecordingBytes"},
        "RecordingIndexerFunction": {"Ref": "MaxRecordingBytes"},
    }
    # And the parameter allows what the functions' settings accept, defaulting to their default
    parameter = template["Parameters"]["MaxRecordingBytes"]
    field = RecordingsSettings.model_fields["max_recording_bytes"]
    bounds = {type(m).__name__: m for m in field.metadata}
    assert int(parameter["Default"]) == field.default
    assert int(parameter["MinValue"]) == bounds["Ge"].ge
    assert int(parameter["MaxValue"]) == bounds["Le"].le


def test_the_indexer_has_room_for_the_largest_recording_one_at_a_time(
    template: dict[str, Any],
) -> None:
    # Given: the indexer, which downloads each upload to /tmp to read it
    function = indexer(template)
    [source] = function["Events"].values()
    largest = int(template["Parameters"]["MaxRecordingBytes"]["MaxValue"])

    # Then: it reads one upload per invocation, and /tmp holds the largest allowed
    assert source["Properties"]["BatchSize"] == 1
    assert function["EphemeralStorage"]["Size"] * 1024 * 1024 > largest


def test_upload_links_may_only_put_recordings_under_the_tenants_prefix(
    template: dict[str, Any],
) -> None:
    # Given: the permissions of the function that signs upload links (a link acts with them)
    function = resources_of(template, "AWS::Serverless::Function")["CreateRecordingUploadFunction"]
    statements = [
        statement
        for policy in function["Policies"]
        if "Statement" in policy
        for statement in policy["Statement"]
    ]
    templates = [p for p in function["Policies"] if "Statement" not in p]

    # Then: S3 is reached by one statement, PutObject under tenants/, and no SAM policy
    # template grants more of the bucket
    assert statements == [
        {
            "Effect": "Allow",
            "Action": "s3:PutObject",
            "Resource": {"Fn::Sub": "${RecordingsBucket.Arn}/tenants/*"},
        }
    ]
    assert templates == [{"DynamoDBReadPolicy": {"TableName": {"Ref": "CallsTable"}}}]


def test_every_function_has_a_sample_event_for_its_own_trigger(template: dict[str, Any]) -> None:
    # Given every function of the template, and the samples in events/
    from local.invoke import sample_event

    for name, properties in resources_of(template, "AWS::Serverless::Function").items():
        directory = properties["CodeUri"].rstrip("/").rsplit("/", 1)[-1]
        # Then each has a sample named after its code directory
        sample = sample_event(directory)
        events = list((properties.get("Events") or {}).values())
        routes = [
            f"{e['Properties']['Method']} {e['Properties']['Path']}"
            for e in events
            if e["Type"] == "HttpApi"
        ]
        if routes:
            # And an API function's sample is a request on its own route
            assert sample["routeKey"] in routes, name
        elif any(e["Type"] == "SQS" for e in events):
            assert sample["Records"][0]["eventSource"] == "aws:sqs", name


def test_snapstart_is_a_choice_of_the_deployment_that_prod_makes(template: dict[str, Any]) -> None:
    # Given the SnapStart parameter and the deploy environments
    parameter = template["Parameters"]["SnapStart"]
    prod = tomllib.loads(SAMCONFIG.read_text())["prod"]["deploy"]["parameters"]

    # Then it is off unless asked for, and prod asks for it
    assert parameter["Default"] == "false"
    assert sorted(parameter["AllowedValues"]) == ["false", "true"]
    assert 'SnapStart="true"' in prod["parameter_overrides"].split()
    # And every function is published behind the alias the API and event sources call,
    # snapshotted when the parameter says so
    function_globals = template["Globals"]["Function"]
    assert function_globals["AutoPublishAlias"] == "live"
    assert function_globals["SnapStart"] == {
        "Fn::If": ["SnapStartEnabled", {"ApplyOn": "PublishedVersions"}, {"Ref": "AWS::NoValue"}]
    }
    assert template["Conditions"]["SnapStartEnabled"] == {
        "Fn::Equals": [{"Ref": "SnapStart"}, "true"]
    }


def test_only_the_api_functions_behind_api_gateway_take_snapshots(template: dict[str, Any]) -> None:
    # Given every function and whether API Gateway calls it through a route
    functions = resources_of(template, "AWS::Serverless::Function")
    routed = {
        name
        for name, properties in functions.items()
        if any(e["Type"] == "HttpApi" for e in properties.get("Events", {}).values())
    }

    # Then the routed ones keep the Globals' SnapStart, and the others opt out
    opted_out = {name for name, p in functions.items() if p.get("SnapStart") == {"ApplyOn": "None"}}
    assert opted_out == set(functions) - routed
    assert opted_out == {
        "AuthorizerFunction",
        "DialerFunction",
        "SweeperFunction",
        "RecordingIndexerFunction",
        "GraderFunction",
        "StreamConsumerFunction",
        "WebhookSenderFunction",
    }
    assert not [name for name in routed if "SnapStart" in functions[name]]


def test_a_webhook_delivery_reaches_the_dead_letter_queue_after_its_last_attempt(
    template: dict[str, Any],
) -> None:
    # Given the delivery queue and its consumer, the sender
    resources = template["Resources"]
    queue = resources["WebhookDeliveryQueue"]["Properties"]
    sender = resources["WebhookSenderFunction"]["Properties"]
    variables = sender["Environment"]["Variables"]

    # Then each attempt is one receipt, and the receipt after the last attempt moves the
    # message to the dead-letter queue
    assert queue["RedrivePolicy"]["maxReceiveCount"] == MAX_ATTEMPTS
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {
        "Fn::GetAtt": ["WebhookDeliveryDeadLetterQueue", "Arn"]
    }
    # And the queue keeps a message for the longest its retries can take
    longest = sum(
        backoff_ceiling(n, float(variables["WEBHOOK_RETRY_BASE_SECONDS"]))
        for n in range(1, MAX_ATTEMPTS)
    )
    assert int(queue["MessageRetentionPeriod"]) > longest
    # And the production back-off is the one documented (a short base is for the local stack)
    assert float(variables["WEBHOOK_RETRY_BASE_SECONDS"]) == 60
    assert "WEBHOOK_ALLOW_LOCAL_URLS" not in variables
    # And a received message stays hidden for six runs of the sender, which reports partial
    # failures and may hide a message until its next attempt
    assert int(queue["VisibilityTimeout"]) >= 6 * int(sender["Timeout"])
    [source] = sender["Events"].values()
    assert source["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert {
        "SQSPollerPolicy": {"QueueName": {"Fn::GetAtt": ["WebhookDeliveryQueue", "QueueName"]}}
    } in sender["Policies"]


WEBHOOK_FUNCTIONS = {
    "ListWebhooksFunction": {"DynamoDBReadPolicy", "AWSSecretsManagerGetSecretValuePolicy"},
    "GetWebhookFunction": {"DynamoDBReadPolicy"},
    "CreateWebhookFunction": {"DynamoDBCrudPolicy"},
    "UpdateWebhookFunction": {"DynamoDBCrudPolicy"},
    "DeleteWebhookFunction": {"DynamoDBCrudPolicy"},
    "RotateWebhookSecretFunction": {"DynamoDBCrudPolicy"},
    "TestWebhookFunction": {"DynamoDBReadPolicy", "SQSSendMessagePolicy"},
    "ListWebhookDeliveriesFunction": {
        "DynamoDBReadPolicy",
        "AWSSecretsManagerGetSecretValuePolicy",
    },
    "RetryWebhookDeliveryFunction": {"DynamoDBCrudPolicy", "SQSSendMessagePolicy"},
    "WebhookSenderFunction": {"DynamoDBCrudPolicy", "SQSPollerPolicy"},
}


def _mentions(value: Any, word: str) -> bool:
    if isinstance(value, dict):
        return any(_mentions(k, word) or _mentions(v, word) for k, v in value.items())
    if isinstance(value, list):
        return any(_mentions(v, word) for v in value)
    return isinstance(value, str) and word in value


def test_the_template_never_allows_local_webhook_urls(template: dict[str, Any]) -> None:
    # Given the settings only the local stack gives its functions
    from local.stack import LOCAL_ONLY_SETTINGS

    assert LOCAL_ONLY_SETTINGS["WEBHOOK_ALLOW_LOCAL_URLS"] == "true"
    # Then no part of the template (Globals, a function, a parameter) sets any of them, so a
    # deployed webhook can never target a loopback or private address
    for name in LOCAL_ONLY_SETTINGS:
        assert not _mentions(template, name), name


def test_the_webhook_functions_hold_only_what_they_use(template: dict[str, Any]) -> None:
    functions = resources_of(template, "AWS::Serverless::Function")

    for name, expected in WEBHOOK_FUNCTIONS.items():
        properties = functions[name]
        policies = {next(iter(p)): next(iter(p.values())) for p in properties["Policies"]}
        # Each one its own policies, scoped to the webhooks table (and the cursor secret, the
        # delivery queue) alone
        assert set(policies) == expected, name
        for policy, scope in policies.items():
            if policy.startswith("DynamoDB"):
                assert scope == {"TableName": {"Ref": "WebhooksTable"}}, name
            if policy == "SQSSendMessagePolicy":
                assert scope == {"QueueName": {"Fn::GetAtt": ["WebhookDeliveryQueue", "QueueName"]}}
        assert properties["Environment"]["Variables"]["WEBHOOKS_TABLE"] == {"Ref": "WebhooksTable"}
        assert f"{name.removesuffix('Function')}LogGroup" in template["Resources"], name
    assert functions["TestWebhookFunction"]["Environment"]["Variables"][
        "WEBHOOK_DELIVERY_QUEUE_URL"
    ] == {"Ref": "WebhookDeliveryQueue"}


def test_the_console_origin_may_call_the_api_with_a_key(template: dict[str, Any]) -> None:
    # Given the HTTP API's CORS configuration
    cors = template["Resources"]["DialtoneApi"]["Properties"]["CorsConfiguration"]
    parameters = template["Parameters"]

    # Then the console's origin is a parameter allowing none by default
    assert parameters["ConsoleOrigin"]["Default"] == ""
    assert cors["AllowOrigins"]["Fn::If"][0] == "ConsoleOriginGiven"
    assert cors["AllowOrigins"]["Fn::If"][1] == [{"Ref": "ConsoleOrigin"}]
    # And a browser may send the key, a bearer token, JSON and an idempotency key
    assert set(cors["AllowHeaders"]) == {
        "X-API-Key",
        "Authorization",
        "Content-Type",
        "Idempotency-Key",
    }
    # And read the headers the API answers with
    assert {"Location", "Retry-After", "Idempotent-Replayed"} <= set(cors["ExposeHeaders"])


def test_the_console_is_deployed_only_when_asked(template: dict[str, Any]) -> None:
    # Given the console's resources and outputs
    resources = template["Resources"]
    console = {name: r for name, r in resources.items() if name.startswith("Console")}
    outputs = {name: o for name, o in template["Outputs"].items() if name.startswith("Console")}

    # Then each one exists only with DeployConsole=true, which is not the default
    assert template["Parameters"]["DeployConsole"]["Default"] == "false"
    assert {"ConsoleBucket", "ConsoleDistribution", "ConsoleBucketPolicy"} <= set(console)
    assert {r.get("Condition") for r in [*console.values(), *outputs.values()]} == {
        "ConsoleDeployed"
    }
    # And the bucket is private: read by this distribution only
    assert all(resources["ConsoleBucket"]["Properties"]["PublicAccessBlockConfiguration"].values())
    statement = resources["ConsoleBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"][0]
    assert statement["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert "ConsoleDistribution" in str(statement["Condition"])


def _stream_record(sort_key: str, event_name: str = "MODIFY") -> dict[str, Any]:
    """A calls table stream record of an item with this sort key, as Lambda presents it."""
    keys = {"pk": {"S": "T#tenant#C#call"}, "sk": {"S": sort_key}}
    image = {**keys, "status": {"S": "completed"}}
    data: dict[str, Any] = {"Keys": keys, "SequenceNumber": "100", "OldImage": image}
    if event_name != "REMOVE":
        data["NewImage"] = image
    return {"eventName": event_name, "dynamodb": data}


def test_the_stream_consumer_is_sent_every_call_and_batch_change_and_nothing_else(
    template: dict[str, Any],
) -> None:
    from dialtone.analytics.stream import call_change
    from dialtone.dialing.counters import SEQUENCE_SK, SHARD_SK
    from dialtone.quality.store import GRADE_SK
    from dialtone.store import BATCH_SK, CALL_SK, SID_SK, event_sk, exchange_sk
    from dialtone.webhooks.events import events_of
    from local.pollers import record_filter

    # Given the consumer's event source, as Lambda's (and the local stack's) filtering reads it
    source = template["Resources"]["StreamConsumerFunction"]["Properties"]["Events"]["CallsStream"]
    passes = record_filter(source["Properties"]["FilterCriteria"])

    # Then every change of a call or a batch reaches it, removals (expiry) included
    for sort_key in (CALL_SK, BATCH_SK):
        for event_name in ("INSERT", "MODIFY", "REMOVE"):
            assert passes(_stream_record(sort_key, event_name)), (sort_key, event_name)
    # And the records Lambda drops are of items the consumer has nothing to do with
    others = [exchange_sk(1), event_sk("evt-1"), SID_SK, GRADE_SK, SEQUENCE_SK, SHARD_SK, "CALLX"]
    for sort_key in others:
        record = _stream_record(sort_key)
        assert not passes(record), sort_key
        assert call_change(record) is None, sort_key
        assert events_of(record) == [], sort_key


def test_the_functions_the_local_stack_gives_two_workers_are_api_functions() -> None:
    # A renamed function would silently fall back to one worker
    from local.provision import Stack
    from local.stack import TWO_WORKERS

    stack = Stack(prefix="dialtone-test", template=load_template())

    assert TWO_WORKERS
    assert stack.api_functions() >= TWO_WORKERS

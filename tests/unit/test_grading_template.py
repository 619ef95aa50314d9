"""The grade queue, the grader and its Bedrock permission as template.yaml declares them."""

from __future__ import annotations

from typing import Any

import pytest

from local.provision import load_template


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template()


def grader(template: dict[str, Any]) -> dict[str, Any]:
    properties: dict[str, Any] = template["Resources"]["GraderFunction"]["Properties"]
    return properties


def test_the_grade_queue_outlasts_the_grader_and_ends_in_a_dead_letter_queue(
    template: dict[str, Any],
) -> None:
    resources = template["Resources"]
    queue = resources["GradeQueue"]["Properties"]
    timeout = int(grader(template).get("Timeout", template["Globals"]["Function"]["Timeout"]))
    assert int(queue["VisibilityTimeout"]) >= 6 * timeout
    redrive = queue["RedrivePolicy"]
    assert redrive["deadLetterTargetArn"] == {"Fn::GetAtt": ["GradeDeadLetterQueue", "Arn"]}
    assert 1 <= int(redrive["maxReceiveCount"]) <= 10
    assert resources["GradeDeadLetterQueue"]["Type"] == "AWS::SQS::Queue"
    alarm = resources["GradeDeadLetterAlarm"]["Properties"]
    assert alarm["Dimensions"][0]["Value"] == {"Fn::GetAtt": ["GradeDeadLetterQueue", "QueueName"]}


def test_the_grader_reads_the_grade_queue_reporting_each_failed_record(
    template: dict[str, Any],
) -> None:
    [source] = grader(template)["Events"].values()
    assert source["Type"] == "SQS"
    assert source["Properties"]["Queue"] == {"Fn::GetAtt": ["GradeQueue", "Arn"]}
    assert source["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_only_a_deployment_naming_a_model_may_invoke_bedrock(template: dict[str, Any]) -> None:
    # Given: the condition and the grader's policies
    assert template["Conditions"]["GradesWithBedrock"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "BedrockModelId"}, ""]}]
    }
    assert template["Parameters"]["BedrockModelId"]["Default"] == ""
    conditional = [p for p in grader(template)["Policies"] if "Fn::If" in p]
    # Then: the one statement allowing bedrock:InvokeModel is there only under that condition,
    # on the model named, and no other function may invoke a model
    [policy] = conditional
    condition, allowed, otherwise = policy["Fn::If"]
    assert condition == "GradesWithBedrock"
    assert otherwise == {"Ref": "AWS::NoValue"}
    [statement] = allowed["Statement"]
    assert statement["Action"] == "bedrock:InvokeModel"
    assert all("${BedrockModelId}" in resource["Fn::Sub"] for resource in statement["Resource"])
    others = [
        name
        for name, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
        and name != "GraderFunction"
        and "bedrock:" in str(resource["Properties"].get("Policies"))
    ]
    assert others == []
    environment = grader(template)["Environment"]["Variables"]
    assert environment["DIALTONE_GRADER"] == {"Fn::If": ["GradesWithBedrock", "bedrock", "rubric"]}
    assert environment["BEDROCK_MODEL_ID"] == {"Ref": "BedrockModelId"}

"""Alarms, their topic and the stack outputs in the synthesized templates."""

from typing import Any

import pytest

from resolvers.domain.states import Estado
from tests.infra.conftest import PROD_ALARM_EMAIL, Synthesized

pytestmark = pytest.mark.infra


def _alarms(synthesized: Synthesized) -> list[dict[str, Any]]:
    return [a["Properties"] for a in synthesized.resources("AWS::CloudWatch::Alarm").values()]


def test_any_dead_letter_raises_an_alarm(synthesized: Synthesized) -> None:
    ref = synthesized.logical_id
    dlq_names = {
        ref(dlq.node.default_child) for dlq in synthesized.stack.queues.dead_letter_queues.values()
    }
    watched = {
        alarm["Dimensions"][0]["Value"]["Fn::GetAtt"][0]
        for alarm in _alarms(synthesized)
        if alarm["MetricName"] == "ApproximateNumberOfMessagesVisible"
        and alarm["Namespace"] == "AWS/SQS"
        and alarm["Threshold"] == 1
        and alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    }
    assert watched == dlq_names
    assert len(watched) == len(Estado)


def test_lambda_errors_throttles_and_api_5xx_raise_alarms(synthesized: Synthesized) -> None:
    metrics = {(a["Namespace"], a["MetricName"]) for a in _alarms(synthesized)}
    assert {
        ("AWS/Lambda", "Errors"),
        ("AWS/Lambda", "Throttles"),
        ("AWS/AppSync", "5XXError"),
    } <= metrics


def test_every_alarm_notifies_the_encrypted_topic(synthesized: Synthesized) -> None:
    topic_id, topic = next(iter(synthesized.resources("AWS::SNS::Topic").items()))
    assert "KmsMasterKeyId" in topic["Properties"]
    for alarm in _alarms(synthesized):
        assert alarm["AlarmActions"] == [{"Ref": topic_id}]
    # dev is synthesized without a destination; prod with the tests' address
    subscriptions = synthesized.resources("AWS::SNS::Subscription").values()
    endpoints = [s["Properties"]["Endpoint"] for s in subscriptions]
    assert endpoints == ([] if synthesized.stage == "dev" else [PROD_ALARM_EMAIL])


def test_alarm_email_context_subscribes_that_address(prod: Synthesized) -> None:
    # prod is synthesized with -c alarmEmail=PROD_ALARM_EMAIL (conftest.py)
    subscription = prod.only("AWS::SNS::Subscription")["Properties"]
    assert subscription["Protocol"] == "email"
    assert subscription["Endpoint"] == PROD_ALARM_EMAIL


def test_outputs_name_the_api_tables_queues_topic_and_credentials(
    synthesized: Synthesized,
) -> None:
    outputs = synthesized.json["Outputs"]
    expected = {
        "GraphqlUrl",
        "ApiId",
        "OrdersTableName",
        "IdempotencyTableName",
        "AlarmTopicArn",
        "DashboardName",
    }
    for estado in Estado:
        expected |= {
            f"QueueName{estado.value.capitalize()}",
            f"DeadLetterQueueName{estado.value.capitalize()}",
        }
    # What a caller signs in with: the dev API key, or prod's Cognito pool and client.
    expected |= {"ApiKey"} if synthesized.stage == "dev" else {"UserPoolId", "UserPoolClientId"}
    assert set(outputs) == expected


def test_cloudwatch_may_publish_to_the_topic_for_this_stacks_alarms_only(
    synthesized: Synthesized,
) -> None:
    # given the topic's own policy, which replaces SNS's default one: enforce_ssl writes it
    topic_id = next(iter(synthesized.resources("AWS::SNS::Topic")))
    policy = synthesized.only("AWS::SNS::TopicPolicy")["Properties"]
    assert policy["Topics"] == [{"Ref": topic_id}]
    statements = policy["PolicyDocument"]["Statement"]
    # when CloudWatch publishes an alarm's notification
    allows = [
        s
        for s in statements
        if s["Effect"] == "Allow" and s["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    ]
    # then one statement lets it, on this topic, for exactly this stack's alarms in this
    # account (AWS's example for alarm topics, with aws:SourceArn the alarm's ARN:
    # https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger)
    (allow,) = allows
    assert allow["Action"] == "sns:Publish"
    assert allow["Resource"] == {"Ref": topic_id}
    alarm_arns = [
        {"Fn::GetAtt": [alarm_id, "Arn"]}
        for alarm_id in synthesized.resources("AWS::CloudWatch::Alarm")
    ]
    assert allow["Condition"] == {
        "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
        "ArnEquals": {"aws:SourceArn": alarm_arns},
    }
    # and plain HTTP stays denied to everyone
    assert any(
        s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        for s in statements
    )

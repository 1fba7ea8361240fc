"""No message expires unseen: the state queues keep 14 days, an alarm watches each one's
oldest message and each dead-letter queue, prod needs somewhere to send alarms; the
operations dashboard; the construct that attaches a consumer to a state's queue."""

from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Stack
from aws_cdk.assertions import Template
from aws_cdk.cx_api import SynthesisMessageLevel

from infra.app import build, error_messages
from infra.compliance import logical_id
from infra.consumers import ReferenceConsumerFunction, StateConsumer
from infra.stage import DEFAULT_OLDEST_MESSAGE_ALARM_SECONDS, StageConfig
from resolvers.definitions import resources
from resolvers.domain.states import Estado
from tests.infra.conftest import ALARM_TOPIC_ARN, Synthesized

pytestmark = pytest.mark.infra
FOURTEEN_DAYS = 14 * 24 * 3600


def test_every_queue_keeps_its_messages_fourteen_days(synthesized: Synthesized) -> None:
    # SQS's longest retention (MessageRetentionPeriod, up to 1,209,600 s:
    # docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html)
    queues = synthesized.resources("AWS::SQS::Queue").values()
    periods = [q["Properties"].get("MessageRetentionPeriod") for q in queues]
    assert periods == [FOURTEEN_DAYS] * 2 * len(Estado)
    assert resources.FIFO_QUEUE_ATTRIBUTES["MessageRetentionPeriod"] == str(FOURTEEN_DAYS)


def _age_alarms(synthesized: Synthesized) -> dict[str, dict[str, Any]]:
    """Each alarm on ApproximateAgeOfOldestMessage, by the logical id of its queue."""
    return {
        a["Dimensions"][0]["Value"]["Fn::GetAtt"][0]: a
        for a in (r["Properties"] for r in synthesized.resources("AWS::CloudWatch::Alarm").values())
        if a["MetricName"] == "ApproximateAgeOfOldestMessage"
    }


def test_each_state_queue_alarms_on_its_oldest_message(synthesized: Synthesized) -> None:
    alarms = _age_alarms(synthesized)
    queue_ids = {
        synthesized.logical_id(q.node.default_child)
        for q in synthesized.stack.queues.queues.values()
    }
    assert set(alarms) == queue_ids
    for alarm in alarms.values():
        assert alarm["Namespace"] == "AWS/SQS"
        assert alarm["Statistic"] == "Maximum"
        assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
        # well under the retention: the alarm fires days before a message could expire
        assert alarm["Threshold"] == DEFAULT_OLDEST_MESSAGE_ALARM_SECONDS
        assert alarm["Threshold"] * 24 < FOURTEEN_DAYS


def test_the_age_threshold_is_a_stage_setting(dev_with_settings: Synthesized) -> None:
    alarms = _age_alarms(dev_with_settings)  # oldestMessageAlarmSeconds 600
    assert {a["Threshold"] for a in alarms.values()} == {600}
    for wrong in ("30", str(FOURTEEN_DAYS)):
        with pytest.raises(ValueError, match="oldestMessageAlarmSeconds"):
            StageConfig.from_context(App(context={"oldestMessageAlarmSeconds": wrong}).node)


def test_prod_without_an_alarm_destination_does_not_synthesize(tmp_path: Path) -> None:
    app = App(outdir=str(tmp_path), context={"stage": "prod"})
    with pytest.raises(ValueError, match=r"-c alarmEmail=ADDRESS .*-c alarmTopicArn=ARN"):
        build(app)


def test_dev_without_an_alarm_destination_warns(dev: Synthesized) -> None:
    warnings = [
        str(message.entry.data)
        for stack in dev.assembly.stacks
        for message in stack.messages
        if message.level is SynthesisMessageLevel.WARNING
    ]
    assert any("alarms reach no one" in w for w in warnings), warnings


def test_an_existing_topic_receives_the_alarms_instead(prod_with_settings: Synthesized) -> None:
    synthesized = prod_with_settings  # alarmTopicArn ALARM_TOPIC_ARN
    assert synthesized.resources("AWS::SNS::Topic") == {}
    alarms = synthesized.resources("AWS::CloudWatch::Alarm").values()
    assert {tuple(a["Properties"]["AlarmActions"]) for a in alarms} == {(ALARM_TOPIC_ARN,)}
    assert synthesized.json["Outputs"]["AlarmTopicArn"]["Value"] == ALARM_TOPIC_ARN
    assert error_messages(synthesized.assembly) == []


def test_the_dashboard_shows_api_lambda_queues_dead_letters_and_tables(
    synthesized: Synthesized,
) -> None:
    dashboard = synthesized.only("AWS::CloudWatch::Dashboard")["Properties"]
    body = str(dashboard["DashboardBody"])
    for metric in (
        "Latency",
        "4XXError",
        "5XXError",
        "Errors",
        "Throttles",
        "Duration",
        "ApproximateNumberOfMessagesVisible",
        "ApproximateAgeOfOldestMessage",
        "ReadThrottleEvents",
        "WriteThrottleEvents",
    ):
        assert metric in body, metric
    name = f"orders-{synthesized.stage}"
    assert dashboard["DashboardName"] == name
    assert synthesized.json["Outputs"]["DashboardName"]["Value"] == {
        "Ref": _dashboard_id(synthesized)
    }


def _dashboard_id(synthesized: Synthesized) -> str:
    (logical_id,) = synthesized.resources("AWS::CloudWatch::Dashboard")
    return logical_id


def test_the_reference_consumer_attaches_to_a_state_queue(tmp_path: Path) -> None:
    # given the stack with the reference consumer on the enproceso queue
    app = App(outdir=str(tmp_path), context={"stage": "dev"})
    stack = build(app)
    consumer = ReferenceConsumerFunction(stack, "Consumer", config=stack.config)
    StateConsumer(
        stack,
        "Attach",
        queue=stack.queues.queues[Estado.enproceso],
        function=consumer.function,
        batch_size=5,
        maximum_concurrency=2,
    )
    # when it is synthesized, cdk-nag included
    assembly = app.synth()
    template = Template.from_json(assembly.get_stack_by_name(stack.stack_name).template)
    # then Lambda polls the queue in batches of 5, reporting partial failures, at most two
    # batches at a time (ScalingConfig's minimum: docs.aws.amazon.com/lambda/latest/dg/
    # API_ScalingConfig.html)
    queue_id = logical_id(stack.queues.queues[Estado.enproceso])
    template.has_resource_properties(
        "AWS::Lambda::EventSourceMapping",
        {
            "EventSourceArn": {"Fn::GetAtt": [queue_id, "Arn"]},
            "BatchSize": 5,
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "ScalingConfig": {"MaximumConcurrency": 2},
        },
    )
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {"Handler": "consumers.reference.handler", "Timeout": 20},
    )
    assert error_messages(assembly) == []


def test_a_state_consumer_refuses_settings_lambda_refuses() -> None:
    stack = Stack(App())
    with pytest.raises(ValueError, match="maximum_concurrency 1"):
        StateConsumer(stack, "Low", queue=None, function=None, maximum_concurrency=1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="batch_size 11"):
        StateConsumer(stack, "Big", queue=None, function=None, batch_size=11)  # type: ignore[arg-type]

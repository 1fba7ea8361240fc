"""Alarms to one SNS topic: any dead letter, a state queue's oldest message getting old,
Lambda errors and throttles, AppSync 5XX. The topic is the stack's own (with an email
subscription, `-c alarmEmail`) or an existing one (`-c alarmTopicArn`); prod refuses to
synthesize with neither (infra/stage.py), dev warns. docs/operations.md says, for each
alarm, what it means and what to run."""

from aws_cdk import Annotations, Aws, Duration
from aws_cdk import aws_appsync as appsync
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from infra.queues import StateQueues
from infra.stage import NO_ALARM_DESTINATION, StageConfig

PERIOD = Duration.minutes(5)


class Alarms(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: StageConfig,
        queues: StateQueues,
        function: lambda_.IFunction,
        api: appsync.IGraphqlApi,
    ) -> None:
        super().__init__(scope, id)
        self.own_topic: sns.Topic | None = None
        self.topic = self._topic(config)
        self.alarms: list[cloudwatch.Alarm] = []

        for estado, dlq in queues.dead_letter_queues.items():
            # A dead letter is an order a consumer could not process: one is enough.
            self._alarm(
                f"DeadLetters-{estado.value}",
                dlq.metric_approximate_number_of_messages_visible(
                    period=Duration.minutes(1), statistic="Maximum"
                ),
                f"Messages in the {estado.value} dead-letter queue",
            )
        for estado, queue in queues.queues.items():
            # Nobody consumes the state, or its consumer is stuck: act before the retention.
            self._alarm(
                f"OldestMessage-{estado.value}",
                queue.metric_approximate_age_of_oldest_message(
                    period=Duration.minutes(1), statistic="Maximum"
                ),
                f"A message in the {estado.value} queue is older than "
                f"{config.oldest_message_alarm_seconds} s (the queue keeps 14 days)",
                threshold=config.oldest_message_alarm_seconds,
            )
        self._alarm("LambdaErrors", function.metric_errors(period=PERIOD), "Resolver Lambda errors")
        self._alarm(
            "LambdaThrottles", function.metric_throttles(period=PERIOD), "Resolver Lambda throttled"
        )
        self._alarm(
            "Api5xx",
            cloudwatch.Metric(
                namespace="AWS/AppSync",
                metric_name="5XXError",
                dimensions_map={"GraphQLAPIId": api.api_id},
                statistic="Sum",
                period=PERIOD,
            ),
            "AppSync 5XX responses",
        )
        if self.own_topic is not None:
            self._let_the_alarms_publish(self.own_topic)

    def _topic(self, config: StageConfig) -> sns.ITopic:
        if config.alarm_topic_arn:
            # Its owner lets CloudWatch publish to it (docs/operations.md).
            return sns.Topic.from_topic_arn(self, "Topic", config.alarm_topic_arn)
        if not config.has_alarm_destination:
            Annotations.of(self).add_warning_v2("orders:no-alarm-destination", NO_ALARM_DESTINATION)
        # CloudWatch cannot publish to a topic under the AWS-managed SNS key, so the topic
        # gets its own key, usable by CloudWatch for exactly that.
        self.key = kms.Key(
            self,
            "TopicKey",
            description="Encrypts the Orders alarm topic",
            enable_key_rotation=True,
            removal_policy=config.removal_policy,
        )
        self.key.grant(
            iam.ServicePrincipal("cloudwatch.amazonaws.com"), "kms:Decrypt", "kms:GenerateDataKey"
        )
        topic = sns.Topic(
            self,
            "Topic",
            display_name=f"Orders {config.stage.value} alarms",
            master_key=self.key,
            enforce_ssl=True,
        )
        if config.alarm_email:
            topic.add_subscription(subscriptions.EmailSubscription(config.alarm_email))
        self.own_topic = topic
        return topic

    def _alarm(
        self, id: str, metric: cloudwatch.IMetric, description: str, *, threshold: float = 1
    ) -> None:
        alarm = cloudwatch.Alarm(
            self,
            id,
            metric=metric,
            alarm_description=description,
            threshold=threshold,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            # No data means nothing happened, which is good news here.
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(actions.SnsAction(self.topic))
        self.alarms.append(alarm)

    def _let_the_alarms_publish(self, topic: sns.Topic) -> None:
        # `enforce_ssl` gives the topic a policy of its own (the deny on plain HTTP), which
        # replaces SNS's default policy: without this statement CloudWatch may not publish
        # and no alarm reaches anyone. The conditions bind the service principal to this
        # stack's alarms (confused-deputy protection), as AWS's example for alarms shows:
        # https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger
        topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchAlarmsPublish",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["sns:Publish"],
                resources=[topic.topic_arn],
                conditions={
                    "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
                    "ArnEquals": {"aws:SourceArn": [alarm.alarm_arn for alarm in self.alarms]},
                },
            )
        )

"""Alarms to one SNS topic: any dead letter, Lambda errors and throttles, AppSync 5XX."""

from aws_cdk import Aws, Duration
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
from infra.stage import StageConfig

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
        self.topic = sns.Topic(
            self,
            "Topic",
            display_name=f"Orders {config.stage.value} alarms",
            master_key=self.key,
            enforce_ssl=True,
        )
        if config.alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(config.alarm_email))
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
        self._let_the_alarms_publish()

    def _alarm(self, id: str, metric: cloudwatch.IMetric, description: str) -> None:
        alarm = cloudwatch.Alarm(
            self,
            id,
            metric=metric,
            alarm_description=description,
            threshold=1,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            # No data means nothing happened, which is good news here.
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(actions.SnsAction(self.topic))
        self.alarms.append(alarm)

    def _let_the_alarms_publish(self) -> None:
        # `enforce_ssl` gives the topic a policy of its own (the deny on plain HTTP), which
        # replaces SNS's default policy: without this statement CloudWatch may not publish
        # and no alarm reaches anyone. The conditions bind the service principal to this
        # stack's alarms (confused-deputy protection), as AWS's example for alarms shows:
        # https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger
        self.topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchAlarmsPublish",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["sns:Publish"],
                resources=[self.topic.topic_arn],
                conditions={
                    "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
                    "ArnEquals": {"aws:SourceArn": [alarm.alarm_arn for alarm in self.alarms]},
                },
            )
        )

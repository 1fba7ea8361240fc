"""One CloudWatch dashboard for the stage: the API, its Lambda, the state queues and their
dead letters, the tables. Its name is a stack output; docs/operations.md reads it."""

from aws_cdk import Duration
from aws_cdk import aws_appsync as appsync
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.queues import StateQueues
from infra.stage import StageConfig
from resolvers.definitions import resources

PERIOD = Duration.minutes(1)
WIDTH = 12


class OperationsDashboard(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: StageConfig,
        queues: StateQueues,
        function: lambda_.IFunction,
        api: appsync.IGraphqlApi,
        tables: list[dynamodb.ITable],
    ) -> None:
        super().__init__(scope, id)
        self.dashboard = cloudwatch.Dashboard(
            self,
            "Dashboard",
            dashboard_name=f"{resources.SERVICE}-{config.stage.value}",
            default_interval=Duration.hours(3),
        )
        self.dashboard.add_widgets(*_api_widgets(api.api_id))
        self.dashboard.add_widgets(*_lambda_widgets(function))
        self.dashboard.add_widgets(*_queue_widgets(queues))
        self.dashboard.add_widgets(_table_widget(tables))


def _appsync(metric_name: str, api_id: str, statistic: str) -> cloudwatch.Metric:
    return cloudwatch.Metric(
        namespace="AWS/AppSync",
        metric_name=metric_name,
        dimensions_map={"GraphQLAPIId": api_id},
        statistic=statistic,
        period=PERIOD,
    )


def _api_widgets(api_id: str) -> list[cloudwatch.IWidget]:
    # AppSync's `Requests` counts the whole account's APIs in the Region; the sample count
    # of this API's Latency is its own requests (docs.aws.amazon.com/appsync/latest/
    # devguide/monitoring.html).
    return [
        cloudwatch.GraphWidget(
            title="API requests and errors",
            left=[
                _appsync("Latency", api_id, "SampleCount").with_(label="requests"),
                _appsync("4XXError", api_id, "Sum"),
                _appsync("5XXError", api_id, "Sum"),
            ],
            width=WIDTH,
        ),
        cloudwatch.GraphWidget(
            title="API latency (ms)",
            left=[_appsync("Latency", api_id, statistic) for statistic in ("p50", "p99")],
            width=WIDTH,
        ),
    ]


def _lambda_widgets(function: lambda_.IFunction) -> list[cloudwatch.IWidget]:
    return [
        cloudwatch.GraphWidget(
            title="Resolver Lambda errors and throttles",
            left=[
                function.metric_invocations(period=PERIOD),
                function.metric_errors(period=PERIOD),
                function.metric_throttles(period=PERIOD),
            ],
            width=WIDTH,
        ),
        cloudwatch.GraphWidget(
            title="Resolver Lambda duration (ms)",
            left=[
                function.metric_duration(period=PERIOD, statistic=statistic)
                for statistic in ("p50", "p99", "Maximum")
            ],
            width=WIDTH,
        ),
    ]


def _queue_widgets(queues: StateQueues) -> list[cloudwatch.IWidget]:
    states = queues.queues.items()
    return [
        cloudwatch.GraphWidget(
            title="State queues: messages waiting",
            left=[
                q.metric_approximate_number_of_messages_visible(period=PERIOD).with_(label=e.value)
                for e, q in states
            ],
            width=WIDTH,
        ),
        cloudwatch.GraphWidget(
            title="State queues: age of the oldest message (s)",
            left=[
                q.metric_approximate_age_of_oldest_message(
                    period=PERIOD, statistic="Maximum"
                ).with_(label=e.value)
                for e, q in states
            ],
            width=WIDTH,
        ),
        cloudwatch.GraphWidget(
            title="Dead letters",
            left=[
                dlq.metric_approximate_number_of_messages_visible(
                    period=PERIOD, statistic="Maximum"
                ).with_(label=e.value)
                for e, dlq in queues.dead_letter_queues.items()
            ],
            width=WIDTH,
        ),
    ]


def _table_widget(tables: list[dynamodb.ITable]) -> cloudwatch.IWidget:
    return cloudwatch.GraphWidget(
        title="Table throttles",
        left=[
            cloudwatch.Metric(
                namespace="AWS/DynamoDB",
                metric_name=metric_name,
                dimensions_map={"TableName": table.table_name},
                statistic="Sum",
                period=PERIOD,
                label=f"{metric_name} {table.node.id}",
            )
            for table in tables
            for metric_name in ("ReadThrottleEvents", "WriteThrottleEvents")
        ],
        width=WIDTH,
    )

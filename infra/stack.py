"""The Orders stack: every AWS resource of one stage."""

from pathlib import Path
from typing import Any

from aws_cdk import CfnOutput, Stack
from constructs import Construct

from infra.alarms import Alarms
from infra.api import OrdersApi
from infra.dashboard import OperationsDashboard
from infra.function import ResolverFunction
from infra.queues import StateQueues
from infra.stage import StageConfig
from infra.storage import OrdersTables

SCHEMA = Path(__file__).resolve().parent.parent / "schema.graphql"


def stack_name(config: StageConfig) -> str:
    return f"Orders-{config.stage.value}"


class OrdersStack(Stack):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: StageConfig,
        schema: Path = SCHEMA,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id, **kwargs)
        self.config = config
        self.tables = OrdersTables(self, "Tables", config=config)
        self.queues = StateQueues(self, "Queues", config=config)
        self.resolver_function = ResolverFunction(
            self, "ResolverFunction", config=config, tables=self.tables, queues=self.queues
        )
        self.orders_api = OrdersApi(
            self,
            "OrdersApi",
            config=config,
            schema=schema,
            function=self.resolver_function.alias,
        )
        self.alarms = Alarms(
            self,
            "Alarms",
            config=config,
            queues=self.queues,
            function=self.resolver_function.function,
            api=self.orders_api.api,
        )
        self.dashboard = OperationsDashboard(
            self,
            "Dashboard",
            config=config,
            queues=self.queues,
            function=self.resolver_function.function,
            api=self.orders_api.api,
            tables=[self.tables.orders, self.tables.idempotency],
        )
        self._outputs()

    def _outputs(self) -> None:
        api = self.orders_api.api
        CfnOutput(self, "GraphqlUrl", value=api.graphql_url)
        CfnOutput(self, "ApiId", value=api.api_id)
        CfnOutput(self, "OrdersTableName", value=self.tables.orders.table_name)
        CfnOutput(self, "IdempotencyTableName", value=self.tables.idempotency.table_name)
        for estado, queue in self.queues.queues.items():
            CfnOutput(self, f"QueueName{estado.value.capitalize()}", value=queue.queue_name)
            dlq = self.queues.dead_letter_queues[estado]
            CfnOutput(self, f"DeadLetterQueueName{estado.value.capitalize()}", value=dlq.queue_name)
        CfnOutput(self, "AlarmTopicArn", value=self.alarms.topic.topic_arn)
        CfnOutput(self, "DashboardName", value=self.dashboard.dashboard.dashboard_name)
        users = self.orders_api.users
        if users is None:
            # The dev key is a throttling token for a throwaway stage, not a secret.
            CfnOutput(self, "ApiKey", value=api.api_key or "")
        else:
            CfnOutput(self, "UserPoolId", value=users.pool.user_pool_id)
            CfnOutput(self, "UserPoolClientId", value=users.client.user_pool_client_id)

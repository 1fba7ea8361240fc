"""The Lambda that resolves every field: the `resolvers/` package on Python 3.13/arm64
with the Powertools version the tests run, allowed exactly what its code does."""

from aws_cdk import Annotations, Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.compliance import acknowledge
from infra.lambda_package import lambda_package
from infra.log_groups import grant_log_writes
from infra.queues import StateQueues
from infra.snapstart_regions import SOURCE as SNAPSTART_REGIONS_SOURCE
from infra.snapstart_regions import offers_snapstart
from infra.stage import StageConfig
from infra.storage import OrdersTables
from resolvers.definitions.function import (
    HANDLER,
    LAMBDA_MEMORY_MB,
    LAMBDA_TIMEOUT_SECONDS,
    lambda_environment,
)

# Timeout and memory: one home with their reasons (resolvers/definitions/function.py), which the
# emulator's invocations read too.
TIMEOUT = Duration.seconds(LAMBDA_TIMEOUT_SECONDS)
MEMORY_MB = LAMBDA_MEMORY_MB
RUNTIME = lambda_.Runtime.PYTHON_3_13
ARCHITECTURE = lambda_.Architecture.ARM_64

# AppSync invokes this alias, which points at the version published with each deploy:
# SnapStart applies to published versions only, and the alias keeps one target for both.
ALIAS = "live"
# What the code calls, and nothing else (resolvers/ adapters and Powertools idempotency).
ORDERS_TABLE_ACTIONS = (
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
)
STATE_INDEX_ACTIONS = ("dynamodb:Query",)
IDEMPOTENCY_TABLE_ACTIONS = (
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
)
QUEUE_ACTIONS = ("sqs:SendMessage",)
SNAPSTART_WARNING_ID = "orders:snapStartRegion"


class ResolverFunction(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: StageConfig,
        tables: OrdersTables,
        queues: StateQueues,
    ) -> None:
        super().__init__(scope, id)
        self.log_group = logs.LogGroup(
            self, "Logs", retention=config.log_retention, removal_policy=config.removal_policy
        )
        self.role = self._role(tables, queues)

        environment = lambda_environment(
            stage=config.stage.value,
            orders_table=tables.orders.table_name,
            idempotency_table=tables.idempotency.table_name,
            queue_urls={estado: queue.queue_url for estado, queue in queues.queues.items()},
            cache_ttl_seconds=config.cache_ttl_seconds,
            state_shards=config.scale.state_shards,
            queue_groups=config.scale.queue_groups,
        )

        self.function = lambda_.Function(
            self,
            "Function",
            description="Orders GraphQL resolvers (AppSync -> resolvers.handler)",
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler=HANDLER,
            code=lambda_package(RUNTIME, ARCHITECTURE),
            environment=environment,
            timeout=TIMEOUT,
            memory_size=MEMORY_MB,
            tracing=lambda_.Tracing.ACTIVE,
            log_group=self.log_group,
            role=self.role,
            # The runtime hooks are in resolvers/snapstart.py (registered by the handler).
            snap_start=(
                lambda_.SnapStartConf.ON_PUBLISHED_VERSIONS if self._snap_start(config) else None
            ),
        )
        # What AppSync invokes: the current version (published when code or configuration
        # changes), snapshotted when SnapStart is on.
        self.alias = lambda_.Alias(
            self, "Live", alias_name=ALIAS, version=self.function.current_version
        )
        self._acknowledge_findings()

    def _role(self, tables: OrdersTables, queues: StateQueues) -> iam.Role:
        """An own role instead of AWSLambdaBasicExecutionRole: what the code calls, on these
        resources, and logs to one group only."""
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Orders resolvers: the two tables, the state index, the state queues",
        )
        self._grant(ORDERS_TABLE_ACTIONS, tables.orders.table_arn)
        self._grant(STATE_INDEX_ACTIONS, tables.state_index_arn)
        self._grant(IDEMPOTENCY_TABLE_ACTIONS, tables.idempotency.table_arn)
        self._grant(QUEUE_ACTIONS, *(q.queue_arn for q in queues.queues.values()))
        grant_log_writes(self.role, self.log_group)
        return self.role

    def _snap_start(self, config: StageConfig) -> bool:
        """SnapStart as configured, except in a Region where Lambda has none for Python:
        there creating the function would fail, so it is turned off with a warning."""
        if not config.snap_start or config.region is None or offers_snapstart(config.region):
            return config.snap_start
        Annotations.of(self).add_warning_v2(
            SNAPSTART_WARNING_ID,
            f"SnapStart is off: Lambda offers no SnapStart for Python in {config.region} "
            f"({SNAPSTART_REGIONS_SOURCE}); cold starts take longer. Update "
            "infra/snapstart_regions.py when AWS adds the Region.",
        )
        return False

    def _grant(self, actions: tuple[str, ...], *resource_arns: str) -> None:
        self.role.add_to_policy(
            iam.PolicyStatement(actions=list(actions), resources=list(resource_arns))
        )

    def _acknowledge_findings(self) -> None:
        acknowledge(
            self.role,
            "AwsSolutions-IAM5[Resource::*]",
            "X-Ray's PutTraceSegments/PutTelemetryRecords support no resource-level permissions.",
        )
        acknowledge(
            self.function,
            "AwsSolutions-L1",
            "Python 3.13 is the runtime the design fixes; the tests run the same Powertools.",
        )

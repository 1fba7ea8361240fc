"""The Lambda that resolves every field: the `resolvers/` package on Python 3.13/arm64
with Powertools from its public layer, allowed exactly what its code does."""

import shutil
from pathlib import Path
from typing import Any

import jsii
from aws_cdk import DockerImage, Duration, Fn, ILocalBundling
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

import resolvers
from infra.compliance import acknowledge, logical_id
from infra.log_groups import grant_log_writes
from infra.queues import StateQueues
from infra.stage import StageConfig
from infra.storage import OrdersTables
from resolvers.contract.function import HANDLER, lambda_environment

RESOLVERS_DIR = Path(resolvers.__file__).resolve().parent
# Sized on `make bench` (bench/report.md): a warm container peaks near 72 MB, so memory is
# set for CPU share, which scales with it: 512 MB puts a cold start (imports, clients) at
# 1.5 to 2 s. A write starts only with the clients' worst case for write, failed publish
# and undo still ahead (resolvers/adapters/aws_clients.py, 22.5 s); the timeout leaves room
# for a cold start and the reads before the write, and stays under AppSync's 30 s request
# limit. A test checks both.
TIMEOUT = Duration.seconds(28)
MEMORY_MB = 512
POWERTOOLS_LAYER = (
    "arn:${AWS::Partition}:lambda:${AWS::Region}:017000801446:layer:"
    "AWSLambdaPowertoolsPythonV3-python313-arm64:{version}"
)
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


@jsii.implements(ILocalBundling)
class _ResolversPackage:
    """Bundles `resolvers/` as a folder of the zip, so `resolvers.handler` imports as it
    does locally; no Docker needed (boto3 comes with the runtime, Powertools with the layer)."""

    def try_bundle(self, output_dir: str, options: Any) -> bool:
        shutil.copytree(
            RESOLVERS_DIR,
            Path(output_dir) / RESOLVERS_DIR.name,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )
        return True


def resolvers_package() -> lambda_.Code:
    return lambda_.Code.from_asset(
        str(RESOLVERS_DIR),
        exclude=["**/__pycache__", "**/*.pyc"],
        bundling={
            # Only used if local bundling were unavailable; it never is.
            "image": DockerImage.from_registry("public.ecr.aws/sam/build-python3.13"),
            "local": _ResolversPackage(),
        },
    )


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
        # An own role instead of AWSLambdaBasicExecutionRole: logs go to one group only.
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

        environment = lambda_environment(
            stage=config.stage.value,
            orders_table=tables.orders.table_name,
            idempotency_table=tables.idempotency.table_name,
            queue_urls={estado: queue.queue_url for estado, queue in queues.queues.items()},
            cache_ttl_seconds=config.cache_ttl_seconds,
        )

        powertools = lambda_.LayerVersion.from_layer_version_arn(
            self,
            "Powertools",
            Fn.sub(POWERTOOLS_LAYER.replace("{version}", str(config.powertools_layer_version))),
        )
        self.function = lambda_.Function(
            self,
            "Function",
            description="Orders GraphQL resolvers (AppSync -> resolvers.handler)",
            runtime=lambda_.Runtime.PYTHON_3_13,
            architecture=lambda_.Architecture.ARM_64,
            handler=HANDLER,
            code=resolvers_package(),
            layers=[powertools],
            environment=environment,
            timeout=TIMEOUT,
            memory_size=MEMORY_MB,
            tracing=lambda_.Tracing.ACTIVE,
            log_group=self.log_group,
            role=self.role,
        )
        self._acknowledge_findings()

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
            self.role,
            f"AwsSolutions-IAM5[Resource::<{logical_id(self.log_group)}.Arn>:*]",
            "Log streams are created at run time inside this function's own log group.",
        )
        acknowledge(
            self.function,
            "AwsSolutions-L1",
            "Python 3.13 is the runtime the design fixes and Powertools publishes a layer for.",
        )

"""Consumers of the state queues in the stack: `StateConsumer` attaches a Lambda to one
state's queue with the event source settings a FIFO queue needs, and
`ReferenceConsumerFunction` is the reference consumer (consumers/reference.py) as a Lambda
with its table of processed messages.

Event source settings ("Using Lambda with Amazon SQS",
docs.aws.amazon.com/lambda/latest/dg/with-sqs.html):
- `report_batch_item_failures`: the handler's `batchItemFailures` come back alone, the rest
  of the batch is deleted; without it, one failure retries the whole batch.
- batch size: at most 10 for a FIFO queue.
- maximum concurrency: at least 2 (API_ScalingConfig.html) and, on a FIFO queue, Lambda
  runs at most one batch per active message group, so the concurrency actually reached is
  the smaller of the two (services-sqs-scaling.html). With `queueGroups` 1 a state is one
  group, so one batch at a time whatever the setting; with G groups, up to G."""

import shutil
from pathlib import Path
from typing import Any

import jsii
from aws_cdk import AssetHashType, BundlingOptions, DockerImage, Duration, ILocalBundling
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.compliance import acknowledge
from infra.lambda_package import (
    IGNORED,
    PLATFORMS,
    _dependencies,
    lambda_environment_markers,
    locked_requirements,
)
from infra.log_groups import grant_log_writes
from infra.python_lock import TEST_LOCK, parse_lock
from infra.stage import StageConfig

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CONSUMERS_DIR = PROJECT_ROOT / "consumers"
SCHEMA = PROJECT_ROOT / "order-message.schema.json"
HANDLER = "consumers.reference.handler"
RUNTIME = lambda_.Runtime.PYTHON_3_13
ARCHITECTURE = lambda_.Architecture.ARM_64
# Lambda's limits for an SQS event source on a FIFO queue.
MAX_FIFO_BATCH_SIZE = 10
MIN_MAXIMUM_CONCURRENCY = 2
MAX_MAXIMUM_CONCURRENCY = 1000
# Powertools' validation utility compiles the schema with fastjsonschema.
VALIDATION_DISTRIBUTION = "fastjsonschema"


class StateConsumer(Construct):
    """`function` consuming `queue` as Lambda's FIFO event source does."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        queue: sqs.IQueue,
        function: lambda_.IFunction,
        batch_size: int = MAX_FIFO_BATCH_SIZE,
        maximum_concurrency: int | None = None,
    ) -> None:
        super().__init__(scope, id)
        if not 1 <= batch_size <= MAX_FIFO_BATCH_SIZE:
            raise ValueError(f"batch_size {batch_size}: a FIFO queue takes 1 to 10")
        if maximum_concurrency is not None and not (
            MIN_MAXIMUM_CONCURRENCY <= maximum_concurrency <= MAX_MAXIMUM_CONCURRENCY
        ):
            raise ValueError(
                f"maximum_concurrency {maximum_concurrency}: Lambda takes 2 to 1000 (a FIFO "
                "queue's message groups bound it anyway), or None"
            )
        self.event_source = sources.SqsEventSource(
            queue,
            batch_size=batch_size,
            report_batch_item_failures=True,
            max_concurrency=maximum_concurrency,
        )
        function.add_event_source(self.event_source)


@jsii.implements(ILocalBundling)
class _ConsumerPackage:
    """`consumers/` with the message schema beside its module, and Powertools with its
    validation dependency at the zip's root."""

    def __init__(self, python_version: str, platform: str) -> None:
        self.python_version = python_version
        self.platform = platform

    def try_bundle(self, output_dir: str, *_: Any, **__: Any) -> bool:
        package = Path(output_dir) / CONSUMERS_DIR.name
        shutil.copytree(CONSUMERS_DIR, package, ignore=shutil.ignore_patterns(*IGNORED))
        shutil.copy(SCHEMA, package / SCHEMA.name)
        requirements = (
            *locked_requirements(self.python_version, self.platform),
            _locked_validation(self.python_version, self.platform),
        )
        dependencies = _dependencies(self.python_version, self.platform, requirements)
        shutil.copytree(dependencies, output_dir, dirs_exist_ok=True)
        return True


def _locked_validation(python_version: str, platform: str) -> str:
    """fastjsonschema as the lock pins it (with its hashes): the version the tests run."""
    environment = lambda_environment_markers(python_version, platform)
    for entry in parse_lock(TEST_LOCK.read_text()):
        if entry.name == VALIDATION_DISTRIBUTION and entry.applies(environment):
            return entry.requirement_line()
    raise RuntimeError(f"{TEST_LOCK} pins no {VALIDATION_DISTRIBUTION}: run make lock")


def consumer_package() -> lambda_.Code:
    return lambda_.Code.from_asset(
        str(CONSUMERS_DIR),
        asset_hash_type=AssetHashType.OUTPUT,
        bundling=BundlingOptions(
            image=DockerImage.from_registry("public.ecr.aws/sam/build-python3.13"),
            local=_ConsumerPackage(
                RUNTIME.name.removeprefix("python"), PLATFORMS[ARCHITECTURE.name]
            ),
        ),
    )


class ReferenceConsumerFunction(Construct):
    """The reference consumer as a Lambda, remembering what it processed in its own table."""

    def __init__(self, scope: Construct, id: str, *, config: StageConfig) -> None:
        super().__init__(scope, id)
        self.processed = dynamodb.Table(
            self,
            "Processed",
            partition_key=dynamodb.Attribute(name="id", type=dynamodb.AttributeType.STRING),
            time_to_live_attribute="expires",
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            removal_policy=config.removal_policy,
        )
        self.log_group = logs.LogGroup(
            self, "Logs", retention=config.log_retention, removal_policy=config.removal_policy
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Orders reference consumer: its processed-messages table and its logs",
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["dynamodb:GetItem", "dynamodb:PutItem"],
                resources=[self.processed.table_arn],
            )
        )
        grant_log_writes(self.role, self.log_group)
        self.function = lambda_.Function(
            self,
            "Function",
            description="Orders reference consumer (consumers/reference.py)",
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler=HANDLER,
            code=consumer_package(),
            environment={"ORDERS_PROCESSED_TABLE": self.processed.table_name},
            # Below the state queues' visibility timeout (30 s): Lambda refuses an event
            # source whose queue hides a message for less than the function may run.
            timeout=Duration.seconds(20),
            memory_size=256,
            log_group=self.log_group,
            role=self.role,
        )
        acknowledge(
            self.function,
            "AwsSolutions-L1",
            "Python 3.13, the runtime of the service's own function.",
        )

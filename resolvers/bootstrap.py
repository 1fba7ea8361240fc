"""The one place where the real adapters are wired.

`build` takes everything the service depends on (settings, clients, clock) and returns the
`Application` the Lambda entry serves with. The entry builds it once per container
(`resolvers.handler`); a test or a benchmark builds its own and hands it to
`handler_for`, so nothing is looked up from, or patched into, a module. `build_repair`
wires `orders repair` (api/repair.py) from the same adapters."""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from resolvers.adapters import aws_clients
from resolvers.adapters.deadline import InvocationDeadline
from resolvers.adapters.idempotent_creation import PowertoolsIdempotentCreation
from resolvers.adapters.orders_table import OrdersTable
from resolvers.adapters.page_tokens import StateQueryTokens
from resolvers.adapters.state_queues import StateQueues
from resolvers.definitions.settings import Settings
from resolvers.domain.calendar import Clock, system_clock
from resolvers.service.orders import OrderService

if TYPE_CHECKING:  # the stubs are a dev dependency; the Lambda runtime has none
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_sqs import SQSClient

    from resolvers.service.repair import PublicationRepair


@dataclass(frozen=True)
class Application:
    service: OrderService
    # 0: the API cache is off, so every read projects its selection set.
    cache_ttl_seconds: int
    # Present when createOrder's clientToken goes through Powertools idempotency.
    idempotent_creation: PowertoolsIdempotentCreation | None = None
    # Started with each invocation's context, so writes know the time left.
    deadline: InvocationDeadline | None = None

    def start_invocation(self, context: Any) -> None:
        """Tell the adapters that read the Lambda context about this invocation's."""
        if self.idempotent_creation is not None:
            self.idempotent_creation.register_lambda_context(context)
        if self.deadline is not None:
            self.deadline.start(context)


def build(
    settings: Settings,
    *,
    dynamodb: "DynamoDBClient | None" = None,
    sqs: "SQSClient | None" = None,
    clock: Clock = system_clock,
) -> Application:
    """The real adapters; pass clients to observe or fault their calls, a clock to fix time."""
    dynamodb = dynamodb or aws_clients.dynamodb_client()
    idempotent_creation = PowertoolsIdempotentCreation(dynamodb, settings.idempotency_table)
    deadline = InvocationDeadline()
    service = OrderService(
        repository=OrdersTable(dynamodb, settings.orders_table, state_shards=settings.state_shards),
        publisher=StateQueues(
            sqs or aws_clients.sqs_client(), settings.queue_urls, groups=settings.queue_groups
        ),
        clock=clock,
        page_tokens=StateQueryTokens(),
        idempotent_creation=idempotent_creation,
        deadline=deadline,
        seconds_to_write_and_undo=aws_clients.WORST_CASE_COMPENSATED_SECONDS,
    )
    return Application(
        service=service,
        cache_ttl_seconds=settings.cache_ttl_seconds,
        idempotent_creation=idempotent_creation,
        deadline=deadline,
    )


def build_repair(
    settings: Settings,
    *,
    dynamodb: "DynamoDBClient",
    sqs: "SQSClient",
    clock: Clock = system_clock,
) -> "PublicationRepair":
    """`orders repair`'s use case on the real adapters: the stage's table with its N, and
    its queues with its G, so a republished message joins the group its order's are in.
    Imported here: the Lambda never repairs, and its cold start compiles what it imports."""
    from resolvers.service.repair import PublicationRepair

    return PublicationRepair(
        repository=OrdersTable(dynamodb, settings.orders_table, state_shards=settings.state_shards),
        publisher=StateQueues(sqs, settings.queue_urls, groups=settings.queue_groups),
        clock=clock,
    )


def from_environment() -> Application:
    """What a Lambda container serves with: the settings its environment carries."""
    return build(Settings.from_env())

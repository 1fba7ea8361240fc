"""The one place where the real adapters are wired.

Built lazily on the first invocation (so a process can set its environment first) and
kept for the life of the container. Tests and the local emulator replace it with
`use(...)` or drop it with `reset()`."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from resolvers.adapters import aws_clients
from resolvers.adapters.idempotency import ClientTokens
from resolvers.adapters.orders_table import OrdersTable
from resolvers.adapters.page_tokens import StateQueryTokens
from resolvers.adapters.state_queues import StateQueues
from resolvers.deadline import InvocationDeadline
from resolvers.domain.timestamps import system_clock
from resolvers.service.orders import OrderService
from resolvers.settings import Settings

if TYPE_CHECKING:  # the stubs are a dev dependency; the Lambda runtime has none
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_sqs import SQSClient


@dataclass
class Application:
    service: OrderService
    # 0: the API cache is off, so every read projects its selection set.
    cache_ttl_seconds: int
    # Present when createOrder's clientToken goes through Powertools idempotency.
    client_tokens: ClientTokens | None = None
    # Started with each invocation's context, so writes know the time left.
    deadline: InvocationDeadline | None = None


def build(
    settings: Settings,
    *,
    dynamodb: "DynamoDBClient | None" = None,
    sqs: "SQSClient | None" = None,
) -> Application:
    """The real adapters; pass clients to observe or fault their calls (tests)."""
    dynamodb = dynamodb or aws_clients.dynamodb_client()
    client_tokens = ClientTokens(dynamodb, settings.idempotency_table)
    deadline = InvocationDeadline()
    service = OrderService(
        repository=OrdersTable(dynamodb, settings.orders_table),
        publisher=StateQueues(sqs or aws_clients.sqs_client(), settings.queue_urls),
        clock=system_clock,
        page_tokens=StateQueryTokens(),
        creation_guard=client_tokens,
        deadline=deadline,
        seconds_to_write_and_undo=aws_clients.WORST_CASE_COMPENSATED_SECONDS,
    )
    return Application(
        service=service,
        cache_ttl_seconds=settings.cache_ttl_seconds,
        client_tokens=client_tokens,
        deadline=deadline,
    )


_current: Application | None = None


def application() -> Application:
    global _current
    if _current is None:
        _current = build(Settings.from_env())
    return _current


def use(app: Application) -> None:
    """Serve the next invocations with `app` (tests, the local emulator)."""
    global _current
    _current = app


def reset() -> None:
    """Forget the wiring: the next invocation reads the environment again."""
    global _current
    _current = None

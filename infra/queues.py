"""One SQS FIFO queue per state, each redriving to its own FIFO dead-letter queue."""

from aws_cdk import Duration
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.stage import StageConfig
from resolvers.definitions import resources
from resolvers.domain.states import Estado


class StateQueues(Construct):
    def __init__(self, scope: Construct, id: str, *, config: StageConfig) -> None:
        super().__init__(scope, id)
        names = resources.ResourceNames(config.stage.value)
        self.queues: dict[Estado, sqs.Queue] = {}
        self.dead_letter_queues: dict[Estado, sqs.Queue] = {}
        for estado in Estado:
            dlq = sqs.Queue(
                self,
                f"{estado.value}-dlq",
                queue_name=names.dead_letter_queue(estado),
                fifo=True,
                content_based_deduplication=False,
                retention_period=Duration.seconds(resources.DLQ_RETENTION_SECONDS),
                encryption=sqs.QueueEncryption.SQS_MANAGED,
                enforce_ssl=True,
                removal_policy=config.removal_policy,
            )
            # High-throughput FIFO: order and deduplication hold within a message group
            # (the state), which is all the service promises.
            self.queues[estado] = sqs.Queue(
                self,
                estado.value,
                queue_name=names.queue(estado),
                fifo=True,
                content_based_deduplication=False,
                deduplication_scope=sqs.DeduplicationScope.MESSAGE_GROUP,
                fifo_throughput_limit=sqs.FifoThroughputLimit.PER_MESSAGE_GROUP_ID,
                retention_period=Duration.seconds(resources.QUEUE_RETENTION_SECONDS),
                encryption=sqs.QueueEncryption.SQS_MANAGED,
                enforce_ssl=True,
                dead_letter_queue=sqs.DeadLetterQueue(
                    queue=dlq, max_receive_count=resources.DLQ_MAX_RECEIVE_COUNT
                ),
                removal_policy=config.removal_policy,
            )
            self.dead_letter_queues[estado] = dlq

"""The DynamoDB tables: orders (with the state index) and Powertools idempotency."""

from aws_cdk import Tags
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from infra.stage import StageConfig
from resolvers.definitions import resources, scale


class OrdersTables(Construct):
    def __init__(self, scope: Construct, id: str, *, config: StageConfig) -> None:
        super().__init__(scope, id)
        self._config = config
        names = resources.ResourceNames(config.stage.value)
        self.orders = self._table("Orders", names.orders_table, resources.ORDERS_PARTITION_KEY)
        # ordersByState is one Query per shard (`estado#k`) of this index in arrival order,
        # never a Scan. Its items were written for N shards: the table records N.
        Tags.of(self.orders).add(scale.STATE_SHARDS_TAG, str(config.scale.state_shards))
        self.orders.add_global_secondary_index(
            index_name=resources.STATE_INDEX_NAME,
            partition_key=_string(resources.STATE_INDEX_PARTITION_KEY),
            sort_key=_string(resources.STATE_INDEX_SORT_KEY),
            projection_type=dynamodb.ProjectionType.ALL,
        )
        # Sparse: only orders whose current state's message may be unsent (orders repair).
        self.orders.add_global_secondary_index(
            index_name=resources.UNPUBLISHED_INDEX_NAME,
            partition_key=_string(resources.UNPUBLISHED_INDEX_PARTITION_KEY),
            sort_key=_string(resources.UNPUBLISHED_INDEX_SORT_KEY),
            projection_type=dynamodb.ProjectionType.KEYS_ONLY,
        )
        self.idempotency = self._table(
            "Idempotency",
            names.idempotency_table,
            resources.IDEMPOTENCY_PARTITION_KEY,
            ttl_attribute=resources.IDEMPOTENCY_TTL_ATTRIBUTE,
        )

    @property
    def state_index_arn(self) -> str:
        return f"{self.orders.table_arn}/index/{resources.STATE_INDEX_NAME}"

    def _table(
        self, id: str, name: str, partition_key: str, ttl_attribute: str | None = None
    ) -> dynamodb.Table:
        return dynamodb.Table(
            self,
            id,
            table_name=name,
            partition_key=_string(partition_key),
            time_to_live_attribute=ttl_attribute,
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            deletion_protection=self._config.is_prod,
            removal_policy=self._config.removal_policy,
        )


def _string(name: str) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=name, type=dynamodb.AttributeType.STRING)

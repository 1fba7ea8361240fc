"""Where an order lands when a state is spread over several keys: its shard of the state
index (the item's `estado_shard`, `estado#k`) and its message group in the state's queue
(`estado#j`). Both numbers are the order's `shard_number`, a stable hash of its id, the same
in every process and every release (Python's `hash()` is salted per process)."""

import hashlib

from resolvers.domain.states import Estado


def shard_number(order_id: str, count: int) -> int:
    """A number in [0, count) that depends only on `order_id`: the first 8 bytes of its
    SHA-256, modulo `count`."""
    # surrogatepass: a cursor id read from a client's nextToken may hold a lone surrogate.
    digest = hashlib.sha256(order_id.encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:8], "big") % count


def estado_shard(estado: Estado, number: int) -> str:
    """The `estado_shard` (state index partition key) of shard `number` of `estado`, e.g.
    `recibida#3`."""
    return f"{estado.value}#{number}"


def estado_shard_for(estado: Estado, order_id: str, shards: int) -> str:
    """The `estado_shard` an order in `estado` is stored under."""
    return estado_shard(estado, shard_number(order_id, shards))


def message_group(estado: Estado, order_id: str, groups: int) -> str:
    """The SQS message group of an order entering `estado`: the state itself with one group
    (one total order per state), `estado#j` with more (arrival order within each group)."""
    if groups == 1:
        return estado.value
    return f"{estado.value}#{shard_number(order_id, groups)}"

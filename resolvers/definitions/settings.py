"""Configuration of the Lambda package, read from the environment once."""

import os
from collections.abc import Mapping
from dataclasses import dataclass

from resolvers.definitions import resources, scale
from resolvers.definitions.caching import DEFAULT_TTL_SECONDS, checked_ttl
from resolvers.domain.states import Estado


@dataclass(frozen=True)
class Settings:
    stage: str
    orders_table: str
    idempotency_table: str
    queue_urls: Mapping[Estado, str]
    # 0 means the API cache is off: every read then projects its selection set.
    cache_ttl_seconds: int
    # docs/scale.md: shards of the state index (N) and message groups per queue (G).
    state_shards: int = scale.DEFAULT_STATE_SHARDS
    queue_groups: int = scale.DEFAULT_QUEUE_GROUPS

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> "Settings":
        stage = env.get(resources.ENV_STAGE, resources.LOCAL_STAGE)
        names = resources.ResourceNames(stage)
        missing = [
            resources.env_queue_url(e) for e in Estado if not env.get(resources.env_queue_url(e))
        ]
        if missing:
            raise RuntimeError(f"missing queue URL variables: {', '.join(missing)}")
        return cls(
            stage=stage,
            orders_table=env.get(resources.ENV_ORDERS_TABLE, names.orders_table),
            idempotency_table=env.get(resources.ENV_IDEMPOTENCY_TABLE, names.idempotency_table),
            queue_urls={e: env[resources.env_queue_url(e)] for e in Estado},
            cache_ttl_seconds=checked_ttl(
                int(env.get(resources.ENV_CACHE_TTL, str(DEFAULT_TTL_SECONDS)))
            ),
            state_shards=scale.checked_state_shards(
                int(env.get(scale.ENV_STATE_SHARDS, str(scale.DEFAULT_STATE_SHARDS)))
            ),
            queue_groups=scale.checked_queue_groups(
                int(env.get(scale.ENV_QUEUE_GROUPS, str(scale.DEFAULT_QUEUE_GROUPS)))
            ),
        )

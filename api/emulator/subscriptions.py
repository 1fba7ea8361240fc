"""@aws_subscribe locally: a mutation's response is pushed to the subscriptions listening to
that mutation whose arguments all equal the response's attributes (a null or absent argument
filters nothing)."""

import asyncio
from collections.abc import AsyncGenerator, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from strawberry.types.unset import UnsetType


@dataclass(eq=False)
class _Subscriber:
    mutation: str
    filters: dict[str, Any]
    inbox: asyncio.Queue[Mapping[str, Any]] = field(default_factory=asyncio.Queue)

    def wants(self, response: Mapping[str, Any]) -> bool:
        return all(response.get(name) == value for name, value in self.filters.items())


class MutationFeed:
    def __init__(self) -> None:
        self._subscribers: set[_Subscriber] = set()

    async def subscribe(
        self,
        mutation: str,
        filters: Mapping[str, Any],
        on_subscribed: Callable[[], None] | None = None,
    ) -> AsyncGenerator[Mapping[str, Any], None]:
        """`on_subscribed` runs once the subscriber is registered: from then on no published
        response is missed (AppSync's `start_ack` promises that)."""
        active = {
            name: value
            for name, value in filters.items()
            if value is not None and not isinstance(value, UnsetType)
        }
        subscriber = _Subscriber(mutation, active)
        self._subscribers.add(subscriber)
        if on_subscribed is not None:
            on_subscribed()
        try:
            while True:
                yield await subscriber.inbox.get()
        finally:
            self._subscribers.discard(subscriber)

    def publish(self, mutation: str, response: Mapping[str, Any]) -> None:
        for subscriber in list(self._subscribers):
            if subscriber.mutation == mutation and subscriber.wants(response):
                subscriber.inbox.put_nowait(response)

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

"""The time left in the current invocation, read from its Lambda context."""

import math
from typing import Any


class InvocationDeadline:
    """Started with each invocation's context; without one, time is unbounded."""

    def __init__(self) -> None:
        self._context: Any = None

    def start(self, context: Any) -> None:
        self._context = context

    def seconds_left(self) -> float:
        if self._context is None:
            return math.inf
        millis: int = self._context.get_remaining_time_in_millis()
        return millis / 1000

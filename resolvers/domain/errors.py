"""Domain errors. Each class name is the `errorType` the GraphQL client sees."""


class OrderError(Exception):
    """Base of the errors a client can act on; `error_type` is stable API."""

    @property
    def error_type(self) -> str:
        return type(self).__name__

    @property
    def message(self) -> str:
        return str(self)


class ValidationError(OrderError):
    """An argument is malformed or out of range; nothing was read or written."""


class NotFound(OrderError):
    """No order has the given id."""


class InvalidTransition(OrderError):
    """The order's current state does not allow the requested state."""


class ConflictError(OrderError):
    """A stale `expectedVersion`, a lost race, or a `clientToken` reused differently."""


class Unauthorized(OrderError):
    """The caller may not make this change; nothing was read or written. Checked right
    after the arguments: it depends only on who calls and the state they ask for."""

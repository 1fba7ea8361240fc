"""Who may do what: the access policy, as data. The CDK stack reads it (the user pool's
groups, the `cognito_groups` of the schema's directives), the emulator reads it through
the schema, and the Lambda enforces what depends on the state asked for.

Every signed-in user reads, subscribes and creates. Moving an order into a state may need
a group: `enproceso` and `completada` need `tecnicos` or `supervisores`; `cancelada` needs
`supervisores`. The API key (a developer, dev and local stages only) and IAM callers
(services, bounded by their IAM policy) are not restricted by groups."""

from resolvers.domain.caller import AuthMode, Caller
from resolvers.domain.errors import Unauthorized
from resolvers.domain.states import Estado

TECNICOS = "tecnicos"
SUPERVISORES = "supervisores"

GROUPS: tuple[str, ...] = (TECNICOS, SUPERVISORES)
"""The user pool's groups, in the order the stack creates them."""

ENTRY_GROUPS: dict[Estado, tuple[str, ...]] = {
    Estado.enproceso: (TECNICOS, SUPERVISORES),
    Estado.completada: (TECNICOS, SUPERVISORES),
    Estado.cancelada: (SUPERVISORES,),
}
"""For each state an order can be moved into, the groups a signed-in user needs (any one
of them). The initial state is entered only by creating an order, which needs none."""

UPDATE_ORDER_STATE_GROUPS: tuple[str, ...] = tuple(
    group for group in GROUPS if any(group in needed for needed in ENTRY_GROUPS.values())
)
"""Who may call `updateOrderState` at all: the union of `ENTRY_GROUPS`, the
`cognito_groups` of the field's `@aws_cognito_user_pools` directive. AppSync refuses the
field to other users before the Lambda runs; the Lambda refuses the states they lack."""

# Callers the groups do not restrict: the key is a developer's, IAM is bounded by its
# own policy.
_UNRESTRICTED = frozenset({AuthMode.api_key, AuthMode.iam})


def may_enter(caller: Caller, estado: Estado) -> bool:
    """Whether `caller` may move an order into `estado` (the transition rule aside)."""
    needed = ENTRY_GROUPS.get(estado)
    if caller.mode in _UNRESTRICTED or needed is None:
        # No group enters the initial state either: the transition rule refuses it.
        return True
    return not caller.groups.isdisjoint(needed)


def ensure_may_enter(caller: Caller, estado: Estado) -> None:
    """Raise Unauthorized, naming who may, unless `caller` may move an order into
    `estado`."""
    if may_enter(caller, estado):
        return
    needed = " or ".join(ENTRY_GROUPS[estado])
    raise Unauthorized(
        f"moving an order to {estado.value} needs group {needed}; "
        f"{caller.por} is in {_groups_of(caller)}"
    )


def _groups_of(caller: Caller) -> str:
    return ", ".join(sorted(caller.groups)) if caller.groups else "no group"

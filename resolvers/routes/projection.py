"""Which attributes a read fetches: the selection set when the field is not cached, whole
items when it is (AppSync's cache key cannot include the selection set, so a cached partial
item would be served to a wider query)."""

from collections.abc import Sequence

from resolvers.definitions.caching import cached_resolver
from resolvers.definitions.fields import ResolverField
from resolvers.domain.order import ORDER_ATTRIBUTES
from resolvers.service.ports import Projection

_INTROSPECTION = "__typename"


def selected_attributes(selection: Sequence[str], prefix: str = "") -> Projection:
    """The Order attributes in an AppSync `selectionSetList` (entries under `prefix`, e.g.
    `items/` for a connection). AppSync lists an aliased field by its alias only, so a name
    that is not an Order attribute, or fields under a connection field that is not `prefix`,
    mean the real names are unknown: read whole items."""
    names: set[str] = set()
    for entry in selection:
        if prefix and not entry.startswith(prefix):
            if "/" in entry:
                # The items under another name (an alias): which attributes is unknown.
                return None
            continue
        # A field of an attribute's own type (`historial/por`) is read with the attribute.
        name = entry[len(prefix) :].split("/", 1)[0]
        if name == _INTROSPECTION:
            continue
        if name not in ORDER_ATTRIBUTES:
            return None
        names.add(name)
    # A selection of only __typename still needs a real attribute to read.
    return frozenset(names or {"id"})


def projection_for(
    field: ResolverField, selection: Sequence[str], *, cache_ttl_seconds: int, prefix: str = ""
) -> Projection:
    if cache_ttl_seconds > 0 and cached_resolver(field) is not None:
        return None
    return selected_attributes(selection, prefix)

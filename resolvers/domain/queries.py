"""What a listing asks for: the state, the direction and the arrival bounds of one
`ordersByState` query (a nextToken is valid only for the query that produced it)."""

from dataclasses import dataclass
from enum import StrEnum

from resolvers.domain.states import Estado


class SortDirection(StrEnum):
    """Arrival order (`fecha_registro`) of a listing. Values are the GraphQL enum's."""

    ASC = "ASC"
    DESC = "DESC"


@dataclass(frozen=True)
class StateQuery:
    estado: Estado
    direction: SortDirection = SortDirection.ASC
    # Inclusive bounds on fecha_registro, in its fixed-width form (resolvers.domain.calendar).
    desde: str | None = None
    hasta: str | None = None

    def includes(self, fecha_registro: str) -> bool:
        return (self.desde is None or self.desde <= fecha_registro) and (
            self.hasta is None or fecha_registro <= self.hasta
        )

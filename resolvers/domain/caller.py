"""Who makes a request, in the domain's terms: how they signed in, the name an order
records for them (`por`) and the groups they belong to."""

from dataclasses import dataclass, field
from enum import StrEnum


class AuthMode(StrEnum):
    """How the caller signed in: AppSync's authorization modes this API configures."""

    api_key = "api_key"
    user_pool = "user_pool"
    iam = "iam"


# What an order records as `por` for the API key: a key names no one.
API_KEY_POR = "api-key"


@dataclass(frozen=True)
class Caller:
    mode: AuthMode
    # The caller's readable name, recorded in `creado_por` and in each `historial` entry.
    por: str
    # The user pool groups of a signed-in user (empty for the API key and IAM).
    groups: frozenset[str] = field(default_factory=frozenset)


API_KEY_CALLER = Caller(AuthMode.api_key, API_KEY_POR)

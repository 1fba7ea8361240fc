"""The caller, read from AppSync's `identity` in the resolver event.

AppSync fills `identity` according to the mode the request was authorized with
("Resolver context object reference", section Identity:
https://docs.aws.amazon.com/appsync/latest/devguide/resolver-context-reference-js.html#aws-appsync-resolver-context-reference-identity-js,
and for mapping templates
https://docs.aws.amazon.com/appsync/latest/devguide/resolver-context-reference.html#aws-appsync-resolver-context-reference-identity):

- API key: no identity (null).
- Amazon Cognito user pools: `sub`, `issuer`, `username`, `claims` (the token's claims),
  `sourceIp`, `defaultAuthStrategy` and `groups` (the `cognito:groups` claim).
- IAM: `accountId`, `userArn`, `username`, `sourceIp` and the `cognitoIdentity*` fields
  (set only for Cognito identity pool credentials).

The emulator builds the same shapes locally (api/emulator/resolver_event.py), so one
function serves both."""

from collections.abc import Mapping
from typing import Any

from resolvers.definitions.claims import EMAIL_CLAIM
from resolvers.domain.caller import API_KEY_CALLER, AuthMode, Caller
from resolvers.domain.errors import Unauthorized

# Present only in a user pool identity (an OIDC one has `sub` and `issuer` as well).
_USER_POOL_MARK = "defaultAuthStrategy"
# Present only in an IAM identity.
_IAM_MARK = "userArn"


def caller_from_identity(identity: Mapping[str, Any] | None) -> Caller:
    """The caller of a request whose AppSync `identity` is `identity`; Unauthorized for
    a mode this API does not configure (OIDC, Lambda authorizers), so that a write never
    records someone it cannot name."""
    if not identity:
        return API_KEY_CALLER
    if isinstance(identity.get(_IAM_MARK), str) and identity[_IAM_MARK]:
        return Caller(AuthMode.iam, identity[_IAM_MARK])
    if _USER_POOL_MARK in identity:
        return _user_pool_caller(identity)
    raise Unauthorized(
        "the request's authorization mode is not one this API accepts for changes "
        "(API key, Cognito user pool or IAM)"
    )


def _user_pool_caller(identity: Mapping[str, Any]) -> Caller:
    claims = identity.get("claims") or {}
    # An ID token carries the email; an access token carries no email and its username
    # is the user's sub, unless a pre-token-generation trigger added the email (prod's
    # pool has one: resolvers/pre_token_generation.py).
    email = claims.get(EMAIL_CLAIM) if isinstance(claims, Mapping) else None
    por = _first_text(email, identity.get("username"), identity.get("sub"))
    if por is None:
        raise Unauthorized("the user pool token names no user (no email, username or sub)")
    groups = identity.get("groups") or ()
    return Caller(AuthMode.user_pool, por, frozenset(g for g in groups if isinstance(g, str)))


def _first_text(*values: object) -> str | None:
    for value in values:
        if isinstance(value, str) and value.strip():
            return value
    return None

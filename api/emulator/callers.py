"""Who calls: AppSync's three authorization modes as the emulator serves them (the API key,
a Cognito user pool token, an IAM SigV4 signature), how a request is told to be one of them,
and the `identity` each puts in the resolver context.

AppSync tells the mode from the request: an `Authorization` header signed with SigV4 is IAM,
any other `Authorization` is a user pool token, otherwise `x-api-key` is the key. The shapes
of `identity` are those of AppSync's "Resolver context object reference"
(https://docs.aws.amazon.com/appsync/latest/devguide/resolver-context-reference-js.html,
"Identity"): null for the API key; `sub`, `issuer`, `username`, `claims`, `sourceIp`,
`defaultAuthStrategy`, `groups` for a user pool; `accountId`, `cognitoIdentityPoolId`,
`cognitoIdentityId`, `sourceIp`, `username`, `userArn`, `cognitoIdentityAuthType`,
`cognitoIdentityAuthProvider` for IAM."""

import hmac
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from starlette.responses import JSONResponse

from api.emulator import http_errors, sigv4
from api.emulator.sigv4 import LocalIamIdentity, SignatureRefused, SignedRequest
from api.emulator.user_pool_tokens import TokenRefused, UserPoolTokens

logger = logging.getLogger(__name__)
API_KEY_HEADER = "x-api-key"
# The stack's user pool config: requests a directive does not restrict are allowed
# (infra/api.py, UserPoolDefaultAction.ALLOW).
DEFAULT_AUTH_STRATEGY = "ALLOW"


@dataclass(frozen=True)
class ApiKeyCaller:
    pass


@dataclass(frozen=True)
class UserPoolCaller:
    claims: Mapping[str, Any]
    source_ip: str | None = None

    @property
    def groups(self) -> list[str] | None:
        groups = self.claims.get("cognito:groups")
        return list(groups) if isinstance(groups, list) else None


@dataclass(frozen=True)
class IamCaller:
    identity: LocalIamIdentity
    source_ip: str | None = None


Caller = ApiKeyCaller | UserPoolCaller | IamCaller


@dataclass(frozen=True)
class Refused(Exception):
    """What AppSync answers a request it does not authorize, before any GraphQL."""

    status: int
    error_type: str
    message: str

    def response(self) -> JSONResponse:
        return http_errors.error_response(self.status, self.error_type, self.message)

    def errors(self, code: int | None = None) -> list[dict[str, Any]]:
        """The real-time protocol's form of the refusal."""
        error: dict[str, Any] = {"errorType": self.error_type, "message": self.message}
        if code is not None:
            error["errorCode"] = code
        return [error]


# A missing or wrong key, and a token AppSync will not take: one answer for all three.
UNAUTHORIZED = Refused(401, http_errors.UNAUTHORIZED, http_errors.NOT_AUTHORIZED)


def appsync_identity(caller: Caller) -> dict[str, Any] | None:
    """`identity` in the resolver context, as AppSync builds it for the caller's mode."""
    if isinstance(caller, UserPoolCaller):
        claims = dict(caller.claims)
        # An ID token names the user in `cognito:username`, an access token in `username`.
        username = claims.get("cognito:username", claims.get("username"))
        return {
            "sub": claims.get("sub"),
            "issuer": claims.get("iss"),
            "username": username,
            "claims": claims,
            "sourceIp": [caller.source_ip] if caller.source_ip else [],
            "defaultAuthStrategy": DEFAULT_AUTH_STRATEGY,
            "groups": caller.groups,
        }
    if isinstance(caller, IamCaller):
        return {
            "accountId": sigv4.ACCOUNT_ID,
            "cognitoIdentityPoolId": None,
            "cognitoIdentityId": None,
            "sourceIp": [caller.source_ip] if caller.source_ip else [],
            "username": caller.identity.user_id,
            "userArn": caller.identity.user_arn,
            "cognitoIdentityAuthType": None,
            "cognitoIdentityAuthProvider": None,
        }
    return None


@dataclass
class Authenticator:
    """The modes the emulator serves: the key always; user pool tokens and IAM once their
    pool and identity are provisioned."""

    api_key: str
    tokens: UserPoolTokens | None = None
    iam: LocalIamIdentity | None = None

    def authenticate(
        self,
        headers: Mapping[str, Any],
        signed: SignedRequest | None,
        source_ip: str | None = None,
    ) -> Caller:
        """The caller of a request with these (lower-case) headers; `signed` is the request
        as a SigV4 signature covers it. Raises Refused as AppSync would answer."""
        authorization = headers.get("authorization")
        if isinstance(authorization, str) and authorization.strip():
            if sigv4.is_sigv4(authorization):
                return self._iam(signed, source_ip)
            return self._user_pool(authorization, source_ip)
        sent = headers.get(API_KEY_HEADER)
        if isinstance(sent, str) and hmac.compare_digest(sent, self.api_key):
            return ApiKeyCaller()
        raise UNAUTHORIZED

    def _user_pool(self, token: str, source_ip: str | None) -> Caller:
        if self.tokens is None:
            raise UNAUTHORIZED
        try:
            return UserPoolCaller(self.tokens.verify(token), source_ip)
        except TokenRefused as why:
            # The client gets AppSync's bare 401; the developer finds the reason here.
            logger.info("user pool token refused: %s", why)
            raise UNAUTHORIZED from None

    def _iam(self, signed: SignedRequest | None, source_ip: str | None) -> Caller:
        if self.iam is None or signed is None:
            raise Refused(403, sigv4.UNRECOGNIZED_CLIENT, sigv4.UNKNOWN_KEY)
        try:
            sigv4.verify(signed, self.iam)
        except SignatureRefused as refusal:
            raise Refused(refusal.status, refusal.error_type, refusal.message) from None
        return IamCaller(self.iam, source_ip)

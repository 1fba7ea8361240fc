"""AppSync's check of a Cognito user pool token, played locally: the token in `Authorization`
must be a JWT signed by one of the pool's keys (its JWKS, which the embedded AWS publishes at
`/<poolId>/.well-known/jwks.json`), issued by the pool, not expired, an ID or access token,
and for the pool's app client (`aud` of an ID token, `client_id` of an access token). AWS
describes these checks in "Verifying a JSON web token" (Amazon Cognito Developer Guide,
https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-tokens-verifying-a-jwt.html).

JWT parsing and the signature are joserfc's (the JOSE library moto signs the tokens with).

The email: Amplify v6 sends the access token, which carries no email and whose `username`
is the user's `sub` when email is the username attribute. In the cloud the email is added
to the access token by the pool's pre-token-generation trigger; locally the verified claims
of an access token get the user's `email` from the pool (AdminGetUser, cached), so the
Lambda sees the same claims in both places."""

import json
import threading
import time
import urllib.request
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from api.emulator.user_pool import LocalUserPool
from resolvers.definitions.claims import EMAIL_ATTRIBUTE, EMAIL_CLAIM

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

ID_TOKEN, ACCESS_TOKEN = "id", "access"  # `token_use` values, not secrets
TOKEN_USES = frozenset({ID_TOKEN, ACCESS_TOKEN})
# How long a looked-up email is reused: a changed email shows within this time.
EMAIL_CACHE_SECONDS = 60.0
# Tokens whose signature was checked, kept so that a client's every request does not pay an
# RSA verification again (a token is reused for its hour); emptied when full.
VERIFIED_TOKENS_KEPT = 1024
_JWKS_TIMEOUT_SECONDS = 5.0


class TokenRefused(Exception):
    """The token is not one AppSync would accept from this pool; the message says why (for
    the server's log: the client only gets AppSync's 401)."""


def fetch_jwks(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=_JWKS_TIMEOUT_SECONDS) as response:  # noqa: S310  # our own loopback endpoint
        keys: dict[str, Any] = json.loads(response.read())
        return keys


class UserPoolTokens:
    def __init__(
        self,
        pool: LocalUserPool,
        cognito: "CognitoIdentityProviderClient",
        *,
        jwks: Callable[[str], dict[str, Any]] = fetch_jwks,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.pool = pool
        self._cognito = cognito
        self._jwks = jwks
        self._clock = clock
        self._keys: KeySet | None = None
        self._emails: dict[str, tuple[float, str | None]] = {}
        self._verified: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def verify(self, token: str) -> dict[str, Any]:
        """The token's claims (an access token's with the user's email); TokenRefused when
        AppSync would refuse it."""
        token = token.strip().removeprefix("Bearer ").strip()
        with self._lock:
            known = self._verified.get(token)
        if known is None:
            known = self._decoded(token)
        # Every check but the signature's is cheap, and expiry changes: each time.
        self._check(known)
        with self._lock:
            if len(self._verified) >= VERIFIED_TOKENS_KEPT:
                self._verified.clear()
            self._verified[token] = known
        claims = dict(known)
        if claims["token_use"] == ACCESS_TOKEN and EMAIL_CLAIM not in claims:
            email = self._email(str(claims.get("username", claims.get("sub", ""))))
            if email is not None:
                claims[EMAIL_CLAIM] = email
        return claims

    def _decoded(self, token: str) -> dict[str, Any]:
        for refresh in (False, True):
            try:
                decoded = jwt.decode(token, self._key_set(refresh), algorithms=["RS256"])
            except JoseError as error:
                # An unknown key id may be a rotated key: read the JWKS once more.
                if refresh or "kid" not in str(error).lower():
                    raise TokenRefused(f"not a token of this pool: {error}") from None
                continue
            except ValueError as error:
                raise TokenRefused(f"not a JWT: {error}") from None
            return dict(decoded.claims)
        raise TokenRefused("no key of this pool signed it")

    def _key_set(self, refresh: bool) -> KeySet:
        with self._lock:
            if self._keys is None or refresh:
                self._keys = KeySet.import_key_set(self._jwks(self.pool.jwks_url))  # type: ignore[arg-type]
            return self._keys

    def _check(self, claims: dict[str, Any]) -> None:
        if claims.get("iss") != self.pool.issuer:
            raise TokenRefused(f"issued by {claims.get('iss')!r}, not {self.pool.issuer!r}")
        expires = claims.get("exp")
        if not isinstance(expires, int | float) or expires <= self._clock():
            raise TokenRefused("expired")
        use = claims.get("token_use")
        if use not in TOKEN_USES:
            raise TokenRefused(f"token_use {use!r} is neither id nor access")
        client = claims.get("aud" if use == ID_TOKEN else "client_id")
        if client != self.pool.client_id:
            raise TokenRefused(f"for client {client!r}, not the pool's app client")

    def _email(self, username: str) -> str | None:
        now = self._clock()
        with self._lock:
            cached = self._emails.get(username)
        if cached is not None and now - cached[0] < EMAIL_CACHE_SECONDS:
            return cached[1]
        try:
            attributes = self._cognito.admin_get_user(
                UserPoolId=self.pool.user_pool_id, Username=username
            ).get("UserAttributes", [])
        except self._cognito.exceptions.UserNotFoundException:
            # A deleted user's token stays valid until it expires, as in the cloud; it
            # names no email then (the trigger would have added it at sign-in).
            attributes = []
        email = next((a["Value"] for a in attributes if a["Name"] == EMAIL_ATTRIBUTE), None)
        with self._lock:
            self._emails[username] = (now, email)
        return email

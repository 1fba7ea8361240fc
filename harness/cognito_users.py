"""A throwaway user of a user pool, for the e2e suite against a stage whose callers sign in
with Cognito (prod; locally `orders serve --mfa`): created with admin calls, signed in with
its password and a TOTP code computed here, deleted afterwards.

The calls, and the challenges a pool that requires TOTP MFA answers with:
- AdminCreateUser (no invitation email), AdminSetUserPassword with `Permanent` (no
  NEW_PASSWORD_REQUIRED challenge), AdminAddUserToGroup;
- InitiateAuth (USER_PASSWORD_AUTH) answers MFA_SETUP for a user with no MFA yet:
  AssociateSoftwareToken gives the secret, VerifySoftwareToken takes a first code, and
  RespondToAuthChallenge(MFA_SETUP) returns the tokens; a user with TOTP set up gets
  SOFTWARE_TOKEN_MFA, answered with a code
  (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_InitiateAuth.html,
  https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-mfa-totp.html);
- AdminDeleteUser."""

import secrets
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import boto3

from harness.api_target import SignedInApi, UserPoolTarget
from harness.totp import STEP_SECONDS, totp

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

# Cognito refuses a TOTP code already used; the next sign-in waits for a new step.
_NEXT_STEP_MARGIN_SECONDS = 1.0


class SignInError(Exception):
    """The pool answered with a challenge this harness does not answer."""


@dataclass
class TotpDevice:
    """The user's authenticator: the secret and the last step whose code was used."""

    secret: str = ""
    last_step: int = -1

    def code(self) -> str:
        step = int(time.time() // STEP_SECONDS)
        if step <= self.last_step:
            time.sleep(
                (self.last_step + 1) * STEP_SECONDS - time.time() + _NEXT_STEP_MARGIN_SECONDS
            )
            step = int(time.time() // STEP_SECONDS)
        self.last_step = step
        return totp(self.secret, step * STEP_SECONDS)


@dataclass(frozen=True)
class ThrowawayUser:
    email: str
    password: str
    device: TotpDevice
    # The tokens of its first sign-in (AccessToken, IdToken, RefreshToken, ...).
    tokens: dict[str, Any]

    @property
    def access_token(self) -> str:
        """What Amplify v6 sends AppSync in `Authorization`."""
        return str(self.tokens["AccessToken"])


def new_password() -> str:
    """A password any Cognito password policy accepts: 24 characters of every class."""
    return f"Aa1!{secrets.token_urlsafe(15)}"


def sign_in(
    cognito: "CognitoIdentityProviderClient",
    client_id: str,
    email: str,
    password: str,
    device: TotpDevice,
) -> dict[str, Any]:
    """The tokens of a USER_PASSWORD_AUTH sign-in, setting TOTP up first if the pool asks."""
    answer: Any = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": password},
    )
    for _ in range(3):
        if "AuthenticationResult" in answer:
            return dict(answer["AuthenticationResult"])
        challenge = answer.get("ChallengeName")
        if challenge == "MFA_SETUP":
            associated: Any = cognito.associate_software_token(Session=answer["Session"])
            device.secret = associated["SecretCode"]
            verified = cognito.verify_software_token(
                Session=associated["Session"], UserCode=device.code(), FriendlyDeviceName="e2e"
            )
            if verified["Status"] != "SUCCESS":
                raise SignInError(f"the pool did not accept the TOTP set-up: {verified}")
            responses = {"USERNAME": email}
            session = verified["Session"]
        elif challenge == "SOFTWARE_TOKEN_MFA":
            responses = {"USERNAME": email, "SOFTWARE_TOKEN_MFA_CODE": device.code()}
            session = answer["Session"]
        else:
            raise SignInError(f"unexpected challenge {challenge!r}")
        answer = cognito.respond_to_auth_challenge(
            ClientId=client_id,
            ChallengeName=challenge,
            Session=session,
            ChallengeResponses=responses,
        )
    raise SignInError(f"still challenged after three answers: {answer.get('ChallengeName')}")


@contextmanager
def throwaway_user(
    cognito: "CognitoIdentityProviderClient",
    user_pool_id: str,
    client_id: str,
    group: str,
) -> Iterator[ThrowawayUser]:
    """A confirmed user in `group`, signed in, for as long as the block runs."""
    email = f"e2e-{uuid.uuid4().hex[:12]}@example.com"
    password = new_password()
    cognito.admin_create_user(
        UserPoolId=user_pool_id,
        Username=email,
        UserAttributes=[
            {"Name": "email", "Value": email},
            {"Name": "email_verified", "Value": "true"},
        ],
        MessageAction="SUPPRESS",
    )
    try:
        cognito.admin_set_user_password(
            UserPoolId=user_pool_id, Username=email, Password=password, Permanent=True
        )
        cognito.admin_add_user_to_group(UserPoolId=user_pool_id, Username=email, GroupName=group)
        device = TotpDevice()
        tokens = sign_in(cognito, client_id, email, password, device)
        yield ThrowawayUser(email, password, device, tokens)
    finally:
        cognito.admin_delete_user(UserPoolId=user_pool_id, Username=email)


def cognito_client(target: UserPoolTarget) -> "CognitoIdentityProviderClient":
    """Cognito's API for the target's pool: AWS with the caller's own credentials (the
    admin calls need cognito-idp:Admin* on the pool), or a local endpoint, which takes any."""
    local = "local" if target.cognito_endpoint else None
    client: CognitoIdentityProviderClient = boto3.client(
        "cognito-idp",
        region_name=target.region,
        endpoint_url=target.cognito_endpoint,
        aws_access_key_id=local,
        aws_secret_access_key=local,
    )
    return client


def local_cognito(pool: Mapping[str, str]) -> "CognitoIdentityProviderClient":
    """Cognito's API of the emulator's pool, from the `cognito` of its /health (the embedded
    AWS takes any credentials)."""
    local = "local"
    client: CognitoIdentityProviderClient = boto3.client(
        "cognito-idp",
        endpoint_url=pool["endpoint"],
        region_name=pool["region"],
        aws_access_key_id=local,
        aws_secret_access_key=local,
    )
    return client


@contextmanager
def signed_in_api(target: UserPoolTarget, group: str) -> Iterator[SignedInApi]:
    """The target's API called as a throwaway user of `group`, deleted afterwards."""
    cognito = cognito_client(target)
    with throwaway_user(cognito, target.user_pool_id, target.client_id, group) as user:
        yield SignedInApi(target.graphql_url, user.access_token, user.email)

"""One Cognito behaviour moto lacks, added to the embedded AWS: a pool that requires MFA
answers a password sign-in (USER_PASSWORD_AUTH) of a user with no MFA set up with the
MFA_SETUP challenge, not with tokens. "If MFA is required, users who don't have at least one
of the MFA methods set up are presented with an MFA_SETUP challenge" (ChallengeName in
https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_InitiateAuth.html).
moto does so for SRP only; the e2e suite's sign-in against prod (harness/cognito_users.py)
uses the password flow, and runs locally against `orders serve --mfa` through this.

The set-up that follows (AssociateSoftwareToken and VerifySoftwareToken with the session,
then RespondToAuthChallenge(MFA_SETUP)) is moto's own."""

import uuid
from typing import Any

from moto.cognitoidp.models import CognitoIdpBackend

# Names of a flow and of an MFA type in Cognito's API, not secrets.
_PASSWORD_AUTH = "USER_PASSWORD_AUTH"  # noqa: S105
_SOFTWARE_TOKEN = "SOFTWARE_TOKEN_MFA"  # noqa: S105
_installed: list[bool] = []


def require_mfa_setup_on_password_sign_in() -> None:
    """Wrap moto's InitiateAuth once per process (the embedded AWS runs in this one)."""
    if _installed:
        return
    moto_initiate_auth = CognitoIdpBackend.initiate_auth

    def initiate_auth(
        backend: CognitoIdpBackend,
        client_id: str,
        auth_flow: str,
        auth_parameters: dict[str, str],
    ) -> dict[str, Any]:
        # moto checks the password and the user's state first; its unused tokens expire.
        answer = moto_initiate_auth(backend, client_id, auth_flow, auth_parameters)
        if str(auth_flow) != _PASSWORD_AUTH or "AuthenticationResult" not in (answer or {}):
            return answer
        pool = next(p for p in backend.user_pools.values() if client_id in p.clients)
        username = auth_parameters["USERNAME"]
        user = backend.admin_get_user(pool.id, username)
        needs_setup = pool.mfa_config == "ON" and not (
            user.token_verified or user.software_token_mfa_enabled or user.sms_mfa_enabled
        )
        if not needs_setup:
            return answer
        session = str(uuid.uuid4())
        backend.sessions[session] = (username, pool)
        return {
            "ChallengeName": "MFA_SETUP",
            "ChallengeParameters": {"MFAS_CAN_SETUP": [_SOFTWARE_TOKEN]},
            "Session": session,
        }

    CognitoIdpBackend.initiate_auth = initiate_auth  # type: ignore[method-assign, assignment]
    _installed.append(True)

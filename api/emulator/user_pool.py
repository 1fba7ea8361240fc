"""The local Cognito user pool: created in the embedded AWS (moto's cognito-idp) with the
settings of the stack's pool (infra/users.py), so a frontend signs in locally exactly as
against prod. Everything here is a boto3 call against the AWS endpoint: it works the same
whether moto runs in this process or in another one.

The pool and its app client are found by name, so a restart with the same data directory
serves the same pool id and client id (moto's state, pool included, is kept there:
api/emulator/persistence.py)."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from resolvers.definitions import access
from resolvers.definitions.resources import LOCAL_STAGE, ResourceNames

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_cognito_idp.type_defs import PasswordPolicyTypeTypeDef

CLIENT_NAME = f"{ResourceNames(LOCAL_STAGE).user_pool}-client"
# As infra/users.py: accounts are made by an administrator, email is the username, and the
# password policy and auth flows are prod's (tests/infra/test_users.py compares them with
# the synthesized template).
PASSWORD_POLICY: "PasswordPolicyTypeTypeDef" = {
    "MinimumLength": 12,
    "RequireLowercase": True,
    "RequireUppercase": True,
    "RequireNumbers": True,
    "RequireSymbols": True,
    "TemporaryPasswordValidityDays": 3,
}
# A public client, as the stack's: no secret, SRP for browsers, password auth for CLIs.
AUTH_FLOWS = ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


@dataclass(frozen=True)
class LocalUserPool:
    region: str
    user_pool_id: str
    client_id: str
    # The embedded AWS: what Amplify's `Auth.Cognito.userPoolEndpoint` takes.
    endpoint: str

    @property
    def issuer(self) -> str:
        """The `iss` of the pool's tokens, as Cognito (and moto) write it."""
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.user_pool_id}"

    @property
    def jwks_url(self) -> str:
        # Cognito publishes the keys under the issuer; moto under its own endpoint.
        return f"{self.endpoint}/{self.user_pool_id}/.well-known/jwks.json"

    def describe(self) -> dict[str, str]:
        """What /health tells a frontend: Amplify's `Auth.Cognito` settings."""
        return {
            "region": self.region,
            "userPoolId": self.user_pool_id,
            "userPoolClientId": self.client_id,
            "endpoint": self.endpoint,
        }


def provision_user_pool(
    cognito: "CognitoIdentityProviderClient", endpoint: str, region: str, *, mfa: bool
) -> LocalUserPool:
    """Create the pool, the access policy's groups and the app client where missing; set
    MFA as asked (required software-token MFA with `mfa`, off without), on every start."""
    name = ResourceNames(LOCAL_STAGE).user_pool
    pool_id = (
        _find_pool(cognito, name)
        or cognito.create_user_pool(
            PoolName=name,
            UsernameAttributes=["email"],
            AutoVerifiedAttributes=["email"],
            Policies={"PasswordPolicy": PASSWORD_POLICY},
            AdminCreateUserConfig={"AllowAdminCreateUserOnly": True},
            AccountRecoverySetting={
                "RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]
            },
        )["UserPool"]["Id"]
    )
    if mfa:
        cognito.set_user_pool_mfa_config(
            UserPoolId=pool_id,
            SoftwareTokenMfaConfiguration={"Enabled": True},
            MfaConfiguration="ON",
        )
    else:
        cognito.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="OFF")
    existing = {g["GroupName"] for g in cognito.list_groups(UserPoolId=pool_id)["Groups"]}
    for group in access.GROUPS:  # the access policy's, as the stack creates them
        if group not in existing:
            cognito.create_group(UserPoolId=pool_id, GroupName=group)
    client_id = (
        _find_client(cognito, pool_id)
        or cognito.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName=CLIENT_NAME,
            GenerateSecret=False,
            ExplicitAuthFlows=AUTH_FLOWS,  # type: ignore[arg-type]
            PreventUserExistenceErrors="ENABLED",
        )["UserPoolClient"]["ClientId"]
    )
    return LocalUserPool(region, pool_id, client_id, endpoint)


def _find_pool(cognito: "CognitoIdentityProviderClient", name: str) -> str | None:
    pages = cognito.get_paginator("list_user_pools").paginate(PaginationConfig={"PageSize": 60})
    for page in pages:
        for pool in page["UserPools"]:
            if pool.get("Name") == name:
                return pool["Id"]
    return None


def _find_client(cognito: "CognitoIdentityProviderClient", pool_id: str) -> str | None:
    clients = cognito.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)
    for client in clients["UserPoolClients"]:
        if client.get("ClientName") == CLIENT_NAME:
            return client["ClientId"]
    return None

"""`make e2e-cloud STAGE=prod`'s sign-in, run here against `orders serve --mfa`: prod's
outputs name a user pool and no API key, so the suite creates a throwaway `supervisores` user
with admin calls, signs it in answering the TOTP MFA its pool requires with codes computed
in the test, calls the API with its access token and deletes it afterwards. The emulator's
pool requires TOTP as prod's does (infra/users.py); its /health names the pool as prod's
stack outputs do, and its embedded AWS stands in for Cognito.

Cognito's side: MFA_SETUP then SOFTWARE_TOKEN_MFA ("TOTP software token MFA",
https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-mfa-totp.html);
a wrong code is CodeMismatchException (RespondToAuthChallenge errors,
https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_RespondToAuthChallenge.html)."""

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError

from harness.api_target import (
    ENV_COGNITO_ENDPOINT,
    ENV_OUTPUTS,
    UserPoolTarget,
    deployed_api,
)
from harness.cognito_users import cognito_client, sign_in, signed_in_api, throwaway_user
from harness.totp import STEP_SECONDS, totp
from resolvers.definitions.access import SUPERVISORES, TECNICOS
from tests.e2e.conftest import DEPLOYED_USER_GROUP, Emulator, running_emulator
from tests.e2e.orders_api import FUTURE_DATE

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.emulator_only("starts its own emulator with a pool that requires MFA"),
]

CREATE = """
mutation Create($input: CreateOrderInput!) {
  createOrder(input: $input) { id creado_por }
}"""
CANCEL = """
mutation Cancel($id: ID!, $motivo: String) {
  updateOrderState(id: $id, estado: cancelada, motivo: $motivo) {
    estado historial { estado por motivo }
  }
}"""


@pytest.fixture(scope="module")
def mfa_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    yield from running_emulator(tmp_path_factory, {"ORDERS_MFA": "1"})


@pytest.fixture(scope="module")
def target(mfa_emulator: Emulator, tmp_path_factory: pytest.TempPathFactory) -> UserPoolTarget:
    """What `make e2e-cloud STAGE=prod` reads: the outputs file of a prod deploy (API URL,
    pool and client, no key), here naming the emulator and its pool."""
    pool = httpx.get(f"{mfa_emulator.url}/health").json()["cognito"]
    outputs = tmp_path_factory.mktemp("outputs") / "outputs-prod.json"
    stack = {
        "GraphqlUrl": mfa_emulator.graphql_url,
        "UserPoolId": pool["userPoolId"],
        "UserPoolClientId": pool["userPoolClientId"],
    }
    outputs.write_text(json.dumps({"Orders-prod": stack}), encoding="utf-8")
    found = deployed_api({ENV_OUTPUTS: str(outputs), ENV_COGNITO_ENDPOINT: pool["endpoint"]})
    assert isinstance(found, UserPoolTarget)
    assert found.region == pool["region"]
    return found


def _user_exists(target: UserPoolTarget, email: str) -> bool:
    try:
        cognito_client(target).admin_get_user(UserPoolId=target.user_pool_id, Username=email)
    except ClientError as error:
        if error.response["Error"]["Code"] == "UserNotFoundException":
            return False
        raise
    return True


def test_the_suites_throwaway_user_signs_in_with_totp_calls_the_api_and_is_deleted(
    target: UserPoolTarget,
) -> None:
    # given the signed-in API the e2e fixture hands the suite for a prod stage
    assert DEPLOYED_USER_GROUP == SUPERVISORES
    with signed_in_api(target, DEPLOYED_USER_GROUP) as api:
        assert _user_exists(target, api.email)

        # when it creates and cancels an order with the user's access token
        created: dict[str, Any] = api.data(
            CREATE, {"input": {"descripcion": "e2e-cloud", "fecha_entrega": FUTURE_DATE}}
        )["createOrder"]
        cancelled = api.data(CANCEL, {"id": created["id"], "motivo": "prueba"})

        # then the API names the user by email, as prod's trigger makes its tokens do
        assert created["creado_por"] == api.email
        order = cancelled["updateOrderState"]
        assert order["estado"] == "cancelada"
        assert order["historial"][-1] == {
            "estado": "cancelada",
            "por": api.email,
            "motivo": "prueba",
        }
        # and no key was sent: the token alone authorized the calls
        assert set(api.credentials()) == {"Authorization"}

    # and the user is gone afterwards
    assert not _user_exists(target, api.email)


def test_a_user_with_totp_set_up_is_challenged_for_a_code_and_a_wrong_one_is_refused(
    target: UserPoolTarget,
) -> None:
    cognito = cognito_client(target)
    with throwaway_user(cognito, target.user_pool_id, target.client_id, TECNICOS) as user:
        # given a user whose first sign-in set TOTP up (MFA_SETUP)
        assert user.device.secret

        # when it signs in again with its password alone
        challenged = cognito.initiate_auth(
            ClientId=target.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": user.email, "PASSWORD": user.password},
        )

        # then the pool asks for a code, refuses a wrong one
        assert challenged["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
        with pytest.raises(ClientError) as refused:
            cognito.respond_to_auth_challenge(
                ClientId=target.client_id,
                ChallengeName="SOFTWARE_TOKEN_MFA",
                Session=challenged["Session"],
                ChallengeResponses={
                    "USERNAME": user.email,
                    "SOFTWARE_TOKEN_MFA_CODE": _other_code(user.device.secret),
                },
            )
        assert refused.value.response["Error"]["Code"] == "CodeMismatchException"
        # and takes the code of the next time step, computed here
        tokens = sign_in(cognito, target.client_id, user.email, user.password, user.device)
        assert tokens["AccessToken"] != user.access_token


def _other_code(secret: str) -> str:
    """A six-digit code that is not the current one (nor the previous or next)."""

    near = {totp(secret, time.time() + k * STEP_SECONDS) for k in (-1, 0, 1)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in near)


def test_an_outputs_file_path_is_what_make_e2e_cloud_passes(tmp_path: Path) -> None:
    # `make e2e-cloud STAGE=prod` sets ORDERS_E2E_OUTPUTS=cdk.out/outputs-prod.json
    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text(encoding="utf-8")
    assert "ORDERS_E2E_OUTPUTS=cdk.out/outputs-$(STAGE).json" in makefile

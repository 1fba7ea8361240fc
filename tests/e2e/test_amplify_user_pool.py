"""A frontend signing in: an unchanged Amplify JS v6 app (`aws-amplify`, pinned in
package.json) configured with `Auth.Cognito` from the emulator's /health, against the local
user pool (users made with `orders users add`), calling the API with authMode "userPool" over
HTTPS and the real-time protocol (TLS mode: Amplify always opens wss://<host>/graphql/realtime
for a custom domain).

AWS behaviour asserted, cited:
- Amplify's SRP and USER_PASSWORD_AUTH flows against a user pool app client that allows
  them ("User pool authentication flow",
  https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-authentication-flow.html);
- AppSync accepts the user pool's access token in `Authorization` for queries, mutations and
  subscriptions ("Configuring authorization and authentication to secure your GraphQL APIs",
  AMAZON_COGNITO_USER_POOLS, https://docs.aws.amazon.com/appsync/latest/devguide/security-authz.html);
- a tecnico may not cancel: the resolver's `Unauthorized` error, nothing written, no message
  (resolvers/definitions/access.py; errors as `util.error` raises them,
  https://docs.aws.amazon.com/appsync/latest/devguide/resolver-util-reference-js.html);
- TOTP MFA required: MFA_SETUP at the first sign-in, then SOFTWARE_TOKEN_MFA
  ("Adding MFA to a user pool", TOTP software token MFA,
  https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-mfa-totp.html)."""

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from harness.serve_process import PROJECT_ROOT
from tests.e2e.amplify_app import run_amplify_app
from tests.e2e.conftest import Emulator, running_emulator

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.emulator_only("the emulator's own user pool, in TLS mode"),
]

SCRIPT = "amplify_user_pool.mjs"
NODE_SECONDS = 120
PASSWORD = "Local-passw0rd!"


def health(emulator: Emulator) -> dict[str, Any]:
    details: dict[str, Any] = httpx.get(f"{emulator.url}/health", verify=emulator.verify()).json()
    return details


def orders_users(emulator: Emulator, *args: str) -> subprocess.CompletedProcess[str]:
    """`orders users` as a developer runs it beside `make serve`: found by its data directory."""
    return subprocess.run(  # noqa: S603  # the project's own command, fixed arguments
        [
            sys.executable,
            "-m",
            "api.cli",
            "users",
            "--data-dir",
            health(emulator)["data_dir"],
            *args,
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def run_amplify(emulator: Emulator, scenario: str, **users: str) -> dict[str, Any]:
    marker = f"cognito {uuid.uuid4().hex[:6]}"
    variables = {
        "ORDERS_HEALTH": json.dumps(health(emulator)),
        "ORDERS_API_KEY": emulator.api_key,
        "ORDERS_MARKER": marker,
        "ORDERS_PASSWORD": PASSWORD,
        "ORDERS_SCENARIO": scenario,
        **{f"ORDERS_{role.upper()}": email for role, email in users.items()},
    }
    report = run_amplify_app(SCRIPT, emulator, variables, timeout=NODE_SECONDS)
    report["marker"] = marker
    return report


@pytest.fixture(scope="module")
def flows_report(tls_emulator: Emulator) -> dict[str, Any]:
    suffix = uuid.uuid4().hex[:6]
    tecnico, supervisor = f"teo-{suffix}@example.com", f"sara-{suffix}@example.com"
    for email, group in ((tecnico, "tecnicos"), (supervisor, "supervisores")):
        added = orders_users(tls_emulator, "add", email, "--password", PASSWORD, "--group", group)
        assert added.returncode == 0, added.stderr
    report = run_amplify(tls_emulator, "flows", tecnico=tecnico, supervisor=supervisor)
    report["tecnico"], report["supervisor"] = tecnico, supervisor
    return report


def test_amplify_signs_in_with_srp_and_with_user_password_auth(
    flows_report: dict[str, Any],
) -> None:
    assert flows_report["tecnicoSignIn"]["isSignedIn"] is True
    assert flows_report["supervisorSignIn"]["isSignedIn"] is True
    assert flows_report["authFlows"] == ["USER_SRP_AUTH", "USER_PASSWORD_AUTH"]


def test_a_signed_in_user_creates_and_pages(flows_report: dict[str, Any]) -> None:
    marker = flows_report["marker"]
    assert flows_report["created"]["descripcion"] == f"{marker} uno"
    first, second = flows_report["pages"]
    assert [o["descripcion"] for o in first["items"]] == [f"{marker} uno", f"{marker} dos"]
    assert [o["descripcion"] for o in second["items"]] == [f"{marker} tres"]
    assert second["nextToken"] is None


def test_a_signed_in_user_subscribes(flows_report: dict[str, Any]) -> None:
    assert flows_report["subscription"]["descripcion"] == f"{flows_report['marker']} ajena"


def test_a_tecnico_cannot_cancel_and_nothing_is_written(
    flows_report: dict[str, Any], tls_emulator: Emulator
) -> None:
    error = flows_report["tecnicoCancel"]["error"]
    assert error["errorType"] == "Unauthorized"
    assert "supervisores" in error["message"]
    assert flows_report["afterTecnico"] == {
        "id": flows_report["created"]["id"],
        "estado": "recibida",
        "version": 1,
    }


def test_a_supervisor_cancels_and_one_message_says_so(
    flows_report: dict[str, Any], tls_emulator: Emulator
) -> None:
    order_id = flows_report["created"]["id"]
    assert flows_report["supervisorCancel"]["ok"] == {
        "id": order_id,
        "estado": "cancelada",
        "version": 2,
    }
    drained = tls_emulator.orders_cli("--drain", "cancelada").stdout.splitlines()
    bodies = [json.loads(line)["body"] for line in drained if line.strip()]
    # The order itself, or inside the versioned envelope.
    cancelled = [b for b in bodies if b.get("order", b).get("id") == order_id]
    # The tecnico's refused attempt published nothing; the supervisor's, one message.
    assert len(cancelled) == 1


def test_orders_users_lists_each_user_with_its_group(
    flows_report: dict[str, Any], tls_emulator: Emulator
) -> None:
    listed = orders_users(tls_emulator, "list")

    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert f"{flows_report['tecnico']}\tCONFIRMED\ttecnicos" in lines
    assert f"{flows_report['supervisor']}\tCONFIRMED\tsupervisores" in lines


def test_orders_users_refuses_a_group_outside_the_policy(tls_emulator: Emulator) -> None:
    refused = orders_users(
        tls_emulator, "add", "x@example.com", "--password", PASSWORD, "--group", "jefes"
    )

    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        "orders users: no group jefes in the pool; its groups: supervisores, tecnicos"
    )


@pytest.fixture(scope="module")
def mfa_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    yield from running_emulator(
        tmp_path_factory,
        {"ORDERS_TLS": "1", "ORDERS_MFA": "1"},
        data_dir=tmp_path_factory.mktemp("orders-mfa"),
    )


def test_with_mfa_a_user_sets_up_totp_then_signs_in_with_a_code(mfa_emulator: Emulator) -> None:
    email = f"mfa-{uuid.uuid4().hex[:6]}@example.com"
    added = orders_users(mfa_emulator, "add", email, "--password", PASSWORD)
    assert added.returncode == 0, added.stderr

    report = run_amplify(mfa_emulator, "mfa", tecnico=email)

    assert report["firstStep"] == "CONTINUE_SIGN_IN_WITH_TOTP_SETUP"
    assert report["setUp"]["isSignedIn"] is True
    assert report["secondStep"] == "CONFIRM_SIGN_IN_WITH_TOTP_CODE"
    assert report["confirmed"]["isSignedIn"] is True
    assert report["created"]["estado"] == "recibida"

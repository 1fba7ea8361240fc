"""A real client: an unchanged Amplify JS v6 app (`aws-amplify`, pinned in package.json) run
by Node against the emulator in TLS mode, trusting the emulator's CA through
NODE_EXTRA_CA_CERTS as docs/frontends.md tells a Node app to. Amplify always opens
wss://<host>/graphql/realtime for a custom domain (api-graphql, AWSWebSocketProvider/
appsyncUrl.ts), so its subscriptions need TLS mode and the real-time protocol."""

import uuid
from typing import Any

import pytest

from tests.e2e.amplify_app import run_amplify_app
from tests.e2e.conftest import Emulator

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.emulator_only("the emulator in TLS mode, trusted through its own CA"),
]

SCRIPT = "amplify_client.mjs"
NODE_SECONDS = 90


@pytest.fixture(scope="module")
def amplify_report(tls_emulator: Emulator) -> dict[str, Any]:
    marker = f"amplify {uuid.uuid4().hex[:6]}"
    variables = {
        "ORDERS_GRAPHQL": f"{tls_emulator.url}/graphql",
        "ORDERS_API_KEY": tls_emulator.api_key,
        "ORDERS_MARKER": marker,
    }
    report = run_amplify_app(SCRIPT, tls_emulator, variables, timeout=NODE_SECONDS)
    report["marker"] = marker
    return report


def test_amplify_creates_with_variables(amplify_report: dict[str, Any]) -> None:
    created = amplify_report["created"]
    assert created["descripcion"] == f"{amplify_report['marker']} uno"
    assert created["estado"] == "recibida"
    assert created["version"] == 1


def test_amplify_pages_with_next_token(amplify_report: dict[str, Any]) -> None:
    first, second = amplify_report["pages"]
    marker = amplify_report["marker"]
    assert [o["descripcion"] for o in first["items"]] == [f"{marker} uno", f"{marker} dos"]
    assert first["nextToken"]
    assert [o["descripcion"] for o in second["items"]] == [f"{marker} tres"]
    assert second["nextToken"] is None


def test_an_illegal_transition_reaches_amplify_as_invalid_transition(
    amplify_report: dict[str, Any],
) -> None:
    assert amplify_report["illegal"]["error"]["errorType"] == "InvalidTransition"


def test_a_wrong_key_reaches_amplify_as_unauthorized_exception(
    amplify_report: dict[str, Any],
) -> None:
    # Amplify names the failure after the x-amzn-ErrorType header of the 401 and then
    # rewrites the message to "Unauthorized" (api-graphql, utils/errors/repackageAuthError.ts).
    error = amplify_report["wrongKey"]["error"]
    assert error["originalErrorName"] == "UnauthorizedException"
    assert error["message"] == "Unauthorized"


def test_an_amplify_subscription_receives_an_order_another_client_created(
    amplify_report: dict[str, Any],
) -> None:
    assert amplify_report["otherClientStatus"] == 200
    received = amplify_report["subscription"]
    assert received["descripcion"] == f"{amplify_report['marker']} ajena"
    assert received["estado"] == "recibida"


def test_a_subscription_with_a_wrong_key_fails_without_retrying(
    amplify_report: dict[str, Any],
) -> None:
    # connection_error with errorCode 401 is non-retryable for Amplify: the observer gets
    # "Connection failed: <errorType>" (AWSWebSocketProvider._establishConnection).
    refused = amplify_report["wrongKeySubscription"]
    assert refused["message"] == "Connection failed: UnauthorizedException"

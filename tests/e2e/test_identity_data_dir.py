"""The sign-in side of the data directory: a restart serves the same user pool, app client,
users and IAM keys, so a frontend's configuration and a service's profile keep working."""

import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest

from harness.serve_process import PROJECT_ROOT, ServeProcess

pytestmark = [pytest.mark.e2e, pytest.mark.emulator_only("the emulator's data directory")]

PASSWORD = "Local-passw0rd!"
EMAIL = "sara@example.com"


def _start(data_dir: Path, log: Path, ports: tuple[int, int] | None = None) -> ServeProcess:
    process = ServeProcess(
        api_key=None, cache_ttl_seconds=0, log=log, data_dir=data_dir, ports=ports
    )
    process.wait_healthy()
    return process


def _health(process: ServeProcess) -> dict[str, Any]:
    details: dict[str, Any] = httpx.get(f"http://{process.host}:{process.port}/health").json()
    return details


def _access_token(cognito: dict[str, str]) -> str:
    client = boto3.client(
        "cognito-idp",
        endpoint_url=cognito["endpoint"],
        region_name=cognito["region"],
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    result = client.initiate_auth(
        ClientId=cognito["userPoolClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": EMAIL, "PASSWORD": PASSWORD},
    )
    return str(result["AuthenticationResult"]["AccessToken"])


def test_a_restart_keeps_the_user_pool_its_users_and_the_iam_keys(tmp_path: Path) -> None:
    # given a server whose pool has a user, made with `orders users add`
    data_dir = tmp_path / "data"
    first = _start(data_dir, tmp_path / "first.log")
    before = _health(first)
    added = subprocess.run(  # noqa: S603  # the project's own command, fixed arguments
        [
            *(sys.executable, "-m", "api.cli", "users", "--data-dir", str(data_dir)),
            *("add", EMAIL, "--password", PASSWORD, "--group", "supervisores"),
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert added.returncode == 0, added.stderr
    assert first.stop() == 0, first.log.read_text()

    # when it starts again on the same directory and ports
    second = _start(data_dir, tmp_path / "second.log", ports=(first.port, first.aws_port))
    try:
        after = _health(second)
        # then the pool, its client and the IAM keys are the same
        assert after["cognito"] == before["cognito"]
        assert after["iam"] == before["iam"]
        # and the user signs in, and the API takes the token
        token = _access_token(after["cognito"])
        response = httpx.post(
            f"http://{second.host}:{second.port}/graphql",
            json={"query": '{ getOrder(id: "none") { id } }'},
            headers={"Authorization": token},
        )
        assert response.status_code == 200, response.text
        # and the credentials file is the owner's only
        credentials = Path(after["iam"]["credentialsFile"])
        assert credentials.parent == data_dir.resolve()
        assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    finally:
        assert second.stop() == 0, second.log.read_text()

"""Which API the e2e suite drives (harness/api_target.py): the emulator unless the
environment names a deployed one."""

import json
from pathlib import Path

import pytest

from harness.api_target import (
    ENV_COGNITO_ENDPOINT,
    ENV_KEY,
    ENV_OUTPUTS,
    ENV_URL,
    DeployedApi,
    SignedInApi,
    TargetError,
    UserPoolTarget,
    deployed_api,
)

APPSYNC_URL = "https://abc123.appsync-api.eu-west-1.amazonaws.com/graphql"


def _outputs(tmp_path: Path, stacks: dict[str, dict[str, str]]) -> dict[str, str]:
    # the file `cdk deploy --outputs-file` writes: stack name -> output name -> value
    path = tmp_path / "outputs-dev.json"
    path.write_text(json.dumps(stacks), encoding="utf-8")
    return {ENV_OUTPUTS: str(path)}


def test_without_a_deployed_api_the_suite_runs_against_the_emulator() -> None:
    assert deployed_api({}) is None
    assert deployed_api({ENV_URL: "", ENV_OUTPUTS: ""}) is None


def test_url_and_key_from_the_environment_name_the_api() -> None:
    api = deployed_api({ENV_URL: APPSYNC_URL, ENV_KEY: "da2-key"})

    assert api == DeployedApi(APPSYNC_URL, "da2-key")


def test_a_url_without_a_key_is_refused() -> None:
    with pytest.raises(TargetError, match=ENV_KEY):
        deployed_api({ENV_URL: APPSYNC_URL})


@pytest.mark.parametrize(
    "url", ["http://abc123.appsync-api.eu-west-1.amazonaws.com/graphql", "ftp://x/graphql"]
)
def test_the_key_never_travels_in_clear_text_off_this_machine(url: str) -> None:
    with pytest.raises(TargetError, match="https"):
        deployed_api({ENV_URL: url, ENV_KEY: "da2-key"})


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]"])
def test_plain_http_is_accepted_on_loopback(host: str) -> None:
    url = f"http://{host}:8000/graphql"

    assert deployed_api({ENV_URL: url, ENV_KEY: "k"}) == DeployedApi(url, "k")


def test_the_stack_outputs_of_make_deploy_name_the_api(tmp_path: Path) -> None:
    environ = _outputs(
        tmp_path, {"Orders-dev": {"GraphqlUrl": APPSYNC_URL, "ApiKey": "da2-key", "ApiId": "x"}}
    )

    assert deployed_api(environ) == DeployedApi(APPSYNC_URL, "da2-key")


def test_url_and_key_given_directly_win_over_the_outputs_file(tmp_path: Path) -> None:
    environ = _outputs(tmp_path, {"Orders-dev": {"GraphqlUrl": APPSYNC_URL, "ApiKey": "old"}})
    other = "https://other.appsync-api.eu-west-1.amazonaws.com/graphql"

    api = deployed_api({**environ, ENV_URL: other, ENV_KEY: "new"})

    assert api == DeployedApi(other, "new")


def test_prods_outputs_name_its_user_pool_and_client_instead_of_a_key(tmp_path: Path) -> None:
    prod = {"GraphqlUrl": APPSYNC_URL, "UserPoolId": "eu-west-1_Ab12", "UserPoolClientId": "c1"}

    target = deployed_api(_outputs(tmp_path, {"Orders-prod": prod}))

    # The pool's region is the prefix of its id; Cognito is reached in that region.
    assert target == UserPoolTarget(APPSYNC_URL, "eu-west-1", "eu-west-1_Ab12", "c1", None)


def test_a_local_cognito_endpoint_can_stand_in_for_aws(tmp_path: Path) -> None:
    prod = {"GraphqlUrl": APPSYNC_URL, "UserPoolId": "us-east-1_x", "UserPoolClientId": "c"}
    environ = _outputs(tmp_path, {"Orders-prod": prod})

    target = deployed_api({**environ, ENV_COGNITO_ENDPOINT: "http://127.0.0.1:5000"})

    assert isinstance(target, UserPoolTarget)
    assert target.cognito_endpoint == "http://127.0.0.1:5000"


@pytest.mark.parametrize(
    "outputs",
    [
        {"GraphqlUrl": APPSYNC_URL, "UserPoolId": "eu-west-1_x"},
        {"GraphqlUrl": APPSYNC_URL, "UserPoolId": "nopool", "UserPoolClientId": "c"},
        {
            "GraphqlUrl": APPSYNC_URL.replace("https", "http"),
            "UserPoolId": "a_b",
            "UserPoolClientId": "c",
        },
    ],
)
def test_outputs_with_neither_a_key_nor_a_usable_pool_are_refused(
    tmp_path: Path, outputs: dict[str, str]
) -> None:
    with pytest.raises(TargetError):
        deployed_api(_outputs(tmp_path, {"Orders-prod": outputs}))


def test_a_signed_in_api_sends_the_token_and_no_key() -> None:
    api = SignedInApi(APPSYNC_URL, "eyJ.token", "ana@example.com")

    assert api.credentials() == {"Authorization": "eyJ.token"}
    assert DeployedApi(APPSYNC_URL, "da2-key").credentials() == {"x-api-key": "da2-key"}


def test_a_missing_or_ambiguous_outputs_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TargetError, match="cannot read"):
        deployed_api({ENV_OUTPUTS: str(tmp_path / "absent.json")})
    both = {"GraphqlUrl": APPSYNC_URL, "ApiKey": "k"}
    with pytest.raises(TargetError, match="one stack"):
        deployed_api(_outputs(tmp_path, {"Orders-dev": both, "Orders-dev2": both}))

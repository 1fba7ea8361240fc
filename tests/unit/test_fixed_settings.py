"""`make deploy` refuses to change stateShards or queueGroups on a deployed stage, with the
migration each needs, before CloudFormation sees anything. CloudFormation is botocore's
Stubber: the real client, its request and response shapes checked, no network. The calls
and their shapes: DescribeStacks and GetTemplate
(https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStacks.html,
https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_GetTemplate.html);
a stack that does not exist is a ValidationError "Stack with id X does not exist"."""

import json
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from infra.fixed_settings import FixedSettings, main, settings_in
from resolvers.definitions import scale

PROJECT_ROOT = Path(__file__).resolve().parents[2]
STACK = "Orders-prod"


def template(state_shards: int, queue_groups: int) -> dict[str, Any]:
    return {
        "Resources": {
            "Topic": {"Type": "AWS::SNS::Topic", "Properties": {}},
            "Function": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Environment": {
                        "Variables": {
                            "ORDERS_STAGE": "prod",
                            scale.ENV_STATE_SHARDS: str(state_shards),
                            scale.ENV_QUEUE_GROUPS: str(queue_groups),
                        }
                    }
                },
            },
        }
    }


@pytest.fixture
def cloudformation() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client(
        "cloudformation",
        region_name="eu-west-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def deployed(stubber: Stubber, status: str, body: dict[str, Any] | None = None) -> None:
    stubber.add_response(
        "describe_stacks",
        {
            "Stacks": [
                {
                    "StackName": STACK,
                    "StackStatus": status,
                    "CreationTime": datetime(2030, 1, 1, tzinfo=UTC),
                }
            ]
        },
        {"StackName": STACK},
    )
    if body is not None:
        stubber.add_response(
            "get_template",
            {"TemplateBody": json.dumps(body)},
            {"StackName": STACK, "TemplateStage": "Original"},
        )


def run(tmp_path: Path, client: Any, wanted: dict[str, Any], *flags: str) -> int:
    synthesized = tmp_path / "Orders-prod.template.json"
    synthesized.write_text(json.dumps(wanted))
    return main([str(synthesized), "--stack", STACK, *flags], client=client)


def test_the_same_settings_deploy(tmp_path: Path, cloudformation: tuple[Any, Stubber]) -> None:
    client, stubber = cloudformation
    deployed(stubber, "UPDATE_COMPLETE", template(25, 1250))
    assert run(tmp_path, client, template(25, 1250)) == 0


def test_a_stage_never_created_fixes_nothing(
    tmp_path: Path, cloudformation: tuple[Any, Stubber]
) -> None:
    client, stubber = cloudformation
    stubber.add_client_error(
        "describe_stacks",
        service_error_code="ValidationError",
        service_message=f"Stack with id {STACK} does not exist",
        http_status_code=400,
    )
    assert run(tmp_path, client, template(4, 8)) == 0


def test_a_rolled_back_first_create_fixes_nothing(
    tmp_path: Path, cloudformation: tuple[Any, Stubber]
) -> None:
    client, stubber = cloudformation
    deployed(stubber, "ROLLBACK_COMPLETE")
    assert run(tmp_path, client, template(4, 8)) == 0


@pytest.mark.parametrize("fewer_or_more", [1, 50])
def test_a_changed_state_shards_is_refused_with_the_migration(
    tmp_path: Path,
    cloudformation: tuple[Any, Stubber],
    capsys: pytest.CaptureFixture[str],
    fewer_or_more: int,
) -> None:
    client, stubber = cloudformation
    deployed(stubber, "UPDATE_ROLLBACK_COMPLETE", template(25, 1250))
    # when
    refused = run(tmp_path, client, template(fewer_or_more, 1250), "--queues-drained")
    # then: refused whatever the queues' state, saying what a migration needs
    message = capsys.readouterr().err
    assert refused == 1
    assert f"stateShards is 25 on the deployed {STACK} and {fewer_or_more}" in message
    assert f"create a new stage (or table) with stateShards={fewer_or_more}" in message
    assert "-c stateShards=25" in message
    assert "queueGroups is" not in message


def test_a_changed_queue_groups_is_refused_until_the_queues_are_drained(
    tmp_path: Path, cloudformation: tuple[Any, Stubber], capsys: pytest.CaptureFixture[str]
) -> None:
    client, stubber = cloudformation
    deployed(stubber, "UPDATE_COMPLETE", template(25, 1250))
    deployed(stubber, "UPDATE_COMPLETE", template(25, 1250))
    # when / then: refused, naming the migration
    assert run(tmp_path, client, template(25, 2500)) == 1
    message = capsys.readouterr().err
    assert f"queueGroups is 1250 on the deployed {STACK} and 2500" in message
    assert "drain every state queue" in message
    assert "QUEUES_DRAINED=1" in message
    # and allowed once the queues are drained
    assert run(tmp_path, client, template(25, 2500), "--queues-drained") == 0


def test_both_changed_are_both_reported(
    tmp_path: Path, cloudformation: tuple[Any, Stubber], capsys: pytest.CaptureFixture[str]
) -> None:
    client, stubber = cloudformation
    deployed(stubber, "CREATE_COMPLETE", template(1, 1))
    assert run(tmp_path, client, template(4, 8)) == 1
    message = capsys.readouterr().err
    assert "stateShards is 1" in message
    assert "queueGroups is 1" in message


def test_another_cloudformation_error_is_not_taken_for_a_new_stage(
    tmp_path: Path, cloudformation: tuple[Any, Stubber]
) -> None:
    client, stubber = cloudformation
    stubber.add_client_error(
        "describe_stacks", service_error_code="AccessDenied", http_status_code=403
    )
    with pytest.raises(Exception, match="AccessDenied"):
        run(tmp_path, client, template(4, 8))


def test_a_template_without_the_settings_is_not_read_as_defaults() -> None:
    with pytest.raises(ValueError, match="is it the Orders stack"):
        settings_in({"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}})
    assert settings_in(template(3, 7)) == FixedSettings(3, 7)


def test_make_deploy_checks_before_it_deploys_what_it_checked(tmp_path: Path) -> None:
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    dry = subprocess.run(  # noqa: S603  # make, a fixed target of our own Makefile
        [make, "-n", "deploy", "STAGE=prod", f"VENV={tmp_path / 'venv'}"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    synth = next(i for i, line in enumerate(dry) if "cdk synth" in line)
    check = next(i for i, line in enumerate(dry) if "infra.fixed_settings" in line)
    deploy = next(i for i, line in enumerate(dry) if "cdk deploy" in line)
    assert synth < check < deploy
    assert "cdk.out/deploy-prod" in dry[synth]
    assert "--app cdk.out/deploy-prod" in dry[deploy]
    assert "--queues-drained" not in dry[check]

"""SnapStart: on in prod only (context `snapStart` overrides), and AppSync invokes a
published version through the `live` alias whichever the stage, so the same wiring serves
both. SnapStart applies to published versions and aliases only, never to $LATEST:
https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html"""

from typing import Any

import botocore.session
import pytest
from aws_cdk.cx_api import SynthesisMessageLevel

from infra.function import ALIAS
from infra.snapstart_regions import SNAPSTART_PYTHON_REGIONS, SOURCE, offers_snapstart
from tests.infra.conftest import Synth, Synthesized

pytestmark = pytest.mark.infra


def _function(synthesized: Synthesized) -> dict[str, Any]:
    return synthesized.resolver_function()


def test_snapstart_is_on_in_prod_only(dev: Synthesized, prod: Synthesized) -> None:
    assert _function(prod)["Properties"]["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    assert "SnapStart" not in _function(dev)["Properties"]


def test_the_snapstart_context_setting_overrides_the_stage(
    dev_with_settings: Synthesized, prod_with_settings: Synthesized
) -> None:
    on_in_dev, off_in_prod = dev_with_settings, prod_with_settings  # snapStart true, false
    assert _function(on_in_dev)["Properties"]["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    assert "SnapStart" not in _function(off_in_prod)["Properties"]


def test_the_alias_points_at_a_published_version_of_the_function(
    synthesized: Synthesized,
) -> None:
    stack = synthesized.stack
    function = synthesized.logical_id(stack.resolver_function.function.node.default_child)
    alias = synthesized.only("AWS::Lambda::Alias")["Properties"]
    ((version_id, version),) = synthesized.resources("AWS::Lambda::Version").items()
    assert alias["Name"] == ALIAS
    assert alias["FunctionName"] == {"Ref": function}
    assert alias["FunctionVersion"] == {"Fn::GetAtt": [version_id, "Version"]}
    assert version["Properties"]["FunctionName"] == {"Ref": function}


def test_appsync_data_source_invokes_the_alias(synthesized: Synthesized) -> None:
    alias = synthesized.logical_id(synthesized.stack.resolver_function.alias.node.default_child)
    source = synthesized.only("AWS::AppSync::DataSource")["Properties"]
    assert source["Type"] == "AWS_LAMBDA"
    # The alias's Ref is its ARN (function ARN + ":live"), never the unqualified function.
    assert source["LambdaConfig"]["LambdaFunctionArn"] == {"Ref": alias}


def test_an_invalid_snapstart_setting_is_refused(synth: Synth) -> None:
    with pytest.raises(ValueError, match="snapStart must be true or false"):
        synth("prod", snapStart="sometimes")


# Where the Region is known, the function follows `offers_snapstart`: one synthesis for each
# answer (a whole stage's synthesis is seconds of CPU); which Regions get which answer is the
# list's, checked on the function below.
def test_snapstart_stays_on_where_lambda_offers_it(synth: Synth) -> None:
    prod = synth("prod", region="eu-west-1")
    assert _function(prod)["Properties"]["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    assert _snapstart_warnings(prod) == []


def test_snapstart_is_turned_off_with_a_warning_where_lambda_has_none(synth: Synth) -> None:
    # when prod is synthesized for a Region outside SnapStart's list
    region = "ap-southeast-6"
    prod = synth("prod", region=region)
    # then the function has no SnapStart (creating it would fail), and synthesis says why
    assert "SnapStart" not in _function(prod)["Properties"]
    (warning,) = _snapstart_warnings(prod)
    assert f"Lambda offers no SnapStart for Python in {region}" in warning
    assert SOURCE in warning
    # and the alias still points at a published version
    assert prod.resources("AWS::Lambda::Version")


@pytest.mark.parametrize("region", ["eu-west-1", "us-east-1", "ap-southeast-2"])
def test_lambda_offers_snapstart_in_the_commercial_regions(region: str) -> None:
    assert offers_snapstart(region)


# Asia Pacific (New Zealand) and (Taipei): the page's exceptions; China and GovCloud: other
# partitions than the commercial one the page speaks of.
@pytest.mark.parametrize("region", ["ap-southeast-6", "ap-east-2", "cn-north-1", "us-gov-west-1"])
def test_lambda_offers_no_snapstart_in_the_pages_exceptions_and_other_partitions(
    region: str,
) -> None:
    assert not offers_snapstart(region)


def test_the_region_list_is_the_commercial_partition_less_the_pages_exceptions() -> None:
    # botocore's own partition data: every commercial Region it knows, less New Zealand
    # and Taipei, so a Region missing from the list is a Region opened since it was written.
    partition = _commercial_regions()
    assert partition >= SNAPSTART_PYTHON_REGIONS
    assert partition - SNAPSTART_PYTHON_REGIONS >= {"ap-southeast-6", "ap-east-2"}


def _commercial_regions() -> frozenset[str]:
    session = botocore.session.get_session()
    return frozenset(session.get_available_regions("lambda", partition_name="aws"))


def _snapstart_warnings(synthesized: Synthesized) -> list[str]:
    return [
        str(message.entry.data)
        for stack in synthesized.assembly.stacks
        for message in stack.messages
        if message.level == SynthesisMessageLevel.WARNING
        and "SnapStart is off" in str(message.entry.data)
    ]

"""SnapStart: on in prod only (context `snapStart` overrides), and AppSync invokes a
published version through the `live` alias whichever the stage, so the same wiring serves
both. SnapStart applies to published versions and aliases only, never to $LATEST:
https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html"""

from typing import Any

import pytest

from infra.function import ALIAS
from tests.infra.conftest import Synth, Synthesized

pytestmark = pytest.mark.infra


def _function(synthesized: Synthesized) -> dict[str, Any]:
    return synthesized.resolver_function()


def test_snapstart_is_on_in_prod_only(dev: Synthesized, prod: Synthesized) -> None:
    assert _function(prod)["Properties"]["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    assert "SnapStart" not in _function(dev)["Properties"]


def test_the_snapstart_context_setting_overrides_the_stage(synth: Synth) -> None:
    on_in_dev = synth("dev", snapStart="true")
    off_in_prod = synth("prod", snapStart="false")
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

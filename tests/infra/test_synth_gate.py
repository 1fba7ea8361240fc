"""cdk-nag gates every synth: acknowledged findings pass, anything else fails."""

from pathlib import Path

import pytest
from aws_cdk import Annotations, App
from aws_cdk import aws_sqs as sqs

from infra.app import build, error_messages
from infra.stage import StageConfig
from tests.infra.conftest import Synthesized

pytestmark = pytest.mark.infra


def test_both_stages_synthesize_without_errors(synthesized: Synthesized) -> None:
    assert error_messages(synthesized.assembly) == []


def test_an_error_annotation_is_reported(tmp_path: Path) -> None:
    # the levels are SynthesisMessageLevel members ('ERROR'), not lower-case strings
    app = App(outdir=str(tmp_path), context={"stage": "dev"})
    stack = build(app)
    Annotations.of(stack).add_error("no alarm destination")
    messages = error_messages(app.synth())
    assert len(messages) == 1
    assert "no alarm destination" in messages[0]


def test_an_unacknowledged_finding_fails_the_synth(tmp_path: Path) -> None:
    # given the real app with one queue that breaks AwsSolutions-SQS3/SQS4
    app = App(outdir=str(tmp_path), context={"stage": "dev"})
    stack = build(app)
    sqs.Queue(stack, "Careless")
    # when / then
    with pytest.raises(RuntimeError, match="AwsSolutions-SQS3"):
        app.synth()


def test_stage_context_is_validated() -> None:
    assert StageConfig.from_context(App(context={"stage": "prod"}).node).is_prod
    assert StageConfig.from_context(App().node).stage.value == "dev"
    with pytest.raises(ValueError, match="stage"):
        StageConfig.from_context(App(context={"stage": "staging"}).node)
    with pytest.raises(ValueError, match="cacheTtl"):
        StageConfig.from_context(App(context={"cacheTtl": "0"}).node)
    with pytest.raises(ValueError, match="cacheTtl"):
        StageConfig.from_context(App(context={"cacheTtl": "3601"}).node)

"""The settings `make deploy` compares (infra/fixed_settings.py) are read from the template
the stack synthesizes: each stage's own stateShards and queueGroups, context included."""

import pytest

from infra.fixed_settings import FixedSettings, settings_in
from tests.infra.conftest import Synth, Synthesized

pytestmark = pytest.mark.infra


def test_the_check_reads_each_stages_settings_from_its_template(
    synth: Synth, dev_with_settings: Synthesized
) -> None:
    for stage in ("dev", "prod"):
        synthesized = synth(stage)
        scale = synthesized.stack.config.scale
        assert settings_in(synthesized.json) == FixedSettings(
            scale.state_shards, scale.queue_groups
        )
    assert settings_in(synth("prod").json) == FixedSettings(25, 1250)
    # stateShards 4, queueGroups 8
    assert settings_in(dev_with_settings.json) == FixedSettings(4, 8)

"""Synthesizes the stack once per stage per session (synthesis takes seconds): the tests
read the templates, the staged Lambda asset and the assembly's messages."""

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App
from aws_cdk.assertions import Template
from aws_cdk.cx_api import CloudAssembly

from infra.app import build
from infra.stack import OrdersStack

Resources = dict[str, dict[str, Any]]


@dataclass(frozen=True)
class Synthesized:
    stage: str
    stack: OrdersStack
    assembly: CloudAssembly
    template: Template

    @property
    def json(self) -> dict[str, Any]:
        return dict(self.template.to_json())

    def resources(self, type_: str) -> Resources:
        return {k: v for k, v in self.json["Resources"].items() if v["Type"] == type_}

    def only(self, type_: str) -> dict[str, Any]:
        (resource,) = self.resources(type_).values()
        return resource

    def logical_id(self, resource: Any) -> str:
        return self.stack.get_logical_id(resource)

    def resolver_function(self) -> dict[str, Any]:
        """The resolvers' Lambda (prod has a second function: the pool's trigger)."""
        function = self.stack.resolver_function.function.node.default_child
        resource: dict[str, Any] = self.json["Resources"][self.logical_id(function)]
        return resource

    def asset_dir(self) -> Path:
        """The staged (bundled) Lambda asset, as uploaded."""
        s3_key = self.resolver_function()["Properties"]["Code"]["S3Key"]
        return Path(self.assembly.directory) / f"asset.{s3_key.removesuffix('.zip')}"


def synthesize(tmp_path: Path, context: dict[str, str]) -> Synthesized:
    app = App(outdir=str(tmp_path), context=context)
    stack = build(app)
    # Raises if cdk-nag reports any finding not acknowledged in code.
    assembly = app.synth()
    template = assembly.get_stack_by_name(stack.stack_name).template
    return Synthesized(context["stage"], stack, assembly, Template.from_json(template))


Synth = Callable[..., Synthesized]

# prod refuses to synthesize without an alarm destination (infra/stage.py): the tests give
# it this address unless they pass a destination of their own.
PROD_ALARM_EMAIL = "alarms@example.com"


@pytest.fixture(scope="session")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    """`synth(stage, **context)`: the synthesized stack, built once per distinct context."""
    built: dict[str, Synthesized] = {}

    def get(stage: str, **context: str) -> Synthesized:
        full = {"stage": stage, **context}
        if stage == "prod" and not {"alarmEmail", "alarmTopicArn"} & set(context):
            full["alarmEmail"] = PROD_ALARM_EMAIL
        key = json.dumps(full, sort_keys=True)
        if key not in built:
            built[key] = synthesize(tmp_path_factory.mktemp(f"cdk-{stage}"), full)
        return built[key]

    return get


@pytest.fixture(params=["dev", "prod"])
def stage(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def synthesized(synth: Synth, stage: str) -> Synthesized:
    return synth(stage)


@pytest.fixture
def dev(synth: Synth) -> Synthesized:
    return synth("dev")


@pytest.fixture
def prod(synth: Synth) -> Synthesized:
    return synth("prod")


# Every stage setting the tests change from its default, changed together: one synthesis per
# stage (each is seconds of CPU), in which each test reads the effect of its own setting.
ALARM_TOPIC_ARN = "arn:aws:sns:eu-west-1:123456789012:ops-alarms"
DEV_SETTINGS = {
    "cacheTtl": "120",
    "oldestMessageAlarmSeconds": "600",
    "snapStart": "true",
    "stateShards": "4",
    "queueGroups": "8",
}
PROD_SETTINGS = {"alarmTopicArn": ALARM_TOPIC_ARN, "snapStart": "false"}


@pytest.fixture
def dev_with_settings(synth: Synth) -> Synthesized:
    return synth("dev", **DEV_SETTINGS)


@pytest.fixture
def prod_with_settings(synth: Synth) -> Synthesized:
    return synth("prod", **PROD_SETTINGS)

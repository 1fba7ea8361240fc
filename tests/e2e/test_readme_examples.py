"""The README's first steps work as written: its subscription receives what its mutation
sends."""

import re

import pytest

from harness.serve_process import PROJECT_ROOT
from tests.e2e.conftest import Emulator
from tests.e2e.test_subscriptions import WAIT_SECONDS, _next_order, subscription

pytestmark = pytest.mark.e2e

README = (PROJECT_ROOT / "README.md").read_text()


def _first_steps_mutation() -> str:
    steps = README.split("## First steps with `make serve`", 1)[1]
    found = re.search(r"```graphql\n(mutation \{\n  createOrder.*?)```", steps, re.DOTALL)
    assert found, "the README's first mutation moved"
    return found.group(1)


def _subscription_example() -> str:
    section = README.split("## Subscriptions and WebSocket clients", 1)[1]
    found = re.search(r"```graphql\n(subscription .*?)\n```", section, re.DOTALL)
    assert found, "the README's subscription example moved"
    return found.group(1)


def test_the_readme_subscription_receives_the_readme_mutation(emulator: Emulator) -> None:
    # given the README's subscription, registered (a ping round trip proves it)
    with subscription(emulator, _subscription_example()) as ws:
        ws.send_json({"type": "ping"})
        assert ws.receive_json(timeout=WAIT_SECONDS)["type"] == "pong"
        # when the README's first mutation runs
        created = emulator.data(_first_steps_mutation())["createOrder"]
        # then every field the subscriber asked for arrives, none null: AppSync sends
        # subscribers the mutation's selection, and filters on it (aws-appsync-community#109)
        received = _next_order(ws)["onOrderCreated"]
    assert received == created
    assert all(value is not None for value in received.values())

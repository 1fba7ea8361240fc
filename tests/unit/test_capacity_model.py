"""The capacity model (capacity/): what one shard and one group carry, which N and G
carry 10,000 orders/s, what a page costs, and that the committed report is current.

The limits themselves are cited in capacity/limits.py (each with its AWS page)."""

import json
import math
from dataclasses import replace
from pathlib import Path

import pytest

from capacity import limits, model
from capacity.model import Lifecycle, Settings, Workload
from resolvers.domain.states import Estado

COMMITTED_SETTINGS = Path(__file__).resolve().parents[2] / "capacity" / "capacity.json"
CREATE_COMPLETE = (Estado.recibida, Estado.enproceso, Estado.completada)


def test_one_shard_and_one_group_carry_what_the_limits_say() -> None:
    # given every order created, started and completed: `recibida` takes a put and a delete
    workload = Workload(mix=(Lifecycle(CREATE_COMPLETE, 1.0),))

    # then one index key (1,000 write units/s) carries 500 orders/s, one group (300 sends/s)
    # carries 300, and one consumer of 100 ms drains 10
    assert model.index_ceiling(1, workload) == pytest.approx(500)
    assert model.send_ceiling(1, workload) == pytest.approx(300)
    assert model.drain_ceiling(1, workload) == pytest.approx(10)
    assert model.sustainable_rate(1, 1, workload) == pytest.approx(300)


def test_the_per_queue_quota_caps_groups() -> None:
    workload = Workload()

    # then beyond 70,000 / 300 groups, more groups send no more (us-east-1's quota)
    assert model.send_ceiling(10_000, workload) == pytest.approx(70_000)
    assert model.send_ceiling(10_000, replace(workload, region="us-east-2")) == pytest.approx(
        19_000
    )


def test_state_flows_count_entries_and_exits() -> None:
    flows = model.state_flows(model.DEFAULT_MIX)

    assert flows[Estado.recibida] == model.StateFlow(entries=1.0, exits=1.0)
    assert flows[Estado.enproceso].entries == pytest.approx(0.95)
    assert flows[Estado.enproceso].exits == pytest.approx(0.95)
    # final states are entered, never left: no deletes in their index keys
    assert flows[Estado.completada].exits == 0
    assert flows[Estado.cancelada].entries == pytest.approx(0.1)
    assert flows[Estado.cancelada].exits == 0


def test_required_settings_for_ten_thousand_orders_a_second() -> None:
    workload = Workload()

    settings = model.required_settings(10_000, workload)

    # 20,000 index writes/s on `recibida` over keys planned at 800/s; 10,000 sends/s need 42
    # groups, but consumers of 100 ms need 1,250 to keep up
    assert settings == Settings(state_shards=25, queue_groups=1_250)
    assert model.groups_for_sends(10_000, workload) == 42
    # and they are the smallest that do: one fewer shard or group runs past the headroom
    headroom = workload.headroom
    assert model.index_ceiling(settings.state_shards, workload) * headroom >= 10_000
    assert model.index_ceiling(settings.state_shards - 1, workload) * headroom < 10_000
    assert model.drain_ceiling(settings.queue_groups, workload) * headroom >= 10_000
    assert model.drain_ceiling(settings.queue_groups - 1, workload) * headroom < 10_000


def test_consumers_left_out_leave_the_send_limit() -> None:
    workload = Workload(consumer_seconds=0)

    assert model.required_settings(10_000, workload).queue_groups == 42
    assert model.drain_ceiling(1, workload) == math.inf


def test_bigger_items_need_more_shards() -> None:
    # an item over 1 KB costs two write units per index write (bench/report.md: 1,692 bytes
    # with a 1,500-character description)
    settings = model.required_settings(10_000, Workload(item_kb=1.7))

    assert settings.state_shards == 50


def test_no_group_count_lifts_one_queue_quota() -> None:
    with pytest.raises(ValueError, match="quota"):
        model.required_settings(70_000)
    with pytest.raises(ValueError, match="us-east-2"):
        model.required_settings(20_000, Workload(region="us-east-2"))


@pytest.mark.parametrize(
    "states",
    [
        (Estado.enproceso, Estado.completada),  # orders are created in recibida
        (Estado.recibida, Estado.completada),  # not a transition
        (Estado.recibida, Estado.cancelada, Estado.enproceso),  # cancelada is final
    ],
)
def test_a_lifecycle_follows_the_domain_rules(states: tuple[Estado, ...]) -> None:
    with pytest.raises(ValueError, match=r"lifecycle|transition"):
        Lifecycle(states, 1.0)


def test_a_mix_covers_every_order() -> None:
    with pytest.raises(ValueError, match="add up to 1"):
        Workload(mix=(Lifecycle(CREATE_COMPLETE, 0.5),))


def test_page_cost_grows_with_shards_but_read_ceiling_does_not() -> None:
    # given pages of 20 items of 1 KB: each shard's Query reads 21 items, 21 KB, 6 x 4 KB
    one = model.page_cost(1, 20, 1.0)
    many = model.page_cost(25, 20, 1.0)

    assert (one.queries, one.items_read, one.read_units) == (1, 21, 3.0)
    assert (many.queries, many.items_read, many.read_units) == (25, 525, 75.0)
    # every page reads each shard key once: 3,000 read units per key / 3 per Query
    assert model.page_ceiling(20, 1.0) == pytest.approx(1_000)


def test_account_quotas_at_ten_thousand_orders_a_second() -> None:
    plan = model.plan(10_000)
    needs = {need.name: need for need in plan.account}

    # 2.95 mutations per order: AppSync tokens and Lambda concurrency beyond their defaults
    assert needs["AppSync request tokens"].needed == pytest.approx(29_500)
    assert not needs["AppSync request tokens"].fits
    assert needs["Lambda concurrency"].needed == pytest.approx(1_475)
    assert not needs["Lambda concurrency"].fits
    assert plan.lambda_ramp_seconds == 20
    assert needs["table writes"].fits
    assert needs["index writes"].needed == pytest.approx(49_000)


def test_every_limit_names_its_aws_page() -> None:
    for name, limit in limits.ALL.items():
        assert limit.source.startswith("https://docs.aws.amazon.com/"), name


def test_committed_report_holds_the_settings_the_model_gives() -> None:
    # `make capacity` writes capacity/capacity.json; a change of limit or workload without
    # regenerating it fails here
    committed = json.loads(COMMITTED_SETTINGS.read_text(encoding="utf-8"))
    settings = model.required_settings(committed["rate"])

    assert committed["rate"] == model.TARGET_RATE
    assert (committed["stateShards"], committed["queueGroups"]) == (
        settings.state_shards,
        settings.queue_groups,
    )

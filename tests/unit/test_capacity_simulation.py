"""The discrete-event check of the capacity model (capacity/simulation.py): throttling
appears when N or G is below what the model asks and disappears at the model's settings."""

import pytest

from capacity import model
from capacity.model import Settings, Workload
from capacity.simulation import TokenBucket, simulate, stable_hash

AMPLE = 1_000  # shards or groups enough not to bind at the rates below


def test_a_bucket_refills_at_its_rate_up_to_its_burst() -> None:
    bucket = TokenBucket.full(rate=1_000, now=0.0)  # holds 100 ms: 100 tokens
    bucket.take(100)

    assert not bucket.has(1, now=0.0)
    assert bucket.has(50, now=0.05)
    assert not bucket.has(51, now=0.05)
    assert bucket.has(100, now=10.0)
    assert not bucket.has(101, now=10.0)


def test_the_hash_is_stable_across_processes() -> None:
    # the stack will hash ids the same way in every Lambda; Python's hash() would not
    assert stable_hash("order-1") == stable_hash("order-1")
    assert stable_hash("order-1") != stable_hash("order-2")


def test_a_run_is_reproducible() -> None:
    first = simulate(1_000, Settings(1, 1), seconds=0.3)
    again = simulate(1_000, Settings(1, 1), seconds=0.3)

    assert first == again
    assert first.throttled  # 1,000 orders/s is far beyond one key and one group


@pytest.mark.parametrize("shards", [1, 3])
def test_index_keys_throttle_above_their_ceiling_only(shards: int) -> None:
    workload = Workload()
    ceiling = model.index_ceiling(shards, workload)

    below = simulate(ceiling * workload.headroom, Settings(shards, AMPLE), workload, 0.5)
    above = simulate(ceiling * 1.25, Settings(shards, AMPLE), workload, 0.5)

    assert not below.throttled
    assert set(above.throttled) == {"index key"}
    assert above.throttled_share > 0.03


@pytest.mark.parametrize("groups", [1, 3])
def test_message_groups_throttle_above_their_ceiling_only(groups: int) -> None:
    workload = Workload()
    ceiling = model.send_ceiling(groups, workload)

    below = simulate(ceiling * workload.headroom, Settings(AMPLE, groups), workload, 0.5)
    above = simulate(ceiling * 1.25, Settings(AMPLE, groups), workload, 0.5)

    assert not below.throttled
    assert set(above.throttled) == {"message group"}
    assert above.throttled_share > 0.03


def test_ten_thousand_orders_a_second_with_the_model_settings_and_without() -> None:
    workload = Workload()
    settings = model.required_settings(10_000, workload)

    carried = simulate(10_000, settings, workload, seconds=0.25)
    too_few_shards = simulate(
        10_000, Settings(settings.state_shards // 2, settings.queue_groups), workload, 0.25
    )
    too_few_groups = simulate(10_000, Settings(settings.state_shards, 30), workload, 0.25)

    assert carried.steps > 2_000
    assert not carried.throttled
    assert set(too_few_shards.throttled) == {"index key"}
    assert set(too_few_groups.throttled) == {"message group"}

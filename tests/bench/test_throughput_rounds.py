"""How bench.throughput turns rounds into a level and its goals: the rate the median of the
rounds' rates, latency and CPU over every request. Fabricated samples, no server."""

import pytest

from bench.throughput import Sample, _measured, ratios


def _sample(requests: int, *, seconds: float = 2.0, cpu: float = 1.0) -> Sample:
    latencies = [float(number) for number in range(1, requests + 1)]
    return Sample(latencies, seconds, cpu, own_cpu=0.1, hits=0, invocations=requests)


def test_a_level_rate_is_the_median_of_its_rounds_not_of_every_request() -> None:
    # 15, 5 and 20 req/s: the median round's 15, not every request over all the time
    # (80 in 6 s, 13.3).
    rounds = [_sample(30), _sample(10), _sample(40)]
    level = _measured("createOrder", rounds)
    assert level["round_rates"] == [15.0, 5.0, 20.0]
    assert level["requests_per_second"] == 15.0
    assert level["requests"] == 80
    assert level["emulator_cpu_ms_per_request"] == pytest.approx(1000 * 3.0 / 80, abs=0.01)
    assert level["emulator_cpu_cores"] == pytest.approx(3.0 / 6.0, abs=0.01)
    assert level["p99_ms"] > level["p50_ms"]
    assert "cache_hit_ratio" not in level


def test_the_goals_compare_the_levels_medians_over_their_rounds() -> None:
    creates = {
        "1": _measured("createOrder", [_sample(20), _sample(40), _sample(30)]),
        "8": _measured("createOrder", [_sample(50), _sample(90), _sample(60)]),
        "32": _measured("createOrder", [_sample(100), _sample(54), _sample(56)]),
    }
    figures = ratios(creates)
    scale_up = figures["createOrder 8 vs 1 clients (req/s)"]
    assert scale_up["ratio"] == pytest.approx(30 / 15, abs=1e-3)
    assert scale_up["samples"] == [25.0, 45.0, 30.0]
    hold = figures["createOrder 32 vs 8 clients (req/s)"]
    assert hold["ratio"] == pytest.approx(28 / 30, abs=1e-3)
    assert hold["met"] is True


def test_cache_hits_count_every_round() -> None:
    rounds = [
        Sample([1.0] * 10, 1.0, 0.1, 0.01, hits=9, invocations=1),
        Sample([1.0] * 10, 1.0, 0.1, 0.01, hits=1, invocations=9),
    ]
    assert _measured("ordersByState (cache warm)", rounds)["cache_hit_ratio"] == 0.5

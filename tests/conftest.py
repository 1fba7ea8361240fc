"""Settings for the whole suite."""

from hypothesis import HealthCheck, settings

# Property tests check behaviour, never time: on a shared, loaded machine Hypothesis'
# per-example deadline and its "too slow" health check would only make them flaky.
settings.register_profile(
    "orders", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.load_profile("orders")

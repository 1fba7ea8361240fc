"""What the tests and the benchmarks both use to drive the service as its callers do: the
emulator in its own process, recorded AppSync events, a clock that steps. Never shipped:
neither the Lambda package nor the emulator imports it."""

"""Benchmarks of the Orders API: `python -m bench` (what `make bench` runs) writes
bench/results.json and bench/report.md. Nothing here imports at package level, so a child
process that only measures the Lambda's import pays for nothing else."""

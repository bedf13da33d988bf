"""Benchmarks: `make bench` prints figures; `make bench-smoke` runs each once on tiny data."""

"""Benchmarks of the Calls API: `make bench` prints each figure of DESIGN.md's Performance
table as `name: value (goal)` and writes BENCHMARKS.md."""

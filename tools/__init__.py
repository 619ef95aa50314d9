"""Developer tools that are neither the local stack nor the benchmarks."""

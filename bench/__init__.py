"""Benchmarks and the scale-data generator (``bench.generator``)."""

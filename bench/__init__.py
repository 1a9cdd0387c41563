"""Benchmarks (not tests): each prints a table comparing Relance with its fastest baseline."""

"""Benchmark of the site (bench/run.py) and the server helpers scripts/audit.py shares."""

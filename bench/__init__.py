"""Anjungan's benchmarks: ``python -m bench`` (``make bench``) writes docs/benchmarks.md.

Speed targets are measured here, on a named machine, never asserted in tests.
Kept free of imports: ``python -m bench.startup_probe`` loads this file first,
and the probe times its own start-up.
"""

"""Anjungan's benchmarks: ``python -m bench`` (``make bench``) writes docs/benchmarks.md.

Speed targets are measured here, on a named machine, never asserted in tests.
Kept free of imports: ``python -m bench.startup_probe`` loads this file first,
and the probe times its own start-up.
"""

#: The centre's per-kiosk cap on numbers a queue a day, lifted: the drain
#: benchmarks send thousands of one kiosk's tickets in one queue, far past what a
#: kiosk issues in a day (the cap is not what they measure).
LOOSE_LIMITS = ("--lease-max-numbers", "1000000")

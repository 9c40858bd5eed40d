"""Anjungan's benchmarks: ``python -m bench`` (``make bench``) writes docs/benchmarks.md.

Speed targets are measured here, on a named machine, never asserted in tests.
Kept free of imports: ``python -m bench.startup_probe`` loads this file first,
and the probe times its own start-up.
"""

#: The centre's per-kiosk cap on numbers a queue a day and its request rates, lifted:
#: the drain benchmarks send thousands of one kiosk's tickets in one queue, far past
#: what a kiosk issues in a day, and the walk's thirty citizens in under a minute at one
#: kiosk would meet the rate limit, its answer 429 putting the kiosk offline and the
#: rest of the walks on the offline path (neither limit is what they measure).
LOOSE_LIMITS = (
    *("--lease-max-numbers", "1000000"),
    *("--auth-rate", "100000", "--rate", "100000", "--burst", "100000"),
)

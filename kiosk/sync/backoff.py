"""Retry delays: exponential backoff with full jitter, capped, honouring Retry-After.

After ``n`` failures in a row the next try waits a random time drawn evenly
from ``[floor, min(cap, base * 2**(n-1))]`` ("full jitter": a fleet of kiosks
that lost the centre at the same moment does not come back at the same
moment). A server's ``Retry-After`` is a lower bound: the kiosk never asks
sooner than the server said, even past the cap (up to :data:`MAX_RETRY_AFTER_S`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

#: The longest ``Retry-After`` believed (a server asking for more is capped here).
MAX_RETRY_AFTER_S = 3600.0


@dataclass
class Backoff:
    base_s: float = 1.0
    cap_s: float = 300.0
    #: No retry comes sooner than this, whatever the draw.
    floor_s: float = 0.2
    rng: random.Random = field(default_factory=random.Random, repr=False)

    def __post_init__(self) -> None:
        if not 0 < self.base_s <= self.cap_s or self.floor_s < 0:
            raise ValueError("need 0 < base_s <= cap_s and floor_s >= 0")

    def ceiling(self, failures: int) -> float:
        """The upper end of the draw after ``failures`` failures in a row (1 or more)."""
        exponent = min(max(failures, 1) - 1, 62)
        return min(self.cap_s, self.base_s * 2.0**exponent)

    def delay(self, failures: int, retry_after_s: float | None = None) -> float:
        """Seconds to wait before the next try."""
        high = self.ceiling(failures)
        drawn = self.rng.uniform(min(self.floor_s, high), high)
        if retry_after_s is not None and retry_after_s > drawn:
            return min(retry_after_s, MAX_RETRY_AFTER_S)
        return drawn

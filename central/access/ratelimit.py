"""Per-caller rate limits: a token bucket per key, in this process's memory.

Each key (``kiosk:<id>`` once authenticated, ``addr:<ip>`` before that and
for failed credentials) holds up to ``burst`` requests and refills at
``per_minute / 60`` per second. An empty bucket answers 429 with
``Retry-After``: the whole seconds until one request is allowed again.

**Several app processes.** The buckets live in each process, so behind a
proxy that spreads one kiosk's requests over N processes a kiosk gets up to
N times the configured rate. The limit is there to stop a runaway kiosk or a
flood, not to meter, so that is accepted: set the rate per process, or route
each kiosk to one process (hash on the ``Authorization`` header), or limit
at the proxy (nginx ``limit_req`` keyed on ``$http_authorization``). A
limit shared exactly across processes would cost a database write per
request; it can be added behind :meth:`RateLimiter.hit` without touching
the endpoints.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

#: Beyond this many keys, idle (full) buckets are dropped to bound memory.
MAX_KEYS = 100_000


class RateLimiter:
    def __init__(
        self,
        per_minute: int,
        burst: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = MAX_KEYS,
    ) -> None:
        if per_minute < 1 or burst < 1:
            raise ValueError("the rate and the burst must be at least 1")
        self.rate = per_minute / 60.0  # tokens per second
        self.burst = float(burst)
        self._clock = clock
        self._max_keys = max_keys
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)
        self._lock = threading.Lock()  # sync endpoints run on a thread pool

    def hit(self, key: str) -> int | None:
        """Take one request from ``key``'s bucket: ``None`` if allowed, else Retry-After (s)."""
        now = self._clock()
        with self._lock:
            tokens, at = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - at) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                if len(self._buckets) > self._max_keys:
                    self._prune(now)
                return None
            self._buckets[key] = (tokens, now)
            return max(1, math.ceil((1.0 - tokens) / self.rate))

    def _prune(self, now: float) -> None:
        full = [
            key
            for key, (tokens, at) in self._buckets.items()
            if tokens + (now - at) * self.rate >= self.burst
        ]
        for key in full:
            del self._buckets[key]

"""What a benchmark hands to the report: samples in milliseconds and their summary."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal


def percentile(samples: Sequence[float], fraction: float) -> float:
    """The ``fraction`` (0..1) percentile, interpolated linearly between ranks.

    The same rule as NumPy's default ("linear"): with n samples sorted, the
    value at rank ``fraction * (n - 1)``. One sample is its own percentile.
    """
    if not samples:
        raise ValueError("no samples")
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"fraction {fraction} outside 0..1")
    ordered = sorted(samples)
    rank = fraction * (len(ordered) - 1)
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


#: The units a row can be in: milliseconds, or a ratio of two times of the same run.
UNITS = ("ms", "×")


@dataclass(frozen=True)
class Measurement:
    """One row of a benchmark's table."""

    what: str
    #: One sentence on the method.
    how: str
    samples_ms: tuple[float, ...]
    #: The goal, met when the p95 is within it; None when there is none yet.
    goal_ms: float | None = None
    #: Which statistic the goal holds: the p95, or the median where the issue says so.
    goal_on: Literal["p95", "median"] = "p95"
    #: What the samples count: milliseconds, or a ratio ("×") such as a time
    #: divided by its floor measured in the same run (then ``goal_ms`` is a ratio too).
    unit: str = "ms"

    def __post_init__(self) -> None:
        if not self.samples_ms:
            raise ValueError(f"{self.what}: no samples")
        if self.unit not in UNITS:
            raise ValueError(f"{self.what}: unit {self.unit!r} is not one of {UNITS}")

    @property
    def n(self) -> int:
        return len(self.samples_ms)

    @property
    def median(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p95(self) -> float:
        return percentile(self.samples_ms, 0.95)

    @property
    def minimum(self) -> float:
        return min(self.samples_ms)

    @property
    def maximum(self) -> float:
        return max(self.samples_ms)

    def meets_goal(self) -> bool | None:
        """True or False against the goal; None when there is no goal."""
        if self.goal_ms is None:
            return None
        return (self.median if self.goal_on == "median" else self.p95) <= self.goal_ms


@dataclass(frozen=True)
class Benchmark:
    """A titled table of measurements, with notes worth reading next to it."""

    title: str
    measurements: tuple[Measurement, ...]
    notes: tuple[str, ...] = ()


def ms_since(start: float, end: float) -> float:
    """Milliseconds between two ``time.perf_counter()`` readings."""
    return (end - start) * 1000.0

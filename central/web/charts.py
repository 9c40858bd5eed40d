"""Bar charts drawn on the server as SVG: the geometry of each bar, and nothing of HTML.

A template writes the ``<svg>`` from a :class:`BarChart` (no script, no
chart library: the page must work with scripts blocked and without a CDN).
Each bar carries its label and value, so the template can give every bar a
``<title>`` and list the same numbers as a table for screen readers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH, HEIGHT = 720, 220
LEFT, BOTTOM, TOP = 36, 24, 12


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class BarChart:
    bars: tuple[Bar, ...]
    #: The value the top grid line stands for, and the grid lines' (y, value).
    top: int
    grid: tuple[tuple[float, int], ...]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    baseline: float = HEIGHT - BOTTOM


def _nice_top(highest: int) -> int:
    """A round number at least ``highest`` (1, 2, 5, 10, 20, 50, …)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= highest:
                return step * factor
        step *= 10


def bar_chart(labels: Sequence[str], values: Sequence[int]) -> BarChart:
    """Bars for ``values`` (one per label), scaled to the chart's height."""
    top = _nice_top(max([*values, 1]))
    plot_h = HEIGHT - BOTTOM - TOP
    slot = (WIDTH - LEFT) / max(len(values), 1)
    bars = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        height = plot_h * value / top
        bars.append(
            Bar(
                label=label,
                value=value,
                x=round(LEFT + i * slot + slot * 0.15, 1),
                y=round(HEIGHT - BOTTOM - height, 1),
                width=round(slot * 0.7, 1),
                height=round(height, 1),
            )
        )
    grid = tuple((round(HEIGHT - BOTTOM - plot_h * k / 2, 1), top * k // 2) for k in (0, 1, 2))
    return BarChart(tuple(bars), top, grid)

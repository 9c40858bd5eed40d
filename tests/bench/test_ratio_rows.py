"""A figure over its same-run floor is reported as a ratio, with its goal as a ratio."""

from __future__ import annotations

import pytest

from bench.__main__ import ALONE
from bench.report import benchmark_table
from bench.results import Benchmark, Measurement
from bench.startup import FloorRun, ProbeRun, run_alone, summarise


def test_a_ratio_row_shows_times_and_its_goal_with_the_sign() -> None:
    ratio = Measurement("ready ÷ floor", "One over the other.", (2.5, 3.5), 3.0, unit="×")
    table = benchmark_table(Benchmark("T", (ratio,)))
    assert (
        "| ready ÷ floor | One over the other. | 2 | 3.00× | 3.45× | 2.50× | 3.50× |" in (table[4])
    )
    assert table[4].endswith("| ≤ 3× | ❌ miss |")


def test_a_row_in_an_unknown_unit_is_refused() -> None:
    with pytest.raises(ValueError, match="unit"):
        Measurement("x", "y.", (1.0,), unit="s")


def test_the_cold_start_divides_each_start_by_the_floor_run_beside_it() -> None:
    starts = [
        ProbeRun(400.0, 300.0, {"imports": 200.0}, 100.0, spawn_to_ready_ms=ready)
        for ready in (500.0, 900.0)
    ]
    floors = [FloorRun(spawn_to_paint_ms=ms, import_build_ms=ms - 30) for ms in (250.0, 150.0)]
    rows = {m.what: m for m in summarise(starts, floors).measurements}
    assert rows["ready ÷ floor"].samples_ms == (2.0, 6.0)
    assert rows["ready ÷ floor"].unit == "×" and rows["ready ÷ floor"].goal_ms == 3.0
    with pytest.raises(ValueError):
        summarise(starts, floors[:1])  # every start has its floor


def test_the_cold_start_runs_alone() -> None:
    assert ALONE["startup"] is run_alone

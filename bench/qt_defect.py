"""A check for a reference-count defect of ``Signal.emit()`` in the installed PySide6.

PySide6 6.12.0 on CPython 3.11 returns ``True`` from ``SignalInstance.emit()``
without taking a reference to it, so every emit whose result is discarded
drops one reference to ``True``. Before Python 3.12 ``True`` is not immortal:
when its count reaches zero the interpreter aborts with "Fatal Python error:
bool_dealloc". 6.11.3 does not have the defect. The kiosk emits a signal for
every result that comes back from a worker (``ui.tasks.QtExecutor``), so the
report states whether the machine it was written on has it.
"""

from __future__ import annotations

import sys

#: How many emits the check spends: enough to see, far too few to do harm.
EMITS = 10


def true_refs() -> int:
    """References to ``True`` right now (meaningful on CPython before 3.12)."""
    return sys.getrefcount(True)


def emit_leak_per_call() -> float:
    """References to ``True`` lost per ``Signal.emit()``: 0.0 on a sound PySide6."""
    from PySide6.QtCore import QObject, Signal

    class Probe(QObject):
        fired = Signal()

    probe = Probe()
    before = true_refs()
    for _ in range(EMITS):
        probe.fired.emit()
    lost = before - true_refs()
    return lost / EMITS


def describe(leak: float) -> str:
    if leak <= 0:
        return "no"
    return (
        f"yes: each `Signal.emit()` drops {leak:g} reference to `True`; on Python < 3.12 a "
        "process aborts (bool_dealloc) once a few thousand signals have been emitted"
    )

"""Privacy-safe ``repr``s for values that carry personal data.

A dataclass's generated ``repr`` prints every field, and a ``repr`` reaches
logs through ``%r``, tracebacks and debuggers. :func:`private_repr` replaces it
with one that names the personal fields and says only how long they are:
``FormSubmitted(values=<2 fields>)``; it is :func:`contract.shown.shown_repr`
with :func:`~contract.shown.shape` for each field named, which the centre's
classes use too. A test (``tests/kiosk/test_private_reprs.py``) builds every
dataclass of the core packages that has a personal field with a canary value
and fails if the canary shows in its ``repr`` or ``str``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from contract.shown import shape, shown_repr

__all__ = ["private_repr", "shape"]

C = TypeVar("C", bound=type)


def private_repr(*hidden: str) -> Callable[[C], C]:
    """Class decorator (above ``@dataclass``): ``hidden`` fields show only their shape."""
    return shown_repr(**dict.fromkeys(hidden, shape))

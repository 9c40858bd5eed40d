"""Privacy-safe ``repr``s for values that carry personal data.

A dataclass's generated ``repr`` prints every field, and a ``repr`` reaches
logs through ``%r``, tracebacks and debuggers. :func:`private_repr` replaces it
with one that names the personal fields and says only how long they are:
``FormSubmitted(values=<2 fields>)``. A test
(``tests/kiosk/test_private_reprs.py``) builds every dataclass of the core
packages that has a personal field with a canary value and fails if the canary
shows in its ``repr`` or ``str``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sized
from typing import Any, TypeVar

C = TypeVar("C", bound=type)


def shape(value: object) -> str:
    """What may be said of a personal value: its kind and size, never its content."""
    if value is None:
        return "None"
    if isinstance(value, Mapping):
        return f"<{len(value)} fields>"
    if isinstance(value, str | bytes):
        return f"<{len(value)} chars>"
    if isinstance(value, Sized):
        return f"<{len(value)} items>"
    return "<hidden>"


def private_repr(*hidden: str) -> Callable[[C], C]:
    """Class decorator (above ``@dataclass``): ``hidden`` fields show only their shape."""

    def decorate(cls: C) -> C:
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = set(hidden) - names
        if unknown:
            raise TypeError(f"{cls.__name__} has no field {sorted(unknown)}")

        def __repr__(self: Any) -> str:
            parts = []
            for f in dataclasses.fields(self):
                if not f.repr:
                    continue
                value = getattr(self, f.name)
                parts.append(f"{f.name}={shape(value) if f.name in hidden else repr(value)}")
            return f"{type(self).__name__}({', '.join(parts)})"

        setattr(cls, "__repr__", __repr__)  # noqa: B010  (mypy: no method assignment)
        return cls

    return decorate

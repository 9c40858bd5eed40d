"""The API's bodies with a ``repr`` that writes no secret or personal value whole.

A pydantic model's ``repr`` and ``str`` write every field, and reach a log through
``%r``, a traceback's locals and a debugger, as a dataclass's do. A body declared
``class PatientOut(ShownModel, shown={"nik": shape, ...})`` writes each field so named
as its function shows it (``None`` as ``None``): the same shown forms as the
dataclasses' (:mod:`contract.shown`). A subclass adds its own to its base's. The
wire and the OpenAPI schema are the model's as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar

from pydantic import BaseModel


class _Said:
    """A shown form, written by ``repr`` as it is (no quotes)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


class ShownModel(BaseModel):
    """A body whose fields named in ``shown=`` are written in its ``repr`` as shown."""

    repr_shown: ClassVar[Mapping[str, Callable[[Any], str]]] = {}

    def __init_subclass__(
        cls, *, shown: Mapping[str, Callable[[Any], str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init_subclass__(**kwargs)
        if shown:
            cls.repr_shown = {**cls.repr_shown, **shown}

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        for name, value in super().__repr_args__():
            show = self.repr_shown.get(name) if name is not None else None
            yield name, value if show is None or value is None else _Said(show(value))

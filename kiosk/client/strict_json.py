"""Reading the centre's JSON strictly: one function, one exception.

``json.loads`` alone lets through answers no field of the kiosk can hold, and
fails on others with exceptions that are not :class:`ValueError`:

- nesting deeper than the interpreter's recursion limit raises
  :class:`RecursionError` (and nesting just under it breaks the next
  recursive reader instead): refused past :data:`MAX_DEPTH` levels;
- ``NaN``, ``Infinity`` and ``1e999`` become floats that compare false with
  everything: refused;
- a key given twice keeps its last value, so two readers of the same bytes may
  disagree: refused;
- integers of thousands of digits cost quadratic time (or raise the
  interpreter's digit-limit ``ValueError``) and fit no database column:
  refused outside 64 bits;
- bytes that are not UTF-8 (RFC 8259 §8.1): refused, as is UTF-16 that
  ``json.loads`` would otherwise guess.

:func:`loads` raises :class:`BadJSON` (a :class:`ValueError`) for all of them.
"""

from __future__ import annotations

import json
import math
from typing import Any, Final

from kiosk.client.errors import BadJSON

__all__ = ["MAX_DEPTH", "BadJSON", "loads"]

#: Deepest nesting of objects and arrays accepted (the catalog has 6 levels).
MAX_DEPTH: Final = 32
_INT_LIMIT: Final = 2**63
_INT_DIGITS: Final = 20  # a sign and 19 digits hold every 64-bit integer


def loads(body: bytes) -> Any:
    """The JSON value in ``body``; :class:`BadJSON` for anything else."""
    try:
        text = body.decode("utf-8")
        data = json.loads(
            text,
            object_pairs_hook=_unique_keys,
            parse_int=_int64,
            parse_float=_finite,
            parse_constant=_no_constant,
        )
    except BadJSON:
        raise
    except UnicodeDecodeError:
        raise BadJSON("not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise BadJSON(f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise BadJSON(f"nested deeper than {MAX_DEPTH} levels") from None
    except (ValueError, MemoryError) as exc:
        raise BadJSON(f"not usable JSON ({type(exc).__name__})") from None
    _check_depth(data)
    return data


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data = dict(pairs)
    if len(data) != len(pairs):
        raise BadJSON("an object names a key twice")
    return data


def _int64(digits: str) -> int:
    value = int(digits) if len(digits) <= _INT_DIGITS else _INT_LIMIT
    if not -_INT_LIMIT <= value < _INT_LIMIT:
        raise BadJSON("an integer beyond 64 bits")
    return value


def _finite(digits: str) -> float:
    value = float(digits)
    if not math.isfinite(value):
        raise BadJSON("a number beyond the float range")
    return value


def _no_constant(name: str) -> Any:
    raise BadJSON(f"{name} is not JSON")


def _check_depth(data: Any) -> None:
    pending: list[tuple[Any, int]] = [(data, 1)] if isinstance(data, dict | list) else []
    while pending:
        value, depth = pending.pop()
        children = value.values() if isinstance(value, dict) else value
        if depth > MAX_DEPTH:
            raise BadJSON(f"nested deeper than {MAX_DEPTH} levels")
        pending += [(c, depth + 1) for c in children if isinstance(c, dict | list)]


def error_code(body: bytes) -> str:
    """The ``error`` code of a central error body, or ""."""
    try:
        data = loads(body)
    except BadJSON:
        return ""
    code = data.get("error") if isinstance(data, dict) else None
    return code if isinstance(code, str) and code.isascii() and len(code) <= 64 else ""


#: The longest ``detail`` of a central error body a kiosk shows.
MAX_DETAIL = 300


def error_detail(body: bytes) -> str:
    """The ``detail`` of a central error body (its words for people, "Bahasa / English"),
    or "" when it has none, is too long, or holds anything but printable text."""
    try:
        data = loads(body)
    except BadJSON:
        return ""
    detail = data.get("detail") if isinstance(data, dict) else None
    if not isinstance(detail, str) or len(detail) > MAX_DETAIL or not detail.isprintable():
        return ""
    return detail.strip()

"""Validate what the citizen typed against a service's form definition.

Errors are stable codes; :mod:`kiosk.messages` turns them into words.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from contract.catalog import FieldType, FormField

_DIGITS = re.compile(r"\d+")
_PHONE = re.compile(r"(\+62|62|0)8\d{7,12}")


def clean(value: str) -> str:
    """Trim, and drop control characters a broken input method could send."""
    return "".join(ch for ch in value if ch.isprintable() or ch == "\n").strip()


def validate(fields: tuple[FormField, ...], values: Mapping[str, str]) -> dict[str, str]:
    """Map of field name → error code for every field that is not acceptable."""
    errors: dict[str, str] = {}
    for field in fields:
        value = clean(values.get(field.name, ""))
        if not value:
            if field.required:
                errors[field.name] = "required"
            continue
        if len(value) > field.max_length:
            errors[field.name] = "too_long"
            continue
        code = _check(field, value)
        if code:
            errors[field.name] = code
    return errors


def _check(field: FormField, value: str) -> str:
    if field.type is FieldType.NIK:
        return "" if len(value) == 16 and _DIGITS.fullmatch(value) else "nik_format"
    if field.type is FieldType.NUMBER:
        return "" if _DIGITS.fullmatch(value) else "number_format"
    if field.type is FieldType.PHONE:
        return "" if _PHONE.fullmatch(value.replace(" ", "").replace("-", "")) else "phone_format"
    if field.type is FieldType.DATE:
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return "date_format"
        return ""
    if field.type is FieldType.CHOICE:
        return "" if value in field.choices else "choice_unknown"
    return ""

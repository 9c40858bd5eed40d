"""The ``[satusehat]`` section of the integrations file (``kiosk server --integrations FILE``).

::

    [satusehat]
    auth_url = "https://api-satusehat.kemkes.go.id/oauth2/v1"
    base_url = "https://api-satusehat.kemkes.go.id/fhir-r4/v1"
    client_id = "..."
    client_secret = "..."
    organization_id = "100000001"
    timeout_s = 10          # optional: the total deadline of one call

The secret never reaches a log: it is kept out of the ``repr``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

#: The largest answer read from SATUSEHAT (a Patient search, an Encounter, an
#: OperationOutcome are a few kilobytes).
ANSWER_MAX_BYTES = 256 * 1024

_KEYS = ("auth_url", "base_url", "client_id", "client_secret", "organization_id")


class SatusehatConfigError(ValueError):
    """The ``[satusehat]`` section cannot be used; the message says which key and why."""


@dataclass(frozen=True)
class SatusehatConfig:
    auth_url: str
    base_url: str
    client_id: str
    client_secret: str = field(repr=False)
    organization_id: str
    timeout_s: float = 10.0
    answer_max_bytes: int = ANSWER_MAX_BYTES

    @classmethod
    def from_section(cls, section: Mapping[str, Any]) -> SatusehatConfig:
        """The settings of a parsed ``[satusehat]`` table, every key checked."""
        unknown = sorted(set(section) - {*_KEYS, "timeout_s"})
        if unknown:
            raise SatusehatConfigError(
                f"[satusehat]: kunci tidak dikenal / unknown key: {', '.join(unknown)}"
            )
        values: dict[str, str] = {}
        for key in _KEYS:
            value = section.get(key)
            if not isinstance(value, str) or not value.strip():
                raise SatusehatConfigError(
                    f"[satusehat]: {key} wajib diisi / {key} is required (a non-empty string)"
                )
            values[key] = value.strip()
        for key in ("auth_url", "base_url"):
            parts = urlsplit(values[key])
            if parts.scheme not in ("http", "https") or not parts.hostname or "@" in parts.netloc:
                raise SatusehatConfigError(
                    f"[satusehat]: {key} harus http(s)://host/path tanpa kredensial / "
                    f"{key} must be http(s)://host/path without credentials"
                )
            values[key] = values[key].rstrip("/")
        timeout = section.get("timeout_s", 10.0)
        if (
            isinstance(timeout, bool)
            or not isinstance(timeout, int | float)
            or not (0 < timeout <= 120)
        ):
            raise SatusehatConfigError(
                "[satusehat]: timeout_s harus antara 0 dan 120 detik / "
                "timeout_s must be between 0 and 120 seconds"
            )
        return cls(
            auth_url=values["auth_url"],
            base_url=values["base_url"],
            client_id=values["client_id"],
            client_secret=values["client_secret"],
            organization_id=values["organization_id"],
            timeout_s=float(timeout),
        )

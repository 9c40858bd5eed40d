"""The ``--integrations FILE``: a TOML file with a ``[bpjs]`` and a ``[satusehat]`` section.

Each section switches its service on; an absent section leaves it off, so a
file with only ``[bpjs]`` is complete. Every key of a section is required
but the optional ones named below; an unknown key is refused (a typo must
not switch something off quietly). Secrets (``secret_key``, ``user_key``,
``ws_rs_password``, ``client_secret``) are kept out of every ``repr`` and so
out of every log line; :func:`digest` names the settings without them.

A bad file stops the server at its start with a message that says what is
wrong, in Bahasa Indonesia and English (:class:`IntegrationsError`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from central.errors import IntegrationsError as IntegrationsError
from central.integrations.http import check_url

log = logging.getLogger(__name__)

#: One call's total deadline unless the file says otherwise, and its bounds.
DEFAULT_TIMEOUT_S = 10.0
MAX_TIMEOUT_S = 120.0
#: The longest answer read from a service (a doctors' list of a big hospital fits).
DEFAULT_ANSWER_MAX_BYTES = 1024 * 1024
#: Retries: 30 s, doubling up to half an hour; 60 attempts are about a day of BPJS away.
DEFAULT_RETRY_BASE_S = 30.0
DEFAULT_RETRY_MAX_S = 1800.0
DEFAULT_MAX_ATTEMPTS = 60
DEFAULT_WS_RS_RATE = 3000


@dataclass(frozen=True)
class BpjsSettings:
    """BPJS Antrean RS (the hospital's consumer credentials) and the WS RS login."""

    antrean_url: str
    cons_id: str
    secret_key: str = field(repr=False)
    user_key: str = field(repr=False)
    ws_rs_username: str
    ws_rs_password: str = field(repr=False)
    timeout_s: float = DEFAULT_TIMEOUT_S
    answer_max_bytes: int = DEFAULT_ANSWER_MAX_BYTES
    #: The outbox's retries: the first wait, the longest, and attempts before a row is dead.
    retry_base_s: float = DEFAULT_RETRY_BASE_S
    retry_max_s: float = DEFAULT_RETRY_MAX_S
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    #: WS RS calls with a good token a minute, per server process, whatever the address
    #: (BPJS's back end calls for every patient from a few addresses): its own limit,
    #: not the kiosks' ``--rate``.
    ws_rs_rate_per_minute: int = DEFAULT_WS_RS_RATE


@dataclass(frozen=True)
class SatusehatSettings:
    """SATUSEHAT: the OAuth2 client of the hospital's organization."""

    auth_url: str
    base_url: str
    client_id: str
    client_secret: str = field(repr=False)
    organization_id: str
    timeout_s: float = DEFAULT_TIMEOUT_S
    answer_max_bytes: int = DEFAULT_ANSWER_MAX_BYTES
    #: The outbox's retries: the first wait, the longest, and attempts before a row is dead.
    retry_base_s: float = DEFAULT_RETRY_BASE_S
    retry_max_s: float = DEFAULT_RETRY_MAX_S
    max_attempts: int = DEFAULT_MAX_ATTEMPTS


@dataclass(frozen=True)
class Integrations:
    """Which services are on (``None``: off)."""

    bpjs: BpjsSettings | None = None
    satusehat: SatusehatSettings | None = None


_SECRETS = frozenset({"secret_key", "user_key", "ws_rs_password", "client_secret"})
_SECONDS = {
    "timeout_s": (0.0, MAX_TIMEOUT_S),
    "retry_base_s": (0.0, 86400.0),
    "retry_max_s": (0.0, 86400.0),
}
_COUNTS = {"answer_max_bytes": 1024, "max_attempts": 1, "ws_rs_rate_per_minute": 1}
_URLS = frozenset({"antrean_url", "auth_url", "base_url"})
_OPTIONAL = frozenset(
    {
        "timeout_s",
        "answer_max_bytes",
        "retry_base_s",
        "retry_max_s",
        "max_attempts",
        "ws_rs_rate_per_minute",
    }
)


def _fail(indonesian: str, english: str) -> IntegrationsError:
    return IntegrationsError(f"{indonesian} / {english}")


def _section(name: str, raw: Any, kind: type[Any]) -> Any:
    if not isinstance(raw, dict):
        raise _fail(f"[{name}] harus berupa bagian", f"[{name}] must be a section")
    known = {f.name for f in fields(kind)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise _fail(
            f"kunci tidak dikenal di [{name}]: {', '.join(unknown)}",
            f"unknown keys in [{name}]: {', '.join(unknown)}",
        )
    missing = sorted(known - _OPTIONAL - set(raw))
    if missing:
        raise _fail(
            f"[{name}] belum lengkap, kurang: {', '.join(missing)}",
            f"[{name}] is incomplete, missing: {', '.join(missing)}",
        )
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key in _SECONDS:
            low, high = _SECONDS[key]
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise _fail(f"[{name}] {key} harus angka", f"[{name}] {key} must be a number")
            if not low < value <= high:
                raise _fail(
                    f"[{name}] {key} harus lebih dari {low:g} dan paling banyak {high:g} detik",
                    f"[{name}] {key} must be more than {low:g} and at most {high:g} seconds",
                )
            values[key] = float(value)
        elif key in _COUNTS:
            least = _COUNTS[key]
            if isinstance(value, bool) or not isinstance(value, int) or value < least:
                raise _fail(
                    f"[{name}] {key} harus bilangan bulat ≥ {least}",
                    f"[{name}] {key} must be a whole number ≥ {least}",
                )
            values[key] = value
        else:
            if not isinstance(value, str) or not value.strip():
                # The value itself is never repeated: it may be a secret.
                raise _fail(
                    f"[{name}] {key} harus teks yang tidak kosong",
                    f"[{name}] {key} must be a non-empty text",
                )
            values[key] = value.strip()
            if key in _URLS:
                try:
                    check_url(values[key])
                except ValueError:
                    raise _fail(
                        f"[{name}] {key} harus alamat http(s)://host/path tanpa nama pengguna",
                        f"[{name}] {key} must be an http(s)://host/path address without a user",
                    ) from None
                values[key] = values[key].rstrip("/")
    made = kind(**values)
    if made.retry_base_s > made.retry_max_s:
        raise _fail(
            f"[{name}] retry_base_s tidak boleh lebih dari retry_max_s",
            f"[{name}] retry_base_s must not exceed retry_max_s",
        )
    return made


def parse(text: str) -> Integrations:
    """The integrations a file's text switches on."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _fail(f"berkas TOML tidak sah ({exc})", f"not a valid TOML file ({exc})") from None
    unknown = sorted(set(raw) - {"bpjs", "satusehat"})
    if unknown:
        raise _fail(
            f"bagian tidak dikenal: {', '.join(unknown)} (hanya [bpjs] dan [satusehat])",
            f"unknown sections: {', '.join(unknown)} (only [bpjs] and [satusehat])",
        )
    return Integrations(
        bpjs=_section("bpjs", raw["bpjs"], BpjsSettings) if "bpjs" in raw else None,
        satusehat=(
            _section("satusehat", raw["satusehat"], SatusehatSettings)
            if "satusehat" in raw
            else None
        ),
    )


def load(path: Path) -> Integrations:
    """Read ``path``; :class:`IntegrationsError` if it cannot be read or used."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(
            f"berkas integrasi {path} tidak dapat dibaca ({type(exc).__name__})",
            f"the integrations file {path} cannot be read ({type(exc).__name__})",
        ) from None
    try:
        if path.stat().st_mode & 0o077:
            log.warning("the integrations file %s can be read by others: chmod 600 it", path)
    except OSError:
        pass
    return parse(text)


def digest(settings: BpjsSettings | SatusehatSettings | None) -> str | None:
    """A digest naming the non-secret settings (``None``: off); never derived from a secret."""
    if settings is None:
        return None
    public = {f.name: getattr(settings, f.name) for f in fields(settings) if f.name not in _SECRETS}
    return hashlib.sha256(json.dumps(public, sort_keys=True).encode()).hexdigest()

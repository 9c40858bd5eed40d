"""Whom the kiosk trusts to issue cards, and which cards they have revoked.

Two JSON files (formats in docs/card-format.md, "Trust list" and "Revocation
list"), loaded into one :class:`TrustStore`:

* the **trust list** names each issuer key by its ``kid`` (the first 8 bytes
  of SHA-256 over the key's DER SubjectPublicKeyInfo, as the EU DCC does), with
  the issuer id (``ID-PKU``) and the public key (PEM, EC P-256);
* the **revocation list** names revoked card numbers per issuer id, with a
  version number so the sync engine can tell newer from older.

Keeping them fresh and cached offline is the sync engine's job; this module
only loads a file and refuses anything it cannot fully check, with a
:class:`TrustError` naming the file and the field.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from contract.errors import TrustError, TrustRollback, TrustVersionJump

TRUST_LIST_FORMAT = "anjungan-trust-list/1"
REVOCATION_LIST_FORMAT = "anjungan-revocation-list/1"
KID_LENGTH = 8
#: A list's ``version`` is a whole number from 1 to this (docs/card-format.md).
MAX_LIST_VERSION = 2**31 - 1
#: A list offered more than this many versions past the newest held is refused as
#: suspicious (:func:`check_step`): the centre adds one per change, and a version
#: pinned near the top would refuse every genuine list after it.
MAX_VERSION_STEP = 10_000
_ISSUER_ID = re.compile(r"[A-Z]{2}-[A-Z0-9-]{1,29}")


def kid_for(public_key: ec.EllipticCurvePublicKey) -> bytes:
    """The key identifier: SHA-256 of the DER SubjectPublicKeyInfo, first 8 bytes."""
    spki = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(spki).digest()[:KID_LENGTH]


def check_issuer_id(issuer_id: str) -> str:
    """Issuer ids are a country code, a dash and a short upper-case name (``ID-PKU``)."""
    if not isinstance(issuer_id, str) or not _ISSUER_ID.fullmatch(issuer_id):
        raise TrustError(f"issuer id {issuer_id!r} is not like ID-PKU")
    return issuer_id


@dataclass(frozen=True)
class Issuer:
    """One trusted issuer key."""

    kid: bytes
    issuer_id: str
    name: str
    public_key: ec.EllipticCurvePublicKey = field(repr=False)

    def to_json(self) -> dict[str, str]:
        pem = self.public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return {
            "kid": self.kid.hex(),
            "issuer": self.issuer_id,
            "name": self.name,
            "public_key": pem.decode("ascii"),
        }


@dataclass(frozen=True)
class TrustStore:
    """Issuer keys by kid, and revoked card numbers by issuer id."""

    issuers: Mapping[bytes, Issuer] = field(default_factory=dict)
    revoked: Mapping[str, frozenset[str]] = field(default_factory=dict)
    trust_version: int = 0
    revocation_version: int = 0

    @classmethod
    def empty(cls) -> TrustStore:
        """Trusts nobody: every card reads at most as ``unverified``."""
        return cls()

    @property
    def trusts_anyone(self) -> bool:
        return bool(self.issuers)

    def issuer(self, kid: bytes) -> Issuer | None:
        return self.issuers.get(kid)

    def is_revoked(self, issuer_id: str, card_number: str) -> bool:
        return card_number in self.revoked.get(issuer_id, frozenset())

    def describe(self) -> str:
        """The versions, for logs: ``trust list 3, revocation list 12``."""
        return f"trust list {self.trust_version}, revocation list {self.revocation_version}"

    @classmethod
    def load(cls, trust_list: Path, revocation_list: Path | None = None) -> TrustStore:
        """Load and check both files; raise :class:`TrustError` naming the problem."""
        trust = _read_json(trust_list)
        revocations = _read_json(revocation_list) if revocation_list is not None else None
        return cls.from_json(
            trust,
            revocations,
            source=str(trust_list),
            revocation_source=str(revocation_list),
        )

    @classmethod
    def from_json(
        cls,
        trust: Any,
        revocations: Any | None = None,
        *,
        source: str = "trust list",
        revocation_source: str = "revocation list",
    ) -> TrustStore:
        issuers, trust_version = _parse_trust_list(trust, source)
        revoked: dict[str, frozenset[str]] = {}
        revocation_version = 0
        if revocations is not None:
            revoked, revocation_version = _parse_revocation_list(revocations, revocation_source)
        return cls(issuers, revoked, trust_version, revocation_version)


def check_successor(held: TrustStore, offered: TrustStore) -> None:
    """Raise :class:`TrustRollback` unless ``offered`` may replace ``held``.

    Each list's version only goes up: a lower one would bring back a revoked
    card or a retired key. The same version with other content is refused
    too: a publisher bumps the version with every change, so it is a forgery
    or a mix-up. An empty trust list never replaces one that trusts someone,
    whatever its version: it would leave every card unverified. Every path that
    installs a list asks this first.
    """
    if held.trusts_anyone and not offered.trusts_anyone:
        raise TrustRollback(
            f"trust list version {offered.trust_version} names no issuer; the one held does"
        )
    lists = (
        ("trust list", held.trust_version, offered.trust_version, _issuer_content),
        ("revocation list", held.revocation_version, offered.revocation_version, _revoked_content),
    )
    for name, had, got, content in lists:
        if got < had:
            raise TrustRollback(f"{name} version {got} is lower than the {had} held")
        if got == had and content(offered) != content(held):
            raise TrustRollback(f"{name} version {got} differs from the one held under it")


def check_step(
    held: Iterable[TrustStore], offered: TrustStore, max_step: int = MAX_VERSION_STEP
) -> None:
    """Raise :class:`TrustVersionJump` if a list of ``offered`` is more than ``max_step``
    versions past the newest of that list in ``held``.

    Asked of a list that has just arrived from the network (not of one the kiosk
    already took): a version pinned near :data:`MAX_LIST_VERSION` would make every
    genuine list after it "older". A kiosk that holds no list of a kind takes any
    version of it; an operator who means a bigger jump installs the newer list as
    the configured file (``card.trust_list``, ``card.revocation_list``) first.
    """
    stores = list(held)
    lists = (
        ("trust list", [h.trust_version for h in stores], offered.trust_version),
        ("revocation list", [h.revocation_version for h in stores], offered.revocation_version),
    )
    for name, versions, got in lists:
        had = max(versions, default=0)
        if had >= 1 and got - had > max_step:
            raise TrustVersionJump(
                f"{name} version {got} is more than {max_step} past the {had} held"
            )


def _issuer_content(store: TrustStore) -> dict[bytes, tuple[str, str]]:
    # the kid is the key's hash, so it stands for the key
    return {kid: (issuer.issuer_id, issuer.name) for kid, issuer in store.issuers.items()}


def _revoked_content(store: TrustStore) -> dict[str, frozenset[str]]:
    return {issuer: numbers for issuer, numbers in store.revoked.items() if numbers}


def trust_list_json(issuers: Iterable[Issuer], version: int = 1) -> dict[str, Any]:
    return {
        "format": TRUST_LIST_FORMAT,
        "version": version,
        "issuers": [issuer.to_json() for issuer in issuers],
    }


def revocation_list_json(revoked: Mapping[str, Iterable[str]], version: int = 1) -> dict[str, Any]:
    return {
        "format": REVOCATION_LIST_FORMAT,
        "version": version,
        "revoked": {issuer: sorted(numbers) for issuer, numbers in sorted(revoked.items())},
    }


def _read_json(path: Path) -> Any:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TrustError(f"cannot read {path}: {exc}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise TrustError(f"{path}: not valid JSON: {exc}") from None


def _header(data: Any, fmt: str, source: str) -> int:
    if not isinstance(data, dict):
        raise TrustError(f"{source}: not a JSON object")
    if data.get("format") != fmt:
        raise TrustError(f"{source}: format must be {fmt!r}, not {data.get('format')!r}")
    version = data.get("version")
    if (
        not isinstance(version, int)
        or isinstance(version, bool)
        or not 1 <= version <= MAX_LIST_VERSION
    ):
        raise TrustError(f"{source}: version must be a whole number from 1 to {MAX_LIST_VERSION}")
    return version


def _parse_trust_list(data: Any, source: str) -> tuple[dict[bytes, Issuer], int]:
    version = _header(data, TRUST_LIST_FORMAT, source)
    entries = data.get("issuers")
    if not isinstance(entries, list):
        raise TrustError(f"{source}: issuers must be a list")
    issuers: dict[bytes, Issuer] = {}
    for index, entry in enumerate(entries):
        where = f"{source}: issuers[{index}]"
        issuer = _parse_issuer(entry, where)
        if issuer.kid in issuers:
            raise TrustError(f"{where}: kid {issuer.kid.hex()} is listed twice")
        issuers[issuer.kid] = issuer
    return issuers, version


def _parse_issuer(entry: Any, where: str) -> Issuer:
    if not isinstance(entry, dict):
        raise TrustError(f"{where}: not a JSON object")
    try:
        issuer_id = check_issuer_id(entry.get("issuer", ""))
    except TrustError as exc:
        raise TrustError(f"{where}.issuer: {exc}") from None
    name = entry.get("name", "")
    if not isinstance(name, str):
        raise TrustError(f"{where}.name: must be text")
    pem = entry.get("public_key")
    if not isinstance(pem, str):
        raise TrustError(f"{where}.public_key: must be a PEM public key")
    try:
        key = serialization.load_pem_public_key(pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise TrustError(f"{where}.public_key: not a PEM public key") from None
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        raise TrustError(f"{where}.public_key: must be an EC P-256 key (ES256)")
    kid_hex = entry.get("kid")
    if not isinstance(kid_hex, str) or kid_hex.lower() != kid_for(key).hex():
        raise TrustError(f"{where}.kid: must be {kid_for(key).hex()}, derived from the key")
    return Issuer(kid_for(key), issuer_id, name, key)


def _parse_revocation_list(data: Any, source: str) -> tuple[dict[str, frozenset[str]], int]:
    version = _header(data, REVOCATION_LIST_FORMAT, source)
    revoked = data.get("revoked")
    if not isinstance(revoked, dict):
        raise TrustError(f"{source}: revoked must be an object of issuer id to card numbers")
    out: dict[str, frozenset[str]] = {}
    for issuer_id, numbers in revoked.items():
        try:
            check_issuer_id(issuer_id)
        except TrustError as exc:
            raise TrustError(f"{source}: revoked: {exc}") from None
        if not isinstance(numbers, list) or not all(isinstance(n, str) and n for n in numbers):
            raise TrustError(f"{source}: revoked.{issuer_id}: must be a list of card numbers")
        out[issuer_id] = frozenset(numbers)
    return out, version

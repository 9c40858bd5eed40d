"""Personal data at rest: AES-256-GCM with a key kept outside the database file.

The key file holds 32 random bytes as 64 hex characters (a line an operator can
print and lock away). It is created with mode 0600 on the first start of a
store that has never encrypted anything, and never again: once the database
holds the key check (``store_meta.key_check``), a missing or different key is a
:class:`StoreKeyError`, because a fresh key would orphan every encrypted outbox
payload. A key file of another mode is made exactly 0600 when read; a symbolic
link at its name is refused (:class:`StoreKeyError`).

Two subkeys are derived with HKDF-SHA256: one for AES-GCM, one for the HMAC
that turns a citizen's card number or NIK into the cache's lookup key (a plain
hash of a NIK is easy to brute-force; an HMAC under a secret key is not).

A sealed value is ``01 || nonce (12 bytes) || ciphertext || tag (16 bytes)``;
the associated data is ``anjungan/<table>/<row key>``, so a ciphertext copied
into another row, or another table, fails authentication.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import stat
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from contract.shown import shown_key
from offline_store.errors import StoreKeyError, StoreTampered

log = logging.getLogger(__name__)

KEY_BYTES = 32
_FORMAT = b"\x01"
_NONCE_BYTES = 12
_KEY_CHECK = b"anjungan offline store key check v1"


def _subkey(key: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(key)


class RowCipher:
    """Seals and opens values bound to one row; derives lookup keys."""

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise StoreKeyError("the store key must be 32 bytes")
        self._aead = AESGCM(_subkey(key, b"anjungan/offline_store/aes-gcm"))
        self._mac_key = _subkey(key, b"anjungan/offline_store/lookup")

    @staticmethod
    def _ad(table: str, row_key: str) -> bytes:
        return f"anjungan/{table}/{row_key}".encode()

    def seal(self, table: str, row_key: str, plaintext: bytes) -> bytes:
        nonce = secrets.token_bytes(_NONCE_BYTES)
        return _FORMAT + nonce + self._aead.encrypt(nonce, plaintext, self._ad(table, row_key))

    def open(self, table: str, row_key: str, sealed: bytes) -> bytes:
        """The plaintext, or :class:`StoreTampered` if ``sealed`` is not this row's.

        The error names the row by its key's end (:func:`shown_key`): its text is
        logged and kept as an outbox row's reason, and a complaint's whole key
        gives its reference.
        """
        if not isinstance(sealed, bytes) or sealed[:1] != _FORMAT:
            raise StoreTampered(f"{table} row {shown_key(row_key)}: not an encrypted value")
        nonce, body = sealed[1 : 1 + _NONCE_BYTES], sealed[1 + _NONCE_BYTES :]
        try:
            return self._aead.decrypt(nonce, body, self._ad(table, row_key))
        except InvalidTag:
            raise StoreTampered(
                f"{table} row {shown_key(row_key)}: the encrypted value does not belong to this row"
            ) from None

    def lookup_key(self, value: str) -> str:
        """A stable, secret-keyed hash of a card number or NIK (hex)."""
        return hmac.new(self._mac_key, value.encode(), hashlib.sha256).hexdigest()

    def key_check(self) -> bytes:
        return self.seal("store_meta", "key_check", _KEY_CHECK)

    def verify(self, key_check: bytes) -> None:
        try:
            ok = self.open("store_meta", "key_check", key_check) == _KEY_CHECK
        except StoreTampered:
            ok = False
        if not ok:
            raise StoreKeyError(
                "the key file does not belong to this store: its encrypted data cannot be read"
                " (restore the original key file; see docs/architecture.md)"
            )


def read_key(path: Path, *, tighten: bool = True) -> bytes | None:
    """The key in ``path``; None if the file does not exist.

    Read without following a symbolic link (a link there is refused: the key
    would be wherever it points, with that place's permissions); a plain file
    of another mode is set to exactly 0600 (``tighten=False``: left as it is,
    for a look that must change nothing).
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if os.path.islink(path):
            raise StoreKeyError(
                f"the store key file {path} is a symbolic link; it must be a plain file"
                " (remove the link, or put the key file itself there)"
            ) from None
        raise StoreKeyError(f"cannot read the store key file {path}: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise StoreKeyError(f"the store key file {path} is not a plain file")
        text = os.read(fd, 4 * KEY_BYTES).decode("ascii").strip()
        mode = stat.S_IMODE(info.st_mode)
        if mode != 0o600 and tighten:
            log.warning(
                "the store key file %s was mode %03o%s; made it 0600",
                path,
                mode,
                " (readable by other users)" if mode & 0o077 else "",
            )
            os.fchmod(fd, 0o600)
    except (OSError, UnicodeDecodeError) as exc:
        raise StoreKeyError(f"cannot read the store key file {path}: {exc}") from None
    finally:
        os.close(fd)
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) != KEY_BYTES:
        raise StoreKeyError(f"the store key file {path} is not 64 hex characters")
    return key


def create_key(path: Path) -> bytes:
    """Write a new random key to ``path`` (0600), atomically; refuse to overwrite one."""
    key = secrets.token_bytes(KEY_BYTES)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, key.hex().encode() + b"\n")
            os.fsync(fd)
        finally:
            os.close(fd)
        os.link(tmp, path)  # fails if a key appeared meanwhile: never replace a key
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except FileExistsError:
        existing = read_key(path)
        if existing is None:
            raise StoreKeyError(f"the store key file {path} vanished while created") from None
        return existing
    except OSError as exc:
        raise StoreKeyError(f"cannot create the store key file {path}: {exc.strerror}") from None
    finally:
        tmp.unlink(missing_ok=True)
    log.info("created a new store key file %s", path)
    return key

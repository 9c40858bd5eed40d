"""BPJS's request signature and answer encryption (VClaim and Antrean RS alike).

* Headers: ``X-cons-id``, ``X-timestamp`` (UTC epoch seconds), ``X-signature``
  = base64(HMAC-SHA256(key=secret, message=``cons_id & timestamp``)), and
  ``user_key``.
* An answer's ``response`` field, when a string, is base64 of AES-256-CBC
  with key = SHA-256(``cons_id + secret + timestamp``) (the 32 raw bytes), IV
  = the key's first 16 bytes, PKCS#7 padding; the plaintext is LZString's
  ``compressToEncodedURIComponent`` of the JSON, undone with
  ``decompressFromEncodedURIComponent``. The timestamp is the request's.

:func:`encrypt` is the inverse, for the stand-in that plays BPJS in tests and
the demo.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from lzstring import LZString  # type: ignore[import-untyped]


class DecryptError(ValueError):
    """An answer that does not decrypt or decompress: garbage, or another secret's."""


def signature(cons_id: str, secret: str, timestamp: str) -> str:
    digest = hmac.new(secret.encode(), f"{cons_id}&{timestamp}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def headers(cons_id: str, secret: str, user_key: str, timestamp: str) -> dict[str, str]:
    """The four headers of a signed request made at ``timestamp``."""
    return {
        "X-cons-id": cons_id,
        "X-timestamp": timestamp,
        "X-signature": signature(cons_id, secret, timestamp),
        "user_key": user_key,
    }


def _key_iv(cons_id: str, secret: str, timestamp: str) -> tuple[bytes, bytes]:
    key = hashlib.sha256(f"{cons_id}{secret}{timestamp}".encode()).digest()
    return key, key[:16]


def decrypt(cons_id: str, secret: str, timestamp: str, response: str) -> str:
    """The JSON text hidden in an answer's ``response`` field."""
    key, iv = _key_iv(cons_id, secret, timestamp)
    try:
        sealed = base64.b64decode(response, validate=True)
        decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
        padded = decryptor.update(sealed) + decryptor.finalize()
        unpadder = padding.PKCS7(128).unpadder()
        compressed = (unpadder.update(padded) + unpadder.finalize()).decode("ascii")
        text = LZString().decompressFromEncodedURIComponent(compressed)
    except (binascii.Error, ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        raise DecryptError(f"the answer does not decrypt ({type(exc).__name__})") from exc
    if not isinstance(text, str) or not text:
        raise DecryptError("the answer does not decompress")
    return text


def encrypt(cons_id: str, secret: str, timestamp: str, text: str) -> str:
    """The ``response`` field BPJS would send for the JSON ``text``."""
    key, iv = _key_iv(cons_id, secret, timestamp)
    compressed = str(LZString().compressToEncodedURIComponent(text)).encode("ascii")
    padder = padding.PKCS7(128).padder()
    padded = padder.update(compressed) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return base64.b64encode(encryptor.update(padded) + encryptor.finalize()).decode("ascii")

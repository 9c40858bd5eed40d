"""BPJS's signature and answer encryption, checked against vectors computed here.

The expected values are made in this file with the standard library's
``hmac``/``hashlib``/``base64``, ``cryptography`` and ``lzstring``, following the
published recipe step by step, never with the code under test.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from lzstring import LZString  # type: ignore[import-untyped]

from central.integrations.bpjs import crypto

CONS_ID = "10001"
SECRET = "contoh-rahasia"  # noqa: S105 - a made-up test value
USER_KEY = "contoh-kunci-pengguna"
STAMP = "1733443200"


def _expected_signature(cons_id: str, secret: str, stamp: str) -> str:
    message = (cons_id + "&" + stamp).encode("utf-8")
    return base64.b64encode(
        hmac.new(secret.encode("utf-8"), message, hashlib.sha256).digest()
    ).decode()


def _sealed(cons_id: str, secret: str, stamp: str, plain: str) -> str:
    """Encrypt as BPJS does: LZString for URI components, PKCS#7, AES-256-CBC."""
    key = hashlib.sha256((cons_id + secret + stamp).encode("utf-8")).digest()
    assert len(key) == 32
    squeezed = LZString().compressToEncodedURIComponent(plain).encode("ascii")
    padder = padding.PKCS7(algorithms.AES.block_size).padder()
    block = padder.update(squeezed) + padder.finalize()
    enc = Cipher(algorithms.AES(key), modes.CBC(key[0:16])).encryptor()
    return base64.b64encode(enc.update(block) + enc.finalize()).decode("ascii")


def _opened(cons_id: str, secret: str, stamp: str, sealed: str) -> str:
    key = hashlib.sha256((cons_id + secret + stamp).encode("utf-8")).digest()
    dec = Cipher(algorithms.AES(key), modes.CBC(key[0:16])).decryptor()
    block = dec.update(base64.b64decode(sealed)) + dec.finalize()
    unpadder = padding.PKCS7(algorithms.AES.block_size).unpadder()
    squeezed = (unpadder.update(block) + unpadder.finalize()).decode("ascii")
    text: str = LZString().decompressFromEncodedURIComponent(squeezed)
    return text


def test_the_signature_is_hmac_sha256_of_cons_id_and_timestamp() -> None:
    expected = _expected_signature(CONS_ID, SECRET, STAMP)
    assert crypto.signature(CONS_ID, SECRET, STAMP) == expected
    assert crypto.headers(CONS_ID, SECRET, USER_KEY, STAMP) == {
        "X-cons-id": CONS_ID,
        "X-timestamp": STAMP,
        "X-signature": expected,
        "user_key": USER_KEY,
    }
    # Another timestamp, another signature: the timestamp is signed.
    assert crypto.signature(CONS_ID, SECRET, "1733443201") != expected


@pytest.mark.parametrize(
    "value",
    [
        {"list": [{"kdpoli": "INT", "nmpoli": "PENYAKIT DALAM"}]},
        [{"namadokter": "dr. Dewi Lestari, Sp.A", "kodedokter": 31002}],
        {"teks": "Poli Anak — jadwal 08:00-14:00 ✓", "angka": 12},
    ],
)
def test_an_answer_bpjs_encrypted_is_decrypted(value: object) -> None:
    plain = json.dumps(value, ensure_ascii=False)
    sealed = _sealed(CONS_ID, SECRET, STAMP, plain)
    assert crypto.decrypt(CONS_ID, SECRET, STAMP, sealed) == plain


def test_what_the_stand_in_encrypts_opens_with_the_recipe() -> None:
    plain = json.dumps({"metadata": "x", "n": [1, 2, 3]})
    assert _opened(CONS_ID, SECRET, STAMP, crypto.encrypt(CONS_ID, SECRET, STAMP, plain)) == plain


@pytest.mark.parametrize(
    ("secret", "stamp", "sealed"),
    [
        ("another-secret", STAMP, None),  # the consumer secret changed
        (SECRET, "1733443299", None),  # decrypted with another request's timestamp
        (SECRET, STAMP, "not base64 at all!"),
        (SECRET, STAMP, base64.b64encode(b"0123456789abcdef").decode()),  # one bad block
        (SECRET, STAMP, ""),
    ],
)
def test_an_answer_that_does_not_decrypt_is_an_error(
    secret: str, stamp: str, sealed: str | None
) -> None:
    text = sealed if sealed is not None else _sealed(CONS_ID, SECRET, STAMP, '{"a": 1}')
    with pytest.raises(crypto.DecryptError):
        crypto.decrypt(CONS_ID, secret, stamp, text)

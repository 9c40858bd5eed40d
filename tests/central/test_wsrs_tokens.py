"""WS RS tokens as BPJS's Mobile JKN meets them, on two real server processes of one database.

BPJS asks ``GET /api/v1/wsrs/token`` with ``x-username`` and ``x-password``, then sends
``x-token`` and ``x-username`` on each call. A token one process issued works on the
other; a wrong password, a wrong username, an expired, tampered or missing token is
refused in BPJS's envelope (``metadata.code`` 201, HTTP 401). The expired token is
signed here, with the stdlib, from the secret the server keeps, not by the code under test.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from central.access.audit import server_secret
from central.database import Database
from central.process import RunningCentral, start_central
from central.wsrs.tokens import TOKEN_SECRET
from testkit.centres import BACKENDS, LOOSE_SERVER_ARGS, migrated_database

pytestmark = pytest.mark.timeout(120)

USERNAME = "bpjs-mjkn"
PASSWORD = "rahasia-uji-ws-rs-0001"  # noqa: S105 - the test's own account
TOKEN_PATH = "/api/v1/wsrs/token"  # noqa: S105 - a path
SISA = "/api/v1/wsrs/antrean/sisa"
A_CODE = "123456780"  # nine digits, a valid Damm check digit, no such booking


def integrations_file(folder: Path, password: str = PASSWORD, extra: str = "") -> Path:
    path = folder / "integrations.toml"
    # BPJS Antrean RS itself is never reached here (nothing to report): port 9, closed.
    path.write_text(
        "[bpjs]\n"
        'antrean_url = "http://127.0.0.1:9/antreanrs"\n'
        'cons_id = "12345"\n'
        'secret_key = "rahasia-rs"\n'
        'user_key = "kunci-pengguna"\n'
        f'ws_rs_username = "{USERNAME}"\n'
        f'ws_rs_password = "{password}"\n' + extra,
        encoding="utf-8",
    )
    path.chmod(0o600)
    return path


@pytest.fixture(scope="module", params=BACKENDS)
def two_centres(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[RunningCentral, RunningCentral]]:
    """Two server processes on one database, the WS RS on in both."""
    folder = tmp_path_factory.mktemp("wsrs-tokens")
    url = migrated_database(request, tmp_path_factory, str(request.param))
    args = (*LOOSE_SERVER_ARGS, "--integrations", str(integrations_file(folder)))
    first = start_central(seed_demo=True, db_url=url, extra_args=args)
    try:
        second = start_central(seed_demo=True, db_url=url, extra_args=args)
        try:
            yield first, second
        finally:
            second.stop()
    finally:
        first.stop()


def get_token(url: str, username: str = USERNAME, password: str = PASSWORD) -> requests.Response:
    return requests.get(
        url + TOKEN_PATH, headers={"x-username": username, "x-password": password}, timeout=10
    )


def sisa(url: str, token: str | None, username: str | None = USERNAME) -> requests.Response:
    headers = {}
    if token is not None:
        headers["x-token"] = token
    if username is not None:
        headers["x-username"] = username
    return requests.post(url + SISA, json={"kodebooking": A_CODE}, headers=headers, timeout=10)


def refused(response: requests.Response, words: str) -> None:
    assert response.status_code == 401, response.text
    body = response.json()
    assert set(body) == {"metadata"}
    assert body["metadata"]["code"] == 201
    assert words in body["metadata"]["message"]


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def forged(secret: bytes, username: str, expiry_ms: int, password: str = PASSWORD) -> str:
    """A token as docs/bpjs-wsrs.md specifies it, signed here with the stdlib."""
    key = hmac.new(secret, b"ws-rs-token\0" + password.encode(), hashlib.sha256).digest()
    payload = b64(json.dumps({"u": username, "exp": expiry_ms}).encode())
    mac = hmac.new(key, payload.encode(), hashlib.sha256).digest()
    return f"{payload}.{b64(mac)}"


def test_the_token_is_answered_in_bpjs_envelope(
    two_centres: tuple[RunningCentral, RunningCentral],
) -> None:
    response = get_token(two_centres[0].url)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["metadata"] == {"message": "Ok", "code": 200}
    assert isinstance(body["response"]["token"], str) and body["response"]["token"]


def test_a_token_from_one_process_works_on_the_other(
    two_centres: tuple[RunningCentral, RunningCentral],
) -> None:
    first, second = two_centres
    token = get_token(first.url).json()["response"]["token"]
    for centre in (second, first):
        response = sisa(centre.url, token)
        # Past the token: the call itself is answered (no such booking).
        assert response.status_code == 200, response.text
        assert response.json() == {
            "metadata": {"code": 201, "message": response.json()["metadata"]["message"]}
        }
        assert "Kode booking tidak ditemukan" in response.json()["metadata"]["message"]


def test_a_wrong_password_or_username_gets_no_token(
    two_centres: tuple[RunningCentral, RunningCentral],
) -> None:
    url = two_centres[1].url
    refused(
        get_token(url, password="salah"),  # noqa: S106 - a wrong one on purpose
        "Username atau password tidak sesuai",
    )
    refused(get_token(url, username="orang-lain"), "Username atau password tidak sesuai")
    refused(requests.get(url + TOKEN_PATH, timeout=10), "Username atau password tidak sesuai")


def test_the_token_must_go_with_its_username(
    two_centres: tuple[RunningCentral, RunningCentral],
) -> None:
    first, second = two_centres
    token = get_token(first.url).json()["response"]["token"]
    refused(sisa(second.url, token, username="orang-lain"), "Username tidak sesuai")
    refused(sisa(second.url, token, username=None), "wajib dikirim")
    refused(sisa(second.url, None), "wajib dikirim")


def test_an_expired_or_tampered_token_is_refused(
    two_centres: tuple[RunningCentral, RunningCentral],
) -> None:
    first, second = two_centres
    db = Database(first.db_url)
    try:
        secret = server_secret(db, TOKEN_SECRET)
    finally:
        db.dispose()
    now_ms = int(time.time() * 1000)
    # Signed right, an hour past: expired. The same, still good: accepted.
    refused(sisa(second.url, forged(secret, USERNAME, now_ms - 3_600_000)), "kedaluwarsa")
    assert sisa(second.url, forged(secret, USERNAME, now_ms + 600_000)).status_code == 200
    # Signed with another password, or its claims changed: not the server's token.
    refused(sisa(second.url, forged(secret, USERNAME, now_ms + 600_000, "lama")), "tidak valid")
    good = get_token(first.url).json()["response"]["token"]
    payload, mac = good.split(".")
    longer = b64(json.dumps({"u": USERNAME, "exp": now_ms + 10**10}).encode())
    refused(sisa(second.url, f"{longer}.{mac}"), "tidak valid")
    for junk in ("x", "a.b.c", "é.é", "." * 600, payload):
        refused(sisa(second.url, junk), "tidak valid")


def test_the_ws_rs_is_off_without_an_account(central_server: RunningCentral) -> None:
    response = get_token(central_server.url)
    assert response.status_code == 404
    assert response.json()["metadata"]["code"] == 201
    assert "tidak aktif" in response.json()["metadata"]["message"]
    response = sisa(central_server.url, "a.b")
    assert response.status_code == 404
    assert response.json()["metadata"]["code"] == 201


@pytest.fixture(scope="module")
def strict_centre(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningCentral]:
    """A centre with the default per-address limits made small: three token attempts a minute."""
    folder = tmp_path_factory.mktemp("wsrs-strict")
    args = ("--auth-rate", "3", "--integrations", str(integrations_file(folder)))
    server = start_central(seed_demo=True, db_url=f"sqlite:///{folder / 'c.db'}", extra_args=args)
    try:
        yield server
    finally:
        server.stop()


def test_over_the_limit_no_password_is_checked_not_even_the_right_one(
    strict_centre: RunningCentral,
) -> None:
    for guess in ("tebakan-1", "tebakan-2", "tebakan-3"):
        refused(get_token(strict_centre.url, password=guess), "password tidak sesuai")
    # The address has used its attempts: the right password is not even looked at, so a
    # guesser learns nothing from the answers once over the limit.
    for password in ("tebakan-4", PASSWORD):
        response = get_token(strict_centre.url, password=password)
        assert response.status_code == 429, response.text
        assert int(response.headers["Retry-After"]) >= 1
        assert response.json()["metadata"]["code"] == 201
        assert "Terlalu banyak" in response.json()["metadata"]["message"]


def test_bpjs_calls_have_their_own_limit_not_the_kiosks_per_address_one(
    tmp_path: Path,
) -> None:
    """The kiosks' limit is 6 a minute per address here; BPJS's own, 20: its calls from one
    address are counted by the account, past the kiosks' limit and up to its own."""
    config = integrations_file(tmp_path, extra="ws_rs_rate_per_minute = 20\n")
    args = ("--rate", "6", "--burst", "6", "--integrations", str(config))
    server = start_central(seed_demo=True, db_url=f"sqlite:///{tmp_path / 'c.db'}", extra_args=args)
    try:
        token = get_token(server.url).json()["response"]["token"]
        answers = [sisa(server.url, token).status_code for _ in range(21)]
    finally:
        server.stop()
    assert answers[:20] == [200] * 20, answers
    assert answers[20] == 429

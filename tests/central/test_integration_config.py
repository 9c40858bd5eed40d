"""The --integrations file: both off when absent, a [bpjs] section alone is complete,
secrets never in a repr or a log, bad files refused with a clear message."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import pytest

from central.cli_options import add_server_options, settings_from
from central.integrations.config import IntegrationsError, digest, load, parse

BPJS = """
[bpjs]
antrean_url = "https://apijkn-dev.bpjs-kesehatan.go.id/antreanrs_dev/"
cons_id = "21540"
secret_key = "RAHASIA-SEKALI"
user_key = "KUNCI-PENGGUNA-99"
ws_rs_username = "rs-pku"
ws_rs_password = "SANDI-WSRS-77"
"""
SATUSEHAT = """
[satusehat]
auth_url = "https://api-satusehat-stg.dto.kemkes.go.id/oauth2/v1"
base_url = "https://api-satusehat-stg.dto.kemkes.go.id/fhir-r4/v1"
client_id = "klien"
client_secret = "RAHASIA-KLIEN-55"
organization_id = "10000004"
"""
SECRETS = ("RAHASIA-SEKALI", "KUNCI-PENGGUNA-99", "SANDI-WSRS-77", "RAHASIA-KLIEN-55")


def _settings(tmp_path: Path, text: str | None) -> object:
    parser = argparse.ArgumentParser()
    add_server_options(parser)
    argv: list[str] = []
    if text is not None:
        path = tmp_path / "integrations.toml"
        path.write_text(text, encoding="utf-8")
        path.chmod(0o600)
        argv = ["--integrations", str(path)]
    return settings_from(parser.parse_args(argv))


def test_both_are_off_without_the_file(tmp_path: Path) -> None:
    settings = _settings(tmp_path, None)
    assert settings.integrations.bpjs is None  # type: ignore[attr-defined]
    assert settings.integrations.satusehat is None  # type: ignore[attr-defined]


def test_a_file_with_only_bpjs_is_complete(tmp_path: Path) -> None:
    integrations = _settings(tmp_path, BPJS).integrations  # type: ignore[attr-defined]
    assert integrations.satusehat is None
    bpjs = integrations.bpjs
    assert bpjs.antrean_url == "https://apijkn-dev.bpjs-kesehatan.go.id/antreanrs_dev"
    assert (bpjs.cons_id, bpjs.secret_key, bpjs.user_key) == (
        "21540",
        "RAHASIA-SEKALI",
        "KUNCI-PENGGUNA-99",
    )
    assert bpjs.timeout_s == 10.0


def test_secrets_never_appear_in_reprs_or_logs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    path = tmp_path / "open.toml"
    path.write_text(BPJS + SATUSEHAT, encoding="utf-8")
    path.chmod(0o644)  # readable by others: a warning, which names the file only
    integrations = load(path)
    logging.getLogger("test").info("configured: %r %s", integrations, integrations)
    shown = repr(integrations) + str(integrations) + caplog.text
    assert "21540" in shown and "chmod 600" in caplog.text
    for secret in SECRETS:
        assert secret not in shown
    for section in (integrations.bpjs, integrations.satusehat):
        made = digest(section)
        assert made is not None
        for secret in SECRETS:
            assert secret not in made


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (BPJS.replace('cons_id = "21540"\n', ""), "kurang: cons_id"),
        (BPJS + 'colour = "blue"\n', "kunci tidak dikenal di [bpjs]: colour"),
        (BPJS + "[vclaim]\n", "bagian tidak dikenal: vclaim"),
        (BPJS.replace("https://apijkn", "ftp://apijkn"), "antrean_url harus alamat"),
        (BPJS.replace("https://", "https://user:pw@"), "tanpa nama pengguna"),
        (BPJS + "timeout_s = 0\n", "timeout_s harus lebih dari 0"),
        (BPJS + "retry_base_s = 100\nretry_max_s = 10\n", "retry_base_s tidak boleh"),
        (BPJS.replace('"SANDI-WSRS-77"', '""'), "ws_rs_password harus teks"),
        ("[bpjs\n", "berkas TOML tidak sah"),
    ],
)
def test_a_bad_file_is_refused_saying_why(text: str, words: str) -> None:
    with pytest.raises(IntegrationsError) as refused:
        parse(text)
    message = str(refused.value)
    assert words in message and " / " in message  # Indonesian, then English
    for secret in SECRETS:
        assert secret not in message


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(IntegrationsError, match="tidak dapat dibaca"):
        load(tmp_path / "absent.toml")

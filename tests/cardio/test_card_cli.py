"""``kiosk card``: issue a card, present it to a real pcscd or nfcpy, read it back.

Every step goes through the command as an issuer or tester would type it.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from testkit.nfc_udp import free_udp_port, udp_path
from testkit.pcscd import READER, Pcscd

ROOT = Path(__file__).resolve().parents[2]
SITI = {
    "card_number": "PKU-000001",
    "nik": "1471015203850001",
    "full_name": "Siti Aminah",
    "date_of_birth": "1985-03-12",
    "sex": "F",
}


def kiosk(*args: str | Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk.cli.main", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


class Issuer:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.key = folder / "issuer" / "issuer-key.json"
        self.trust = folder / "issuer" / "trust-list.json"
        self.revocations = folder / "issuer" / "revocation-list.json"
        result = kiosk("card", "keygen", "--out", folder / "issuer", "--issuer", "ID-PKU")
        assert result.returncode == 0, result.stderr
        (folder / "siti.json").write_text(json.dumps(SITI))

    def card(self, name: str, *extra: str) -> Path:
        out = self.folder / f"{name}.json"
        result = kiosk(
            "card",
            "issue",
            "--issuer-key",
            self.key,
            "--claims",
            self.folder / "siti.json",
            "--out",
            out,
            *extra,
        )
        assert result.returncode == 0, result.stderr
        return out


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> Issuer:
    return Issuer(tmp_path_factory.mktemp("issuer"))


@pytest.fixture(scope="module")
def stranger(tmp_path_factory: pytest.TempPathFactory) -> Issuer:
    return Issuer(tmp_path_factory.mktemp("stranger"))


def emulating(*args: str | Path) -> Iterator[str]:
    """While the card is presented: its "card … presented" line."""
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli.main", "card", "emulate", *map(str, args)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline()  # "card … presented" once it is on the reader
        assert "presented" in line, line + process.stderr.read()
        yield line
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        if process.stderr is not None:
            process.stderr.close()


def read(*args: str | Path) -> tuple[int, dict[str, Any]]:
    result = kiosk("card", "read", "--json", "--timeout", "10", *args)
    return result.returncode, json.loads(result.stdout)


def test_issue_refuses_a_nik_that_contradicts_the_birth_date(issuer: Issuer) -> None:
    claims = issuer.folder / "wrong.json"
    claims.write_text(json.dumps({**SITI, "date_of_birth": "1985-03-13"}))
    result = kiosk(
        "card",
        "issue",
        "--issuer-key",
        issuer.key,
        "--claims",
        claims,
        "--out",
        issuer.folder / "wrong-card.json",
    )
    assert result.returncode == 2 and "nik" in result.stderr.lower()
    assert not (issuer.folder / "wrong-card.json").exists()


def test_bad_trust_file_is_a_usage_error(tmp_path: Path) -> None:
    bad = tmp_path / "trust.json"
    bad.write_text("{}")
    result = kiosk("card", "read", "--trust", bad, "--json", "--timeout", "1")
    assert result.returncode == 2 and "trust" in result.stderr.lower()


@pytest.mark.pcsc
def test_read_with_no_card_times_out_with_a_reason(pcscd: Pcscd, issuer: Issuer) -> None:
    code, answer = read("--reader", READER, "--trust", issuer.trust, "--timeout", "1")
    assert code == 1 and answer["reason"] == "timeout"


@pytest.mark.pcsc
def test_a_genuine_card_through_pcscd_is_clone_proof(pcscd: Pcscd, issuer: Issuer) -> None:
    card = issuer.card("genuine")
    for _ in emulating(card, "--vpcd", f"127.0.0.1:{pcscd.port}"):
        code, answer = read(
            "--reader", READER, "--trust", issuer.trust, "--revocations", issuer.revocations
        )
    assert code == 0, answer
    assert answer["assurance"] == "clone_proof" and answer["issuer"] == "ID-PKU"
    assert answer["claims"]["full_name"] == "Siti Aminah"
    assert answer["uid"] is None and answer["uid_bytes"] == 7  # by its length unless asked


@pytest.mark.pcsc
@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        ("forged", "bad_signature"),
        ("tampered", "bad_signature"),
        ("cloned", "clone_suspected"),
        ("expired", "expired"),
        ("trailing", "malformed"),
        ("unprotected", "malformed"),
        ("bidi", "malformed"),
    ],
)
def test_refused_cards_exit_non_zero_with_a_reason(
    pcscd: Pcscd, issuer: Issuer, tamper: str, reason: str
) -> None:
    card = issuer.card(tamper, "--tamper", tamper)
    for _ in emulating(card, "--vpcd", f"127.0.0.1:{pcscd.port}"):
        code, answer = read("--reader", READER, "--trust", issuer.trust)
    assert (code, answer["ok"], answer["reason"]) == (1, False, reason)


@pytest.mark.pcsc
def test_unknown_issuer_and_revoked(pcscd: Pcscd, issuer: Issuer, stranger: Issuer) -> None:
    theirs = stranger.card("theirs")
    for _ in emulating(theirs, "--vpcd", f"127.0.0.1:{pcscd.port}"):
        code, answer = read("--reader", READER, "--trust", issuer.trust)
    assert (code, answer["reason"]) == (1, "unknown_issuer")

    revoked = issuer.folder / "revoked.json"
    revoked.write_text(
        json.dumps(
            {
                "format": "anjungan-revocation-list/1",
                "version": 2,
                "revoked": {"ID-PKU": ["PKU-000001"]},
            }
        )
    )
    ours = issuer.card("ours")
    time.sleep(0.5)  # let pcscd notice the previous card leave
    for _ in emulating(ours, "--vpcd", f"127.0.0.1:{pcscd.port}"):
        code, answer = read("--reader", READER, "--trust", issuer.trust, "--revocations", revoked)
    assert (code, answer["reason"]) == (1, "revoked")


@pytest.mark.parametrize(("ndef", "assurance"), [(False, "clone_proof"), (True, "signed")])
def test_through_nfcpy_udp(issuer: Issuer, ndef: bool, assurance: str) -> None:
    path = udp_path(free_udp_port())
    card = issuer.card(f"nfc-{ndef}")
    extra = ["--ndef"] if ndef else []
    for _ in emulating(card, "--nfc", path, *extra):
        code, answer = read("--backend", "nfc", "--nfc-path", path, "--trust", issuer.trust)
    assert code == 0, answer
    assert answer["assurance"] == assurance
    assert answer["claims"]["nik"] == "1471015203850001"


UID = "04A1B2C3D4E5F6"


def test_the_card_commands_print_a_uid_by_its_length_unless_asked(issuer: Issuer) -> None:
    """A UID is read off a card by anyone near it and names its holder to whoever holds
    the city's list of cards: the card commands print it as the kiosk logs it
    (``uid=<7 bytes>``), and whole only under ``--show-uid``."""
    card = issuer.folder / "uid-card.json"
    issue = ("card", "issue", "--issuer-key", issuer.key, "--claims", issuer.folder / "siti.json")
    for extra, expected in (([], "uid=<7 bytes>"), (["--show-uid"], f"uid={UID.lower()}")):
        issued = kiosk(*issue, "--out", card, "--uid", UID, *extra)
        assert issued.returncode == 0, issued.stderr
        path = udp_path(free_udp_port())
        printed = [issued.stdout]
        for line in emulating(card, "--nfc", path, *extra):
            reading = ("card", "read", "--backend", "nfc", "--nfc-path", path, "--timeout", "10")
            result = kiosk(*reading, "--trust", issuer.trust, *extra)
            assert result.returncode == 0, result.stdout + result.stderr
            printed += [line, result.stdout]
        assert len(printed) == 3, printed  # issue, emulate and read each said it
        for text in printed:
            assert expected in text, printed
            if not extra:
                assert UID not in text.upper(), printed


def test_read_as_json_gives_a_uid_whole_only_when_asked(issuer: Issuer) -> None:
    card = issuer.card("uid-json", "--uid", UID)
    for asked in ([], ["--show-uid"]):
        path = udp_path(free_udp_port())
        for _ in emulating(card, "--nfc", path):
            code, answer = read(
                "--backend", "nfc", "--nfc-path", path, "--trust", issuer.trust, *asked
            )
        assert code == 0 and answer["uid_bytes"] == 7, answer
        if asked:
            assert answer["uid"] == UID.lower(), answer
        else:
            assert answer["uid"] is None and UID not in json.dumps(answer).upper(), answer

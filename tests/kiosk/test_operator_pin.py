"""The operator PIN: its hash format, the CLI that makes it, and the lockout (#7)."""

from __future__ import annotations

import io
import logging

import pytest

from kiosk.cli.main import main
from kiosk.config import parse_config
from kiosk.errors import ConfigError, PinFormatError
from kiosk.operator.pin import (
    FIRST_LOCKOUT_S,
    MAX_LOCKOUT_S,
    MAX_TRIES,
    PinGuard,
    check_pin_format,
    hash_pin,
    verify_pin,
)
from testkit.clocks import ManualClock


def test_hash_is_one_salted_scrypt_string_that_verifies() -> None:
    stored = hash_pin("482913")
    scheme, n, r, p, salt, digest = stored.split("$")
    assert (scheme, n, r, p) == ("scrypt", "16384", "8", "1")
    assert len(salt) >= 20 and len(digest) >= 40
    assert verify_pin("482913", stored)
    assert not verify_pin("482914", stored)
    assert not verify_pin("", stored)
    assert hash_pin("482913") != stored, "a fresh salt each time"
    assert "482913" not in stored


@pytest.mark.parametrize("pin", ["123", "1234567890123", "12a4", "１２３４", ""])
def test_a_pin_is_4_to_12_ascii_digits(pin: str) -> None:
    with pytest.raises(PinFormatError):
        check_pin_format(pin)


@pytest.mark.parametrize(
    "stored",
    [
        "1234",
        "bcrypt$16384$8$1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
        "scrypt$1000$8$1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",  # N not a power of two
        "scrypt$1073741824$8$1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",  # N too costly
        "scrypt$16384$8$1$!!$aGFzaGhhc2hoYXNoaGFzaA",
    ],
)
def test_an_unusable_hash_in_the_config_names_the_key(stored: str) -> None:
    with pytest.raises(ConfigError, match=r"^operator\.pin_hash"):
        parse_config({"operator": {"pin_hash": stored}})


def test_a_good_hash_is_accepted_by_the_config() -> None:
    stored = hash_pin("2468")
    assert parse_config({"operator": {"pin_hash": stored}}).operator.pin_hash == stored


def test_the_desk_timeout_must_outlast_the_warning() -> None:
    with pytest.raises(ConfigError, match=r"^session\.desk_idle_timeout_s"):
        parse_config({"session": {"desk_idle_timeout_s": 10.0}})


def test_cli_prints_a_hash_of_the_pin_from_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("97531\n"))
    assert main(["operator-pin", "--stdin"]) == 0
    out = capsys.readouterr()
    stored = out.out.strip()
    assert verify_pin("97531", stored)
    assert "97531" not in out.out + out.err
    assert "pin_hash" in out.err


def test_cli_refuses_a_short_pin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("12\n"))
    assert main(["operator-pin", "--stdin"]) == 2
    assert capsys.readouterr().out == ""


def test_guard_locks_after_five_wrong_pins_for_a_growing_delay(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    clock = ManualClock()
    guard = PinGuard("scrypt$...", clock)
    verdicts = [guard.record(False) for _ in range(MAX_TRIES)]
    assert [v.tries_left for v in verdicts[:-1]] == [4, 3, 2, 1]
    assert verdicts[-1].outcome == "locked" and verdicts[-1].locked_s == FIRST_LOCKOUT_S
    assert guard.record(True).outcome == "locked", "the right PIN waits too"
    clock.now += FIRST_LOCKOUT_S
    delays = []
    for _ in range(8):
        for _ in range(MAX_TRIES):
            last = guard.record(False)
        delays.append(last.locked_s)
        clock.now += last.locked_s
    assert delays[:4] == [
        2 * FIRST_LOCKOUT_S,
        4 * FIRST_LOCKOUT_S,
        8 * FIRST_LOCKOUT_S,
        16 * FIRST_LOCKOUT_S,
    ]
    assert max(delays) == MAX_LOCKOUT_S
    assert guard.record(True).outcome == "ok"
    assert guard.record(False).tries_left == MAX_TRIES - 1, "a success starts the count again"
    assert "locked for 30 s" in caplog.text


def test_guard_without_a_hash_is_disabled() -> None:
    guard = PinGuard("", ManualClock())
    assert not guard.enabled and guard.record(True).outcome == "disabled"

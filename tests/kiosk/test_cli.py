"""The `kiosk` command as an operator meets it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kiosk.cli.main import build_parser
from kiosk.config import Config, office_clock
from offline_store import Store
from testkit.commands import kiosk

ROOT = Path(__file__).resolve().parents[2]


def test_help_explains_each_subcommand() -> None:
    result = kiosk("--help")
    assert result.returncode == 0
    for command in ("demo", "run", "server", "card", "ticket", "operator-pin", "sync", "doctor"):
        assert command in result.stdout
    subcommands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert set(subcommands) == {
        *("demo", "run", "server", "card", "ticket", "operator-pin", "sync", "doctor")
    }
    card = kiosk("card", "--help")
    assert all(c in card.stdout for c in ("keygen", "issue", "emulate", "read"))


def test_bad_config_exits_2_naming_the_key(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text('[card]\nbackend = "magnetic"\n')
    result = kiosk("run", "--config", str(config))
    assert result.returncode == 2
    assert "card.backend" in result.stderr and "simulated, pcsc" in result.stderr
    assert "Traceback" not in result.stderr


def test_config_from_the_environment_is_used(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text("[session]\nidle_timeout_s = 0\n")
    result = kiosk("run", env={"ANJUNGAN_CONFIG": str(config)})
    assert result.returncode == 2 and "session.idle_timeout_s" in result.stderr


def test_run_with_unreachable_server_stays_up(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[kiosk]\ndata_dir = "{tmp_path / "data"}"\n'
        '[central]\nurl = "http://127.0.0.1:9"\ntimeout_s = 0.5\n'
    )
    result = kiosk("run", "--config", str(config), "--exit-after", "2")
    assert result.returncode == 0, result.stderr
    assert "central server unreachable" in result.stderr
    assert "Traceback" not in result.stderr


def test_run_with_an_unusable_store_stays_up_out_of_service(tmp_path: Path) -> None:
    # Exiting would only make the service manager restart it, flickering, every 2 s.
    data = tmp_path / "data"
    data.mkdir()
    (data / "kiosk.db").write_bytes(b"half a database, then the power went" * 200)
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[kiosk]\ndata_dir = "{data}"\n[central]\nurl = "http://127.0.0.1:9"\ntimeout_s = 0.5\n'
    )
    result = kiosk("run", "--config", str(config), "--exit-after", "3")
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("local store unusable") >= 1
    assert "out of service" in result.stderr and "Traceback" not in result.stderr
    assert (data / "kiosk.db").read_bytes().startswith(b"half a database")  # left for repair


def test_server_subcommand_passes_its_options_through() -> None:
    result = kiosk("server", "--help")
    assert result.returncode == 0
    assert "--seed-demo" in result.stdout


@pytest.mark.slow
def test_demo_starts_serves_and_stops_by_itself(tmp_path: Path) -> None:
    shot = tmp_path / "attract.png"
    result = kiosk(
        "demo", "--output", str(tmp_path), "--exit-after", "4", "--screenshot", str(shot)
    )
    assert result.returncode == 0, result.stderr
    assert "catalog demo-" in result.stderr  # the kiosk fetched the demo catalog
    centre = re.search(r"demo central server: (http://127\.0\.0\.1:\d+)", result.stderr)
    assert centre is not None, result.stderr
    for page in ("/counter", "/board/bd_demo-", "/dashboard", "/stats"):
        assert f"{centre.group(1)}{page}" in result.stderr
    assert "petugas / anjungan-demo" in result.stderr
    assert shot.stat().st_size > 10_000
    assert (tmp_path / "tickets").is_dir() and (tmp_path / "data" / "kiosk.db").is_file()


def test_every_subcommand_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    subcommands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    names = [f"kiosk {c}" for c in subcommands]
    card = subcommands["card"]._subparsers._group_actions[0].choices
    names += [f"kiosk card {c}" for c in card]
    ticket = subcommands["ticket"]._subparsers._group_actions[0].choices
    names += [f"kiosk ticket {c}" for c in ticket]
    assert [n for n in names if f"`{n}" not in readme] == []


@pytest.mark.slow
def test_the_hospital_demo_kiosk_stands_in_the_demo_hospital(tmp_path: Path) -> None:
    result = kiosk(
        "demo",
        "--office",
        "rsud-pku",
        "--output",
        str(tmp_path),
        "--exit-after",
        "6",
        "--screenshot",
        str(tmp_path / "attract.png"),
    )
    assert result.returncode == 0, result.stderr
    assert "RSUD Kota Pekanbaru" in result.stderr
    assert "doctors of today cached" in result.stderr  # the poli's doctors, fetched
    store = Store.open(tmp_path / "data-rsud-pku" / "kiosk.db")
    try:
        # the kiosk's day, as it keeps them: the office's date (Jakarta's), not this machine's
        today = office_clock(Config())().date()
        doctors = store.doctors_today("rsud-pku", today)
    finally:
        store.close()
    assert {d.service_id for d in doctors} >= {"poli-dalam", "poli-anak", "poli-gigi"}

"""``kiosk server`` operator commands against a live server's database.

The commands run in this process through :func:`kiosk.cli.main.main` (what the
``kiosk`` script calls); tests/central/test_migrations.py runs one as a
child process.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pytest
import requests

from central.process import RunningCentral
from kiosk.cli.main import main
from testkit.centre_accounts import bearer, enrol

pytestmark = pytest.mark.timeout(60)


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


class RunCli(Protocol):
    def __call__(self, *args: str, stdin: str = "") -> Result: ...


@pytest.fixture
def server_cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> RunCli:
    def run(*args: str, stdin: str = "") -> Result:
        capsys.readouterr()
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        status = main(["server", *args])
        out = capsys.readouterr()
        return Result(status, out.out, out.err)

    return run


def test_enrol_code_kiosks_and_revoke(central_server: RunningCentral, server_cli: RunCli) -> None:
    db = central_server.db_url
    made = server_cli("enrol-code", "--office", "pku-mpp", "--note", "Loket 3", "--db", db)
    assert made.returncode == 0, made.stderr
    code = made.stdout.strip()
    assert len(code) == 19 and code.count("-") == 3, "only the code on stdout"
    assert "valid until" in made.stderr

    enrolled = enrol(central_server.url, code)
    assert enrolled.status_code == 201
    kiosk_id, token = enrolled.json()["kiosk_id"], enrolled.json()["token"]

    listed = server_cli("kiosks", "--db", db)
    assert listed.returncode == 0
    line = next(line for line in listed.stdout.splitlines() if line.startswith(kiosk_id))
    assert "active" in line

    revoked = server_cli("--db", db, "revoke-kiosk", kiosk_id)  # --db before the command too
    assert revoked.returncode == 0, revoked.stderr
    assert "1 token(s) revoked" in revoked.stderr
    catalog = requests.get(f"{central_server.url}/api/v1/catalog", headers=bearer(token), timeout=5)
    assert catalog.status_code == 401


def test_refusals_exit_1_with_a_message(central_server: RunningCentral, server_cli: RunCli) -> None:
    db = central_server.db_url
    unknown_office = server_cli("enrol-code", "--office", "nowhere", "--db", db)
    assert unknown_office.returncode == 1
    assert "no office 'nowhere'" in unknown_office.stderr
    unknown_kiosk = server_cli("revoke-kiosk", "00000000-0000-0000-0000-000000000000", "--db", db)
    assert unknown_kiosk.returncode == 1
    assert "Traceback" not in unknown_kiosk.stderr


def test_add_staff_then_log_in(central_server: RunningCentral, server_cli: RunCli) -> None:
    db = central_server.db_url
    password = "kata sandi yang panjang"  # noqa: S105 - a test account
    added = server_cli(
        "add-staff", "kepala-loket", "--role", "admin", "--password-stdin", "--db", db,
        stdin=password + "\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    login = requests.post(
        f"{central_server.url}/api/v1/staff/login",
        json={"username": "kepala-loket", "password": password},
        timeout=5,
    )
    assert login.status_code == 200
    assert login.json()["staff"] == {"username": "kepala-loket", "role": "admin", "office_id": None}
    weak = server_cli("add-staff", "lemah", "--password-stdin", "--db", db, stdin="short\n")
    assert weak.returncode == 1 and "at least 10 characters" in weak.stderr


def test_disable_staff_ends_every_session_at_once(
    central_server: RunningCentral, server_cli: RunCli
) -> None:
    db = central_server.db_url
    password = "kata sandi yang panjang"  # noqa: S105 - a test account
    added = server_cli(
        "add-staff", "petugas-pindah", "--password-stdin", "--db", db, stdin=password + "\n"
    )
    assert added.returncode == 0, added.stderr
    tokens = [
        requests.post(
            f"{central_server.url}/api/v1/staff/login",
            json={"username": "petugas-pindah", "password": password},
            timeout=5,
        ).json()["token"]
        for _ in range(2)
    ]
    done = server_cli("disable-staff", "petugas-pindah", "--db", db)
    assert done.returncode == 0 and "2 session(s) ended" in done.stderr
    for token in tokens:
        me = requests.get(f"{central_server.url}/api/v1/staff/me", headers=bearer(token), timeout=5)
        assert me.status_code == 401
    again = requests.post(
        f"{central_server.url}/api/v1/staff/login",
        json={"username": "petugas-pindah", "password": password},
        timeout=5,
    )
    assert again.status_code == 401
    unknown = server_cli("disable-staff", "tidak-ada", "--db", db)
    assert unknown.returncode == 1 and "no staff account" in unknown.stderr


def test_an_unusable_database_exits_4(tmp_path: Path, server_cli: RunCli) -> None:
    result = server_cli("migrate", "--db", "mysql://nobody@localhost/x")
    assert result.returncode == 4
    assert "unsupported database" in result.stderr

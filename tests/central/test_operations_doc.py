"""docs/operations.md's Install steps, followed as written, end with a kiosk enrolled.

The settings file is the one in the document (only the file paths, which point into
a temporary folder, and the port differ), the password and audit key come from a
credentials folder as systemd hands them, the centre starts on PostgreSQL with a role
that has a password, the document's own ``enrol-code`` line makes a code, and a kiosk
enrols with it and fetches the catalog and both lists.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from central.process import start_central
from contract.demo import DEMO_REVOCATION_LIST, DEMO_TRUST_LIST
from kiosk.client.client import CentralClient
from testkit.pg_cluster import PgCluster

pytestmark = pytest.mark.timeout(120)

DOC = Path(__file__).resolve().parents[2] / "docs" / "operations.md"
DEMO_CATALOG = Path(__file__).resolve().parents[2] / "central" / "demo_data" / "catalog.json"


def _install_section() -> str:
    text = DOC.read_text(encoding="utf-8")
    return text.split("\n## Install\n", 1)[1].split("\n## ", 1)[0]


def _settings_file(section: str) -> str:
    found = re.search(r"In `/etc/anjungan/central\.toml`:\n\n```toml\n(.*?)```", section, re.S)
    assert found, "operations.md: no central.toml block under Install"
    return found.group(1)


def _enrol_code_args(section: str) -> list[str]:
    found = re.search(r"^anjungan-central (enrol-code .*)$", section, re.M)
    assert found, "operations.md: no enrol-code line under Install"
    return shlex.split(found.group(1), comments=True)


def test_the_install_steps_enrol_a_kiosk(pg_cluster: PgCluster, tmp_path: Path) -> None:
    database = pg_cluster.create_database().rsplit("/", 1)[1]
    role = f"{database}_owner"  # one role per database: the suite shares its cluster
    url = pg_cluster.add_password_role(role, "rahasia-db", database)
    assert "rahasia-db" not in url
    etc = tmp_path / "etc"
    credentials = etc / "credentials"
    credentials.mkdir(parents=True)
    (credentials / "db-password").write_text("rahasia-db\n")
    (credentials / "audit-key").write_bytes(os.urandom(32))
    for source, name in (
        (DEMO_CATALOG, "catalog.json"),
        (DEMO_TRUST_LIST, "trust-list.json"),
        (DEMO_REVOCATION_LIST, "revocation-list.json"),
    ):
        shutil.copy(source, etc / name)
    section = _install_section()
    settings = _settings_file(section)
    assert 'db = "postgresql+psycopg://anjungan@127.0.0.1/anjungan"' in settings
    settings = settings.replace("/etc/anjungan/", f"{etc}/").replace(
        "postgresql+psycopg://anjungan@127.0.0.1/anjungan", url
    )
    config = etc / "central.toml"
    config.write_text(settings)
    env = {"CREDENTIALS_DIRECTORY": str(credentials)}
    with start_central(
        seed_demo=False, db_url=url, extra_args=("--config", str(config)), env=env
    ) as centre:
        made = subprocess.run(
            [sys.executable, "-m", "central", "--config", str(config), *_enrol_code_args(section)],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, **env},
            check=False,
        )
        assert made.returncode == 0, made.stderr[-2000:]
        code = made.stdout.strip().splitlines()[-1]
        with CentralClient(centre.url, timeout_s=10.0) as client:
            enrolled = client.enrol(code, name="kiosk lantai 1")
            assert enrolled.office_id == "pku-mpp"
            assert client.fetch_catalog().data is not None
            assert client.fetch_trust().data is not None
            assert client.fetch_revocations().data is not None

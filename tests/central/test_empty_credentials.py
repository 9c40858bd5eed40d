"""An empty systemd credential is none: the Debian package makes ``db-password`` and
``integrations`` empty (systemd will not start a service whose LoadCredential= file is
missing), and the centre starts on SQLite with them, integrations off."""

from __future__ import annotations

from pathlib import Path

import pytest

from central.process import start_central
from central.settings import DEMO_ENROLMENT_CODE
from testkit.centre_accounts import enrol

pytestmark = pytest.mark.timeout(60)


def test_empty_credentials_are_none_and_the_centre_serves(tmp_path: Path) -> None:
    credentials = tmp_path / "credentials"
    credentials.mkdir(mode=0o750)
    for name in ("db-password", "integrations"):
        (credentials / name).touch()
    env = {"CREDENTIALS_DIRECTORY": str(credentials)}
    with start_central(env=env) as centre:
        assert enrol(centre.url, DEMO_ENROLMENT_CODE).status_code == 201
